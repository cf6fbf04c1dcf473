# diagnosis: splits H into (P, H/P) rather than (H/P, P)
# visible: fails (each frame compared with F.unfold)
# The factors of each split in the wrong order: a "patch" picks pixels H/P rows apart.
def video_to_patches(video, patch):
    """video (B, C, T, H, W) -> patches (B, T, N, C*P*P), N = (H/P)(W/P), row by row, (C, P, P) inside."""
    B, C, T, H, W = video.shape
    gh, gw = H // patch, W // patch
    x = video.reshape(B, C, T, patch, gh, patch, gw)  # (B, C, T, P, gh, P, gw)
    x = x.permute(0, 2, 4, 6, 1, 3, 5)                # (B, T, gh, gw, C, P, P)
    return x.reshape(B, T, gh * gw, C * patch * patch)
