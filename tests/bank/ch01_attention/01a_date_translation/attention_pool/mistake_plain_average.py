# diagnosis: the context is a plain average of the valid values: the weights are not used
def attention_pool(scores, values, mask):
    """scores (B, T), values (B, T, D_v), mask (B, T) -> (context (B, D_v), weights (B, T))."""
    weights = masked_softmax(scores, mask)
    context = (values * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
    return context, weights
