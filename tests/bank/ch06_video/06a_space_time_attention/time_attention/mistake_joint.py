# diagnosis: attends over all T·N tokens of the clip (joint space-time)
# visible: fails (location 4 of clip 1 attended over the 3 frames)
# One sequence per clip: the location's tokens over the frames are in it, and every other token too.
def time_attention(x, attn):
    """x (B, T, N, D) -> (B, T, N, D): each location's T tokens attend to each other."""
    B, T, N, D = x.shape
    return attn(x.flatten(1, 2)).view(B, T, N, D)
