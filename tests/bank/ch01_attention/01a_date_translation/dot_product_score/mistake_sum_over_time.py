# diagnosis: you summed over the time axis instead of the feature axis
def dot_product_score(query, keys):
    """query (B, H), keys (B, T, H) -> scores (B, T)."""
    return (keys * query.unsqueeze(1)).sum(dim=1)
