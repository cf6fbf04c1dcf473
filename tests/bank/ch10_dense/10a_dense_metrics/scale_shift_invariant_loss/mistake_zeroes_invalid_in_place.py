# diagnosis: changes its input pred in place
# The invalid pixels zeroed in the caller's tensors so that the sums skip them: the values are right, but the
# caller's prediction and target are overwritten.
def scale_shift_invariant_loss(pred, target, mask):
    """pred, target (B, H, W) disparity; mask (B, H, W) bool -> scalar: the mean over images of the masked MSE
    after each image's least-squares scale and shift."""
    pred[~mask] = 0
    target[~mask] = 0
    n = mask.sum((1, 2)).to(pred.dtype)
    sp, st = pred.sum((1, 2)), target.sum((1, 2))
    spp, spt = (pred * pred).sum((1, 2)), (pred * target).sum((1, 2))
    det = spp * n - sp * sp
    s = ((n * spt - sp * st) / det)[:, None, None]
    t = ((spp * st - sp * spt) / det)[:, None, None]
    err = torch.where(mask, s * pred + t - target, torch.zeros_like(pred)) ** 2
    return (err.sum((1, 2)) / n).mean()
