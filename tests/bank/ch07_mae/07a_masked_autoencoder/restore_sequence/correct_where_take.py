# torch.where between the mask token and the visible token each position would take; the index is
# clamped so that hidden positions read something valid that where then discards.
def restore_sequence(x_visible, mask_token, ids_restore):
    """x_visible (B, K, D) in sorted order, mask_token (D,), ids_restore (B, L) -> (B, L, D) in patch order."""
    B, K, D = x_visible.shape
    hidden = (ids_restore >= K).unsqueeze(-1)                          # (B, L, 1)
    safe = ids_restore.clamp(max=max(K - 1, 0))                        # (B, L)
    picked = torch.take_along_dim(x_visible, safe.unsqueeze(-1), dim=1)  # (B, L, D): broadcast over D
    return torch.where(hidden, mask_token, picked)
