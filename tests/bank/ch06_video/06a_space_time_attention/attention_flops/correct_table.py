def attention_flops(variant, *, T, N, D):
    """FLOPs of Q K^T and A V in one block: 2 L L' D per product, summed over the sequences."""
    # (number of sequences, length) of every attention in the block; each costs 2 products of 2 L^2 D.
    sequences = {"space": [(T, N + 1)], "joint": [(1, T * N + 1)], "divided": [(N, T), (T, N + 1)]}
    if variant not in sequences:
        raise ValueError(f"unknown variant {variant!r}")
    return sum(count * 2 * 2 * length ** 2 * D for count, length in sequences[variant])
