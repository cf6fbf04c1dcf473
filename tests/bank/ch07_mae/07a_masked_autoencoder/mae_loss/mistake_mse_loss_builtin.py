# diagnosis: averages over every patch
# visible: fails (the loss over the 5 removed patches)
# F.mse_loss on the whole prediction: the right target, but the mask never used.
def mae_loss(pred, images, mask, *, patch, norm_pix=False):
    """pred (B, L, C*P*P), images (B, C, H, W), mask (B, L) with 1 = removed -> scalar."""
    target = patchify(images, patch)
    if norm_pix:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1e-6) ** 0.5
    return F.mse_loss(pred, target)
