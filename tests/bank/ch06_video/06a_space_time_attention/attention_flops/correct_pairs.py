def attention_flops(variant, *, T, N, D):
    """FLOPs of Q K^T and A V in one block: 2 L L' D per product, summed over the sequences."""
    # Counted by pairs of tokens that meet: each (query, key) pair costs D multiply-adds in Q K^T
    # and D more in A V, 2 FLOPs each.
    frame_pairs = T * (N + 1) * (N + 1)        # space: within each frame, class token included
    if variant == "space":
        pairs = frame_pairs
    elif variant == "joint":
        pairs = (T * N + 1) ** 2
    elif variant == "divided":
        pairs = N * T * T + frame_pairs        # time: within each location, over the frames
    else:
        raise ValueError(f"unknown variant {variant!r}")
    return int(pairs * D * 2 * 2)
