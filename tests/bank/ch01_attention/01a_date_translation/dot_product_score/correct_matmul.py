def dot_product_score(query, keys):
    """query (B, H), keys (B, T, H) -> scores (B, T)."""
    return (keys @ query.unsqueeze(-1)).squeeze(-1)  # batched matmul: (B, T, H) @ (B, H, 1)
