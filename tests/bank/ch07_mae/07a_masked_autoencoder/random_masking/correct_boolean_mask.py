# The kept set as a boolean mask from a threshold on each image's K-th smallest noise (the values
# are distinct), the inverse permutation as the rank of each noise value (how many are smaller),
# and the kept tokens by a one-hot matrix product that puts rank r at row r.
def random_masking(x, mask_ratio, noise):
    """x (B, L, D), noise (B, L) -> x_visible (B, K, D), mask (B, L) with 1 = removed, ids_restore (B, L)."""
    B, L, D = x.shape
    keep = int(L * (1 - mask_ratio))
    ids_restore = (noise[:, None, :] < noise[:, :, None]).sum(dim=2)   # (B, L): rank of patch i's noise
    kept = ids_restore < keep                                          # (B, L) bool
    mask = (~kept).to(x.dtype)
    onehot = (ids_restore[:, None, :] == torch.arange(keep, device=x.device)[None, :, None]).to(x.dtype)  # (B, K, L)
    x_visible = onehot @ x                                             # (B, K, D)
    return x_visible, mask, ids_restore
