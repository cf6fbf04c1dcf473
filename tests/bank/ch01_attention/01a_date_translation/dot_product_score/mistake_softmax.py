# diagnosis: you returned softmax weights, not raw scores
def dot_product_score(query, keys):
    """query (B, H), keys (B, T, H) -> scores (B, T)."""
    scores = torch.bmm(keys, query.unsqueeze(-1)).squeeze(-1)
    return torch.softmax(scores, dim=-1)
