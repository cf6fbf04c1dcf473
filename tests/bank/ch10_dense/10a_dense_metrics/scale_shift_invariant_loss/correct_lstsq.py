# The fit as a batched least-squares problem: a design matrix [p, 1] per image with the invalid rows zeroed
# (a zero row adds nothing to AᵀA nor to Aᵀb), solved by torch.linalg.lstsq.
def scale_shift_invariant_loss(pred, target, mask):
    """pred, target (B, H, W) disparity; mask (B, H, W) bool -> scalar: the mean over images of the masked MSE
    after each image's least-squares scale and shift."""
    m = mask.flatten(1).to(pred.dtype)                                   # (B, HW)
    p, d = pred.flatten(1), target.flatten(1)
    design = torch.stack([p * m, m], dim=-1)                             # (B, HW, 2)
    coef = torch.linalg.lstsq(design, (d * m).unsqueeze(-1), driver="gels").solution   # (B, 2, 1)
    fitted = (torch.stack([p, torch.ones_like(p)], dim=-1) @ coef).squeeze(-1)          # (B, HW)
    per_image = ((fitted - d) ** 2 * m).sum(1) / m.sum(1)
    return per_image.mean()
