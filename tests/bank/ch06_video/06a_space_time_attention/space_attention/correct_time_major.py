def space_attention(x, attn):
    """x (B, T, N, D) -> (B, T, N, D): each frame's N tokens attend to each other."""
    # The frames batched time-major, (T*B, N, D), and put back in the same order.
    B, T, N, D = x.shape
    frames = x.transpose(0, 1).reshape(T * B, N, D)
    return attn(frames).reshape(T, B, N, D).transpose(0, 1)
