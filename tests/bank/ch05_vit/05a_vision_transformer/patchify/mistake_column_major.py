# diagnosis: orders the patches column by column
# visible: fails (compared with F.unfold)
# The grid's axes permuted as (gw, gh): patches numbered down each column first.
def patchify(images, patch):
    """images (B, C, H, W) -> patches (B, N, C*P*P), N = (H/P)(W/P), patches row by row, (C, P, P) inside."""
    b, c, h, w = images.shape
    x = images.reshape(b, c, h // patch, patch, w // patch, patch)
    x = x.permute(0, 4, 2, 1, 3, 5).contiguous()  # (B, gw, gh, C, P, P)
    return x.flatten(3).flatten(1, 2)
