# diagnosis: none
def dot_product_score(query, keys):
    """query (B, H), keys (B, T, H) -> scores (B, T)."""
    return -((keys - query.unsqueeze(1)) ** 2).sum(dim=-1)  # similar = close
