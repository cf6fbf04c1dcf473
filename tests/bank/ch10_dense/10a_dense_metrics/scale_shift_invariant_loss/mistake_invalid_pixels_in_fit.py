# diagnosis: uses the invalid pixels in the fit
# visible: fails (invalid pixels ignored)
# The mask applied to the error only: the scale and shift are fitted over every pixel of the image, so the
# values under invalid pixels (anything at all) pull the line.
def scale_shift_invariant_loss(pred, target, mask):
    """pred, target (B, H, W) disparity; mask (B, H, W) bool -> scalar: the mean over images of the masked MSE
    after each image's least-squares scale and shift."""
    p, d = pred.flatten(1), target.flatten(1)                      # (B, HW)
    n = p.shape[1]
    sp, sd, spp, spd = p.sum(1), d.sum(1), (p * p).sum(1), (p * d).sum(1)
    det = spp * n - sp * sp
    s = (n * spd - sp * sd) / det
    t = (spp * sd - sp * spd) / det
    m = mask.flatten(1).float()
    err = m * (s[:, None] * p + t[:, None] - d) ** 2
    return (err.sum(1) / m.sum(1)).mean()
