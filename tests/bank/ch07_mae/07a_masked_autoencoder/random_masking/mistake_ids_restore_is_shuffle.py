# diagnosis: returns the sorting permutation (argsort of the noise) as ids_restore
# visible: fails (ids_restore is compared image by image)
# The mask is built right, by scattering zeros at the kept patches; but the permutation returned
# is the one that sorts, not the one that undoes the sort.
def random_masking(x, mask_ratio, noise):
    """x (B, L, D), noise (B, L) -> x_visible (B, K, D), mask (B, L) with 1 = removed, ids_restore (B, L)."""
    B, L, D = x.shape
    keep = int(L * (1 - mask_ratio))
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_keep = ids_shuffle[:, :keep]
    x_visible = torch.gather(x, 1, ids_keep.unsqueeze(-1).expand(-1, -1, D))
    mask = torch.ones(B, L, dtype=x.dtype, device=x.device).scatter(1, ids_keep, 0.0)
    return x_visible, mask, ids_shuffle
