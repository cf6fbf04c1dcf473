# diagnosis: does not align at all
# visible: fails (a scaled and shifted copy costs nothing)
# The masked MSE of each image, with no fit: the "invariant" part left out.
def scale_shift_invariant_loss(pred, target, mask):
    """pred, target (B, H, W) disparity; mask (B, H, W) bool -> scalar: the mean over images of the masked MSE
    after each image's least-squares scale and shift."""
    m = mask.to(pred.dtype)
    per_image = (m * (pred - target) ** 2).sum((1, 2)) / m.sum((1, 2))
    return per_image.mean()
