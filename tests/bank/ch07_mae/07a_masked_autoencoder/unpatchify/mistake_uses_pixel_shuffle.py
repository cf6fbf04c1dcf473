# diagnosis: uses pixel_shuffle, which this task asks you not to use
# The right values: each patch's C*P*P values as channels of a (gh, gw) map, then depth-to-space.
# Clever, but the task asks for reshape and permute.
def unpatchify(patches, patch, size):
    """patches (B, N, C*P*P), row by row, (C, P, P) inside -> images (B, C, H, W)."""
    B, N, d = patches.shape
    H, W = size
    grid = patches.transpose(1, 2).reshape(B, d, H // patch, W // patch)  # (B, C*P*P, gh, gw)
    return F.pixel_shuffle(grid, patch)
