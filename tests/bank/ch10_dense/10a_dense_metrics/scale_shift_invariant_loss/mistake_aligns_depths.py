# diagnosis: aligns depths (1 / disparity)
# visible: fails (a scaled and shifted copy costs nothing)
# Turned into depths first "because the loss is about depth": the fit and the error are then in depth, where a
# shifted disparity is no longer a shifted depth.
def scale_shift_invariant_loss(pred, target, mask):
    """pred, target (B, H, W) disparity; mask (B, H, W) bool -> scalar: the mean over images of the masked MSE
    after each image's least-squares scale and shift."""
    m = mask.to(pred.dtype)
    z_pred, z_true = 1 / pred, 1 / target
    a00, a01, a11 = (m * z_pred ** 2).sum((1, 2)), (m * z_pred).sum((1, 2)), m.sum((1, 2))
    b0, b1 = (m * z_pred * z_true).sum((1, 2)), (m * z_true).sum((1, 2))
    det = a00 * a11 - a01 ** 2
    s = ((a11 * b0 - a01 * b1) / det)[:, None, None]
    t = ((a00 * b1 - a01 * b0) / det)[:, None, None]
    return ((m * (s * z_pred + t - z_true) ** 2).sum((1, 2)) / a11).mean()
