# diagnosis: returns (B, C·P·P, N), F.unfold's own layout
# visible: fails (the shape is checked first)
# Each patch as a column, the layout F.unfold returns before its .transpose(1, 2).
def patchify(images, patch):
    """images (B, C, H, W) -> patches (B, N, C*P*P), N = (H/P)(W/P), patches row by row, (C, P, P) inside."""
    B, C, H, W = images.shape
    gh, gw = H // patch, W // patch
    x = images.reshape(B, C, gh, patch, gw, patch).permute(0, 1, 3, 5, 2, 4)  # (B, C, P, P, gh, gw)
    return x.reshape(B, C * patch * patch, gh * gw)
