# diagnosis: attends over the frames at each location (that is time attention)
# visible: fails (frame 2 of clip 1 attended on its own)
# The two factorised steps confused: each location's tokens over the frames.
def space_attention(x, attn):
    """x (B, T, N, D) -> (B, T, N, D): each frame's N tokens attend to each other."""
    B, T, N, D = x.shape
    seqs = x.permute(0, 2, 1, 3).reshape(B * N, T, D)
    return attn(seqs).reshape(B, N, T, D).permute(0, 2, 1, 3)
