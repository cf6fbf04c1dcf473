# The removed patches picked out by boolean indexing, the normalised target by torch.var_mean,
# and the per-value errors averaged in one go (every patch has the same C*P*P values).
def mae_loss(pred, images, mask, *, patch, norm_pix=False):
    """pred (B, L, C*P*P), images (B, C, H, W), mask (B, L) with 1 = removed -> scalar."""
    target = patchify(images, patch)
    if norm_pix:
        var, mean = torch.var_mean(target, dim=-1, keepdim=True)  # unbiased by default
        target = (target - mean) * torch.rsqrt(var + 1e-6)
    removed = mask.bool()
    return F.mse_loss(pred[removed], target[removed])
