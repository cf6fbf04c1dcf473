# Paste each patch into an empty image, one grid cell at a time, row by row.
def unpatchify(patches, patch, size):
    """patches (B, N, C*P*P), row by row, (C, P, P) inside -> images (B, C, H, W)."""
    B, N, d = patches.shape
    H, W = size
    C = d // (patch * patch)
    gw = W // patch
    images = patches.new_zeros(B, C, H, W)
    for n in range(N):
        top, left = (n // gw) * patch, (n % gw) * patch
        images[:, :, top:top + patch, left:left + patch] = patches[:, n].reshape(B, C, patch, patch)
    return images
