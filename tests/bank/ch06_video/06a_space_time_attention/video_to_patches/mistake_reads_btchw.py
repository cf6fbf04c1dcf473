# diagnosis: reads the clip as (B, T, C, H, W)
# visible: fails (the shape is checked first)
# Hugging Face's TimesformerModel layout, (B, T, C, H, W), assumed for PyTorch's (B, C, T, H, W).
def video_to_patches(video, patch):
    """video (B, C, T, H, W) -> patches (B, T, N, C*P*P), N = (H/P)(W/P), row by row, (C, P, P) inside."""
    B, T, C, H, W = video.shape
    gh, gw = H // patch, W // patch
    x = video.reshape(B, T, C, gh, patch, gw, patch)
    x = x.permute(0, 1, 3, 5, 2, 4, 6)  # (B, T, gh, gw, C, P, P)
    return x.reshape(B, T, gh * gw, C * patch * patch)
