# diagnosis: orders the patches of a frame column by column
# visible: fails (each frame compared with F.unfold, on 8 x 12 frames)
# The grid axes permuted as (gw, gh): the patches numbered down each column first.
def video_to_patches(video, patch):
    """video (B, C, T, H, W) -> patches (B, T, N, C*P*P), N = (H/P)(W/P), row by row, (C, P, P) inside."""
    b, c, t, h, w = video.shape
    x = video.reshape(b, c, t, h // patch, patch, w // patch, patch)
    x = x.permute(0, 2, 5, 3, 1, 4, 6)  # (B, T, gw, gh, C, P, P)
    return x.flatten(4).flatten(2, 3)
