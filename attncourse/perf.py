"""Throughput and model FLOPs utilisation (MFU) of transformer training.

MFU is the fraction of the device's peak arithmetic a training run uses for the
model's own FLOPs: ``tokens/s * FLOPs per token / peak FLOP/s``.  The peak is
the device's dense bf16 tensor-core rate from its datasheet; a device missing
from :data:`PEAK_BF16_DENSE_FLOPS` (any CPU, for instance) has no MFU.
"""
from __future__ import annotations

# Dense (no sparsity) bf16 peak FLOP/s from the vendors' datasheets, matched
# against torch.cuda.get_device_name() in this order: the first key that is a
# substring of the name wins, so the more specific names come first.
PEAK_BF16_DENSE_FLOPS: dict[str, float] = {
    "H100 PCIe": 756e12,
    "H100 NVL": 835e12,
    "H100": 989e12,   # SXM5 ("NVIDIA H100 80GB HBM3")
    "H200": 989e12,
    "A100": 312e12,
    "L40S": 362e12,
    "L4": 121e12,
}


def peak_flops(device_name: str | None) -> float | None:
    """The dense bf16 peak FLOP/s of a device, or None when it is not in the table."""
    if not device_name:
        return None
    for key, flops in PEAK_BF16_DENSE_FLOPS.items():
        if key.lower() in device_name.lower():
            return flops
    return None


def flops_per_token(*, n_params: int, n_layer: int, d_model: int, seq_len: int) -> float:
    """Training FLOPs per token of a decoder-only transformer (Chowdhery et al., 2022, app. B).

    ``6 N`` for the matrix multiplications of the forward (2 N) and backward (4 N)
    passes with ``N`` the parameters that take part in them (leave out position
    embeddings), plus ``12 L T d`` for the attention scores and their weighted sums.
    """
    return 6.0 * n_params + 12.0 * n_layer * d_model * seq_len


def mfu(*, tokens_per_s: float, flops_per_token: float, device_name: str | None) -> float | None:
    """Model FLOPs utilisation in [0, 1], or None when the device's peak is unknown."""
    peak = peak_flops(device_name)
    if peak is None:
        return None
    return tokens_per_s * flops_per_token / peak
