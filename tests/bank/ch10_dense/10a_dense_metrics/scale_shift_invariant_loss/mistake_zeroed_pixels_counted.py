# diagnosis: counts the invalid pixels in the fit as points (0, 0)
# visible: fails (a scaled and shifted copy costs nothing)
# The invalid pixels zeroed with the mask, but |M| taken as the image's size: each invalid pixel becomes a
# point at (0, 0) in the line fit, pulling the shift towards 0.
def scale_shift_invariant_loss(pred, target, mask):
    """pred, target (B, H, W) disparity; mask (B, H, W) bool -> scalar: the mean over images of the masked MSE
    after each image's least-squares scale and shift."""
    m = mask.to(pred.dtype)
    p, d = (pred * m).flatten(1), (target * m).flatten(1)
    n = p.shape[1]
    sp, sd, spp, spd = p.sum(1), d.sum(1), (p * p).sum(1), (p * d).sum(1)
    det = n * spp - sp ** 2
    s, t = (n * spd - sp * sd) / det, (spp * sd - sp * spd) / det
    residual = s[:, None] * p + t[:, None] - d
    return ((residual ** 2 * m.flatten(1)).sum(1) / m.flatten(1).sum(1)).mean()
