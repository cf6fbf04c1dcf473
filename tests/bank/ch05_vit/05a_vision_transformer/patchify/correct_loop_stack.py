def patchify(images, patch):
    """images (B, C, H, W) -> patches (B, N, C*P*P), N = (H/P)(W/P), patches row by row, (C, P, P) inside."""
    # One slice per grid cell, row by row; each (B, C, P, P) slice flattened in (C, P, P) order.
    B, C, H, W = images.shape
    pieces = []
    for top in range(0, H, patch):
        for left in range(0, W, patch):
            pieces.append(images[:, :, top:top + patch, left:left + patch].reshape(B, -1))
    return torch.stack(pieces, dim=1)
