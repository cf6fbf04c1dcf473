# One image at a time: every position starts as the mask token; the positions whose rank is
# below K (the kept ones) take their visible token, by boolean indexing.
def restore_sequence(x_visible, mask_token, ids_restore):
    """x_visible (B, K, D) in sorted order, mask_token (D,), ids_restore (B, L) -> (B, L, D) in patch order."""
    B, K, D = x_visible.shape
    L = ids_restore.shape[1]
    rows = []
    for b in range(B):
        row = mask_token.expand(L, D).clone()
        kept = ids_restore[b] < K                       # patches that were kept
        row[kept] = x_visible[b, ids_restore[b, kept]]  # patch i takes sorted element ids_restore[b, i]
        rows.append(row)
    return torch.stack(rows)
