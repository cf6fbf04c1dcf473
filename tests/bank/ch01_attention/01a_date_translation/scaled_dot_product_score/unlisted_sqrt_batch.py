# diagnosis: scores is the right answer scaled by a constant
def scaled_dot_product_score(query, keys):
    """query (B, d_k), keys (B, T, d_k) -> scores (B, T), divided by sqrt(d_k)."""
    return dot_product_score(query, keys) / math.sqrt(query.shape[0])
