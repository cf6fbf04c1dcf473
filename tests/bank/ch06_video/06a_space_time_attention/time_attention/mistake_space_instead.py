# diagnosis: attends within each frame (that is space attention)
# visible: fails (location 4 of clip 1 attended over the 3 frames)
def time_attention(x, attn):
    """x (B, T, N, D) -> (B, T, N, D): each location's T tokens attend to each other."""
    B, T, N, D = x.shape
    return attn(x.reshape(B * T, N, D)).reshape(B, T, N, D)
