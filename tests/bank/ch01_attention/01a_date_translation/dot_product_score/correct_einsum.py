def dot_product_score(query, keys):
    """query (B, H), keys (B, T, H) -> scores (B, T)."""
    return torch.einsum("bh,bth->bt", query, keys)
