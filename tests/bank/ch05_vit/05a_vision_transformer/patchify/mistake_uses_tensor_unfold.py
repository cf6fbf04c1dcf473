# diagnosis: uses unfold, which this task asks you not to use
# Tensor.unfold (sliding windows along one axis) twice: the right values, but not written with
# reshape and permute as the task asks.
def patchify(images, patch):
    """images (B, C, H, W) -> patches (B, N, C*P*P), N = (H/P)(W/P), patches row by row, (C, P, P) inside."""
    B, C, H, W = images.shape
    x = images.unfold(2, patch, patch).unfold(3, patch, patch)  # (B, C, gh, gw, P, P)
    x = x.permute(0, 2, 3, 1, 4, 5)                             # (B, gh, gw, C, P, P)
    return x.reshape(B, -1, C * patch * patch)
