# The source index built by writing perm into an arange where swap is True, the images gathered with
# index_select, and a match found as "no token differs".
def make_itm_pairs(images, captions, swap, perm):
    """images (B, C, H, W), captions (B, Lt), swap (B,) bool, perm (B,) -> paired images, labels (B,) with 1 = match."""
    index = torch.arange(images.shape[0], device=images.device)
    index[swap] = perm[swap]
    paired = images.index_select(0, index)
    differs = (captions.index_select(0, index) != captions).sum(dim=1)
    return paired, (differs == 0).to(torch.long)
