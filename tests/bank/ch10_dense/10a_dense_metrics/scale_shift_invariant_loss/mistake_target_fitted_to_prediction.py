# diagnosis: fits the target to the prediction
# visible: fails (loss against np.linalg.lstsq)
# The regression turned around: the target is scaled and shifted onto the prediction (s d + t ≈ p), and the
# error measured in the prediction's units.  Zero for an exact copy, but a different number otherwise.
def scale_shift_invariant_loss(pred, target, mask):
    """pred, target (B, H, W) disparity; mask (B, H, W) bool -> scalar: the mean over images of the masked MSE
    after each image's least-squares scale and shift."""
    m = mask.to(pred.dtype)
    n = m.sum((1, 2))
    sd, sp = (m * target).sum((1, 2)), (m * pred).sum((1, 2))
    sdd, sdp = (m * target * target).sum((1, 2)), (m * target * pred).sum((1, 2))
    det = sdd * n - sd * sd
    s = (n * sdp - sd * sp) / det
    t = (sdd * sp - sd * sdp) / det
    aligned = s[:, None, None] * target + t[:, None, None]
    return ((m * (aligned - pred) ** 2).sum((1, 2)) / n).mean()
