def patchify(images, patch):
    """images (B, C, H, W) -> patches (B, N, C*P*P), N = (H/P)(W/P), patches row by row, (C, P, P) inside."""
    # Split each spatial axis with unflatten, move the two grid axes to the front, flatten.
    x = images.unflatten(3, (-1, patch)).unflatten(2, (-1, patch))  # (B, C, gh, P, gw, P)
    x = x.movedim((2, 4), (1, 2))                                    # (B, gh, gw, C, P, P)
    return x.flatten(start_dim=3).flatten(start_dim=1, end_dim=2)    # (B, N, C*P*P)
