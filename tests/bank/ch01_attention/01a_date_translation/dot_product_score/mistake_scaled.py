# diagnosis: your scores are divided by √d: that is the scaled score of the next task
def dot_product_score(query, keys):
    """query (B, H), keys (B, T, H) -> scores (B, T)."""
    return torch.bmm(keys, query.unsqueeze(-1)).squeeze(-1) / math.sqrt(query.shape[-1])
