# diagnosis: applies the permutation the wrong way
# visible: fails (the visible tokens are not at their patches)
# Element i of the sorted sequence sent to position ids_restore[b, i]: the permutation applied the
# wrong way round (a scatter would need its inverse, ids_shuffle, the permutation that sorted).
def restore_sequence(x_visible, mask_token, ids_restore):
    """x_visible (B, K, D) in sorted order, mask_token (D,), ids_restore (B, L) -> (B, L, D) in patch order."""
    B, K, D = x_visible.shape
    L = ids_restore.shape[1]
    sorted_seq = torch.cat([x_visible, mask_token.expand(B, L - K, D)], dim=1)
    index = ids_restore.unsqueeze(-1).expand(-1, -1, D)
    return torch.zeros_like(sorted_seq).scatter(1, index, sorted_seq)
