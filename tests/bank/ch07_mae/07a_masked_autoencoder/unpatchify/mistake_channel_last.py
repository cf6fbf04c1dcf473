# diagnosis: reads each patch as (P, P, C), channel last
# visible: fails (unpatchify(patchify(x)) is not x, with C = 3)
# MAE's own unpatchify, carried over: its patchify flattens (p, q, c), this course's (c, p, q).
def unpatchify(patches, patch, size):
    """patches (B, N, C*P*P), row by row, (C, P, P) inside -> images (B, C, H, W)."""
    B, N, d = patches.shape
    H, W = size
    gh, gw, C = H // patch, W // patch, d // (patch * patch)
    x = patches.reshape(B, gh, gw, patch, patch, C)  # (B, gh, gw, P, P, C)
    x = x.permute(0, 5, 1, 3, 2, 4)                  # (B, C, gh, P, gw, P)
    return x.reshape(B, C, H, W)
