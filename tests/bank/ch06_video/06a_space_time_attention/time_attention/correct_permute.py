def time_attention(x, attn):
    """x (B, T, N, D) -> (B, T, N, D): each location's T tokens attend to each other."""
    # Locations before frames with permute, and the same permute back (it is its own inverse).
    B, T, N, D = x.shape
    seqs = x.permute(0, 2, 1, 3).reshape(B * N, T, D)
    return attn(seqs).reshape(B, N, T, D).permute(0, 2, 1, 3)
