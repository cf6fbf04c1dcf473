# diagnosis: puts each image axis together as (P, H/P) rather than (H/P, P)
# visible: fails (unpatchify(patchify(x)) is not x)
# The patch axis and the grid axis put together in the wrong order, (P, gh) instead of (gh, P):
# image row h is read as patch row h // gh of grid row h % gh, so the patches come back interleaved.
def unpatchify(patches, patch, size):
    """patches (B, N, C*P*P), row by row, (C, P, P) inside -> images (B, C, H, W)."""
    B, N, d = patches.shape
    H, W = size
    gh, gw, C = H // patch, W // patch, d // (patch * patch)
    x = patches.reshape(B, gh, gw, C, patch, patch)
    x = x.permute(0, 3, 4, 1, 5, 2)  # (B, C, P, gh, P, gw)
    return x.reshape(B, C, H, W)
