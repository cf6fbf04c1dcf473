def dot_product_score(query, keys):
    """query (B, H), keys (B, T, H) -> scores (B, T)."""
    return (keys * query[:, None, :]).sum(-1)  # broadcast the query over the T keys
