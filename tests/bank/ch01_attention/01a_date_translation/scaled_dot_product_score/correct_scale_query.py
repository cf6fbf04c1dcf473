def scaled_dot_product_score(query, keys):
    """query (B, d_k), keys (B, T, d_k) -> scores (B, T), divided by sqrt(d_k)."""
    d_k = query.shape[-1]
    return dot_product_score(query / d_k ** 0.5, keys)  # scaling the query scales every score
