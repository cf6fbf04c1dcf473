# diagnosis: none
def scaled_dot_product_score(query, keys):
    """query (B, d_k), keys (B, T, d_k) -> scores (B, T), divided by sqrt(d_k)."""
    return torch.softmax(dot_product_score(query, keys) / math.sqrt(query.shape[-1]), dim=-1)
