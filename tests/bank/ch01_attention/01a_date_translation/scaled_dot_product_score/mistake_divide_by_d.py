# diagnosis: you divided by d_k instead of √d_k
def scaled_dot_product_score(query, keys):
    """query (B, d_k), keys (B, T, d_k) -> scores (B, T), divided by sqrt(d_k)."""
    d_k = query.shape[-1]
    return dot_product_score(query, keys) / d_k
