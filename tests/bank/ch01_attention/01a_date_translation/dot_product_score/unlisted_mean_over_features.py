# diagnosis: scores is the right answer scaled by a constant
def dot_product_score(query, keys):
    """query (B, H), keys (B, T, H) -> scores (B, T)."""
    return (keys * query.unsqueeze(1)).mean(dim=-1)
