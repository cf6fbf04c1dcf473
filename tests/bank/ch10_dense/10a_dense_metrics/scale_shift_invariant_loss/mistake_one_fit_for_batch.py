# diagnosis: fits one scale and shift for the whole batch
# visible: fails (loss against np.linalg.lstsq)
# The normal equations summed over every valid pixel of the batch at once: one (s, t) for all images, as if
# they all came in the same units.
def scale_shift_invariant_loss(pred, target, mask):
    """pred, target (B, H, W) disparity; mask (B, H, W) bool -> scalar: the mean over images of the masked MSE
    after each image's least-squares scale and shift."""
    m = mask.float()
    n = m.sum()
    sp, st = (m * pred).sum(), (m * target).sum()
    spp, spt = (m * pred * pred).sum(), (m * pred * target).sum()
    det = spp * n - sp * sp
    s = (n * spt - sp * st) / det
    t = (spp * st - sp * spt) / det
    squared = m * (s * pred + t - target) ** 2
    return (squared.sum((1, 2)) / m.sum((1, 2))).mean()
