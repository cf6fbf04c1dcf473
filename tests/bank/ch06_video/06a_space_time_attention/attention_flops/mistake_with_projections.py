# diagnosis: counts the projections too
# visible: fails (against FlopCounterMode)
# The whole attention layer: Q, K, V and the output projection (8 L D² per sequence) on top of the
# two products.
def attention_flops(variant, *, T, N, D):
    """FLOPs of Q K^T and A V in one block: 2 L L' D per product, summed over the sequences."""
    def attention(sequences, L):
        return sequences * (2 * 2 * L * L * D + 2 * 4 * L * D * D)

    if variant == "space":
        return attention(T, 1 + N)
    if variant == "joint":
        return attention(1, 1 + T * N)
    if variant == "divided":
        return attention(N, T) + attention(T, 1 + N)
    raise ValueError(f"unknown variant {variant!r}")
