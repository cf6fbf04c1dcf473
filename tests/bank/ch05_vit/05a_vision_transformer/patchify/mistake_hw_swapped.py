# diagnosis: swaps H and W (a square image hides it)
# visible: fails (compared with F.unfold, on an 8 x 12 image)
# The shape unpacked as (B, C, W, H): the code runs whenever H and W are multiples of P,
# and is right only for square images.
def patchify(images, patch):
    """images (B, C, H, W) -> patches (B, N, C*P*P), N = (H/P)(W/P), patches row by row, (C, P, P) inside."""
    B, C, W, H = images.shape
    gh, gw = H // patch, W // patch
    x = images.reshape(B, C, gh, patch, gw, patch)
    x = x.permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, gh * gw, C * patch * patch)
