# The centred form of the line fit: s = cov(p, d) / var(p) over the valid pixels, t = mean(d) - s mean(p),
# each mean a masked one.
def scale_shift_invariant_loss(pred, target, mask):
    """pred, target (B, H, W) disparity; mask (B, H, W) bool -> scalar: the mean over images of the masked MSE
    after each image's least-squares scale and shift."""
    w = mask.to(pred.dtype)
    count = w.sum(dim=(-2, -1), keepdim=True)                            # (B, 1, 1)
    p_mean = (w * pred).sum(dim=(-2, -1), keepdim=True) / count
    d_mean = (w * target).sum(dim=(-2, -1), keepdim=True) / count
    pc, dc = (pred - p_mean) * w, (target - d_mean) * w
    s = (pc * dc).sum(dim=(-2, -1), keepdim=True) / (pc * pc).sum(dim=(-2, -1), keepdim=True)
    t = d_mean - s * p_mean
    mse = (w * (s * pred + t - target) ** 2).sum(dim=(-2, -1)) / count[..., 0, 0]
    return mse.mean()
