"""Independent formulas the chapters' checks share (never the solution's code path)."""
from __future__ import annotations

import torch


def randn(gen: torch.Generator, *shape) -> torch.Tensor:
    """Standard normal values from the check's own seeded generator."""
    return torch.randn(*shape, generator=gen)


def gru_cell(x: torch.Tensor, h: torch.Tensor, state: dict, prefix: str = "gru.") -> torch.Tensor:
    """torch.nn.GRUCell written out, reading its weights from a state dict."""
    gi = x @ state[prefix + "weight_ih"].T + state[prefix + "bias_ih"]
    gh = h @ state[prefix + "weight_hh"].T + state[prefix + "bias_hh"]
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = gh.chunk(3, -1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h


def only_when(condition: bool) -> None:
    """For a known mistake's oracle: raise when the mistake cannot differ from the reference on this case
    (core skips a mistake whose oracle raises, so the verdict never names a mistake that looks correct)."""
    if not condition:
        raise ValueError("this mistake cannot differ from the reference on this case")


# The pre-norm ViT block that chapters 5 and 7 give (timm's names: norm1, attn.qkv, attn.proj, norm2, mlp.fc1,
# mlp.fc2), as random weights and as PyTorch's own encoder layer.
_VIT_BLOCK_NAMES = {"self_attn.in_proj_weight": "attn.qkv.weight", "self_attn.in_proj_bias": "attn.qkv.bias",
                    "self_attn.out_proj.weight": "attn.proj.weight", "self_attn.out_proj.bias": "attn.proj.bias",
                    "linear1.weight": "mlp.fc1.weight", "linear1.bias": "mlp.fc1.bias",
                    "linear2.weight": "mlp.fc2.weight", "linear2.bias": "mlp.fc2.bias",
                    "norm1.weight": "norm1.weight", "norm1.bias": "norm1.bias",
                    "norm2.weight": "norm2.weight", "norm2.bias": "norm2.bias"}


def vit_block_state(gen: torch.Generator, prefix: str, dim: int, mlp_dim: int) -> dict:
    """Random weights for a given pre-norm ViT block, keyed ``prefix + name`` as in its state dict."""
    d, m = dim, mlp_dim
    return {prefix + "norm1.weight": 1 + 0.2 * randn(gen, d), prefix + "norm1.bias": 0.2 * randn(gen, d),
            prefix + "attn.qkv.weight": randn(gen, 3 * d, d) / d ** 0.5,
            prefix + "attn.qkv.bias": 0.2 * randn(gen, 3 * d),
            prefix + "attn.proj.weight": randn(gen, d, d) / d ** 0.5,
            prefix + "attn.proj.bias": 0.2 * randn(gen, d),
            prefix + "norm2.weight": 1 + 0.2 * randn(gen, d), prefix + "norm2.bias": 0.2 * randn(gen, d),
            prefix + "mlp.fc1.weight": randn(gen, m, d) / d ** 0.5,
            prefix + "mlp.fc1.bias": 0.2 * randn(gen, m),
            prefix + "mlp.fc2.weight": randn(gen, d, m) / m ** 0.5,
            prefix + "mlp.fc2.bias": 0.2 * randn(gen, d)}


def as_torch_layer_state(state: dict, prefix: str) -> dict:
    """A ViT block's weights (from :func:`vit_block_state`) under ``nn.TransformerEncoderLayer``'s names, for a
    model built from PyTorch's own layers (``prefix + "self_attn.in_proj_weight"`` for ``prefix + "attn.qkv.weight"``)."""
    return {prefix + ours: state[prefix + theirs] for ours, theirs in _VIT_BLOCK_NAMES.items()}


def torch_vit_block(state: dict, prefix: str, *, dim: int, heads: int, mlp_dim: int,
                    torch_names: bool = False) -> torch.nn.TransformerEncoderLayer:
    """PyTorch's own pre-norm encoder layer (float64), loaded with a given ViT block's weights (``torch_names``:
    the state already uses the layer's own names, see :func:`as_torch_layer_state`)."""
    layer = torch.nn.TransformerEncoderLayer(dim, heads, mlp_dim, dropout=0.0, activation="gelu",
                                             batch_first=True, norm_first=True).double()
    layer.load_state_dict({ours: state[prefix + (ours if torch_names else theirs)].double()
                           for ours, theirs in _VIT_BLOCK_NAMES.items()})
    return layer.train()  # dropout is 0; train mode keeps PyTorch off its fused inference path


# Masked models (chapter 7): inputs that such a model must not tell apart, and the verdict when it does.
def differ_only_in_hidden(images: torch.Tensor, hidden: torch.Tensor, patch: int) -> None:
    """Make row 1 of ``images`` (B, C, H, W) a copy of row 0 except in the pixels of the hidden patches
    (``hidden``: (L,), 1 or True = hidden, patches row by row), in place."""
    _, c, h, w = images.shape
    length = hidden.numel()
    cols = hidden.double().reshape(1, length, 1).expand(1, length, c * patch * patch).transpose(1, 2)
    pixels = torch.nn.functional.fold(cols, (h, w), patch, stride=patch)[0].bool()  # (C, H, W): hidden pixels
    images[1] = torch.where(pixels, images[1], images[0])


def pair_told_apart(output, atol: float = 1e-4) -> bool:
    """Whether rows 0 and 1 of a (B, ...) output differ (a masked model's output for a differ_only_in_hidden pair)."""
    import numpy as np

    out = np.asarray(output)
    return out.ndim >= 2 and out.shape[0] >= 2 and not np.allclose(out[0], out[1], atol=atol, rtol=atol)
