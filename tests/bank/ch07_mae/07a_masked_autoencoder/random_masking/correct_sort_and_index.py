# torch.sort gives the order; batched advanced indexing picks the tokens; the mask is written by
# scattering the ranks (a 0 at each kept patch), and the inverse permutation by scattering the
# positions 0..L-1 to where each patch went.
def random_masking(x, mask_ratio, noise):
    """x (B, L, D), noise (B, L) -> x_visible (B, K, D), mask (B, L) with 1 = removed, ids_restore (B, L)."""
    B, L, D = x.shape
    keep = int(L * (1 - mask_ratio))
    _, order = torch.sort(noise, dim=1)                       # (B, L), smallest noise first
    rows = torch.arange(B, device=x.device)[:, None]
    x_visible = x[rows, order[:, :keep]]                      # (B, K, D)
    ranks = torch.arange(L, device=x.device).expand(B, L)
    ids_restore = torch.empty_like(order).scatter_(1, order, ranks)  # ids_restore[b, order[b, r]] = r
    mask = (ids_restore >= keep).to(x.dtype)                  # 1 = removed: rank K or later
    return x_visible, mask, ids_restore
