# diagnosis: groups the frames as (T, B) but puts them back as (B, T)
# The frames batched time-major, then reshaped back as if they were batch-major: every frame is
# attended on its own, but its output lands in another frame's place.  The visible test looks at the
# last frame of the last clip, the one frame that stays where it was.
def space_attention(x, attn):
    """x (B, T, N, D) -> (B, T, N, D): each frame's N tokens attend to each other."""
    B, T, N, D = x.shape
    frames = x.transpose(0, 1).reshape(T * B, N, D)  # (T*B, N, D): one sequence per frame
    return attn(frames).reshape(B, T, N, D)
