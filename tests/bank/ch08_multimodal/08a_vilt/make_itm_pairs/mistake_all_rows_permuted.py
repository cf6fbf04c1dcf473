# diagnosis: replaces every image by images[perm[i]], swapped or not
# visible: fails (the image each caption is paired with)
# swap ignored: the whole batch shuffled, each label from the shuffled caption.
def make_itm_pairs(images, captions, swap, perm):
    """images (B, C, H, W), captions (B, Lt), swap (B,) bool, perm (B,) -> paired images, labels (B,) with 1 = match."""
    paired = images[perm]
    labels = (captions[perm] == captions).all(dim=1).long()
    return paired, labels
