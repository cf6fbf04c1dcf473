# The per-patch errors weighted by the mask as a dot product, with mask / mask.sum() as weights;
# the normalisation written with the unbiased variance spelled out (n - 1).
def mae_loss(pred, images, mask, *, patch, norm_pix=False):
    """pred (B, L, C*P*P), images (B, C, H, W), mask (B, L) with 1 = removed -> scalar."""
    target = patchify(images, patch)
    if norm_pix:
        n = target.shape[-1]
        centred = target - target.sum(dim=-1, keepdim=True) / n
        var = (centred ** 2).sum(dim=-1, keepdim=True) / (n - 1)
        target = centred / torch.sqrt(var + 1e-6)
    per_patch = (pred - target).pow(2).mean(dim=-1)   # (B, L)
    weights = mask / mask.sum()
    return torch.einsum("bl,bl->", per_patch, weights)
