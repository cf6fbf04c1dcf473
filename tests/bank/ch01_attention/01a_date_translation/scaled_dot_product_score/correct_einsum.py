def scaled_dot_product_score(query, keys):
    """query (B, d_k), keys (B, T, d_k) -> scores (B, T), divided by sqrt(d_k)."""
    return torch.einsum("bd,btd->bt", query, keys) * keys.shape[-1] ** -0.5
