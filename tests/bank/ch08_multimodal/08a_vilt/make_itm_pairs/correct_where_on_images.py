# The pairs chosen element-wise with torch.where on a broadcast swap flag; the labels from torch.eq,
# every pair that kept its image matching by construction.
def make_itm_pairs(images, captions, swap, perm):
    """images (B, C, H, W), captions (B, Lt), swap (B,) bool, perm (B,) -> paired images, labels (B,) with 1 = match."""
    flag = swap.view(-1, *([1] * (images.dim() - 1)))
    paired = torch.where(flag, images[perm], images)
    same = torch.eq(captions[perm], captions).all(dim=-1)
    labels = torch.where(swap, same, torch.ones_like(same)).long()
    return paired, labels
