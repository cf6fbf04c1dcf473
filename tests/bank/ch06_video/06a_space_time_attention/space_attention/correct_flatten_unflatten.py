def space_attention(x, attn):
    """x (B, T, N, D) -> (B, T, N, D): each frame's N tokens attend to each other."""
    # The batch and frame axes merged into one batch of frames, then split again.
    return attn(x.flatten(0, 1)).unflatten(0, x.shape[:2])
