# diagnosis: weights is right but context is the right answer scaled by a constant
def attention_pool(scores, values, mask):
    """scores (B, T), values (B, T, D_v), mask (B, T) -> (context (B, D_v), weights (B, T))."""
    weights = masked_softmax(scores, mask)
    context = (weights.unsqueeze(-1) * values).mean(dim=1)
    return context, weights
