def attention_pool(scores, values, mask):
    """scores (B, T), values (B, T, D_v), mask (B, T) -> (context (B, D_v), weights (B, T))."""
    weights = masked_softmax(scores, mask)  # (B, T)
    context = (weights.unsqueeze(-1) * values).sum(dim=1)  # (B, T, 1) * (B, T, D_v), summed over T
    return context, weights
