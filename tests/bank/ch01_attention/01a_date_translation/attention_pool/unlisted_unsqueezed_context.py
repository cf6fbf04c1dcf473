# diagnosis: context has shape
def attention_pool(scores, values, mask):
    """scores (B, T), values (B, T, D_v), mask (B, T) -> (context (B, D_v), weights (B, T))."""
    weights = masked_softmax(scores, mask)
    context = torch.bmm(values.transpose(1, 2), weights.unsqueeze(-1))  # (B, D_v, 1)
    return context, weights
