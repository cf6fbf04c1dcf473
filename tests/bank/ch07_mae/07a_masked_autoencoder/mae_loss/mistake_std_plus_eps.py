# diagnosis: divides by std + 1e-6
# The visible test cannot see it: on patches of ordinary contrast the two differ by about 1e-6.
# The usual standardisation, (t - mean) / (std + eps): close, but MAE puts the epsilon inside the root.
def mae_loss(pred, images, mask, *, patch, norm_pix=False):
    """pred (B, L, C*P*P), images (B, C, H, W), mask (B, L) with 1 = removed -> scalar."""
    target = patchify(images, patch)
    if norm_pix:
        target = (target - target.mean(dim=-1, keepdim=True)) / (target.std(dim=-1, keepdim=True) + 1e-6)
    per_patch = ((pred - target) ** 2).mean(dim=-1)
    return (per_patch * mask).sum() / mask.sum()
