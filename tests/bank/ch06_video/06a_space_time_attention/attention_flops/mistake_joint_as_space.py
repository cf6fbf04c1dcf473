# diagnosis: counts joint attention as T separate frames
# visible: fails (against FlopCounterMode)
# Joint read as "space and time together, per frame": the per-frame sequences of the space model.
def attention_flops(variant, *, T, N, D):
    """FLOPs of Q K^T and A V in one block: 2 L L' D per product, summed over the sequences."""
    per_frame = T * 2 * 2 * (1 + N) ** 2 * D
    if variant in ("space", "joint"):
        return per_frame
    if variant == "divided":
        return N * 2 * 2 * T * T * D + per_frame
    raise ValueError(f"unknown variant {variant!r}")
