# diagnosis: swaps H and W
# visible: fails (each frame compared with F.unfold, on 8 x 12 frames)
# The frame size unpacked as (W, H): the code runs whenever both are multiples of P, and is right
# only for square frames.
def video_to_patches(video, patch):
    """video (B, C, T, H, W) -> patches (B, T, N, C*P*P), N = (H/P)(W/P), row by row, (C, P, P) inside."""
    B, C, T, W, H = video.shape
    gh, gw = H // patch, W // patch
    x = video.reshape(B, C, T, gh, patch, gw, patch).permute(0, 2, 3, 5, 1, 4, 6)
    return x.reshape(B, T, gh * gw, C * patch * patch)
