# Unflatten the token and value axes, move the channel axis first and the grid axes beside their
# patch axes, then flatten each (grid, patch) pair into one image axis.
def unpatchify(patches, patch, size):
    """patches (B, N, C*P*P), row by row, (C, P, P) inside -> images (B, C, H, W)."""
    H, W = size
    x = patches.unflatten(2, (-1, patch, patch)).unflatten(1, (H // patch, W // patch))  # (B, gh, gw, C, P, P)
    x = x.movedim(3, 1)                  # (B, C, gh, gw, P, P)
    x = x.transpose(3, 4)                # (B, C, gh, P, gw, P)
    return x.flatten(4, 5).flatten(2, 3)
