# diagnosis: places the patches column by column
# visible: fails (unpatchify(patchify(x)) is not x)
# The grid read as (gw, gh): patch n is taken to be grid column n // gh, row n % gh.
def unpatchify(patches, patch, size):
    """patches (B, N, C*P*P), row by row, (C, P, P) inside -> images (B, C, H, W)."""
    B, N, d = patches.shape
    H, W = size
    gh, gw, C = H // patch, W // patch, d // (patch * patch)
    x = patches.reshape(B, gw, gh, C, patch, patch)  # (B, gw, gh, C, P, P)
    x = x.permute(0, 3, 2, 4, 1, 5)                  # (B, C, gh, P, gw, P)
    return x.reshape(B, C, H, W)
