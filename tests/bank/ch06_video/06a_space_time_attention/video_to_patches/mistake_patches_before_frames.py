# diagnosis: returns (B, N, T, C·P·P)
# visible: fails (the shape is checked first)
# Each location's patches over time gathered together (what time attention will want), but the
# task's layout is frame by frame.
def video_to_patches(video, patch):
    """video (B, C, T, H, W) -> patches (B, T, N, C*P*P), N = (H/P)(W/P), row by row, (C, P, P) inside."""
    B, C, T, H, W = video.shape
    gh, gw = H // patch, W // patch
    x = video.reshape(B, C, T, gh, patch, gw, patch)
    x = x.permute(0, 3, 5, 2, 1, 4, 6)  # (B, gh, gw, T, C, P, P)
    return x.reshape(B, gh * gw, T, C * patch * patch)
