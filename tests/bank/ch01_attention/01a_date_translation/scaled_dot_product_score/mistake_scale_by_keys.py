# diagnosis: you scaled by the number of keys T instead of the feature size d_k
def scaled_dot_product_score(query, keys):
    """query (B, d_k), keys (B, T, d_k) -> scores (B, T), divided by sqrt(d_k)."""
    return dot_product_score(query, keys) / math.sqrt(keys.shape[1])
