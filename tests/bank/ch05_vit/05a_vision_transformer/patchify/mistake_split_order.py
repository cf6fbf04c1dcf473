# diagnosis: splits H into (P, H/P) rather than (H/P, P)
# visible: fails (compared with F.unfold)
# The factors of each split in the wrong order: index h = p_row * gh + grid_row, so a "patch"
# picks pixels gh rows apart instead of P neighbouring rows.
def patchify(images, patch):
    """images (B, C, H, W) -> patches (B, N, C*P*P), N = (H/P)(W/P), patches row by row, (C, P, P) inside."""
    B, C, H, W = images.shape
    gh, gw = H // patch, W // patch
    x = images.reshape(B, C, patch, gh, patch, gw)  # (B, C, P, gh, P, gw)
    x = x.permute(0, 3, 5, 1, 2, 4)                 # (B, gh, gw, C, P, P)
    return x.reshape(B, gh * gw, C * patch * patch)
