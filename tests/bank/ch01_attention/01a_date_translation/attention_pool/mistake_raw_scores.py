# diagnosis: the context uses the raw scores instead of the softmax weights
def attention_pool(scores, values, mask):
    """scores (B, T), values (B, T, D_v), mask (B, T) -> (context (B, D_v), weights (B, T))."""
    weights = masked_softmax(scores, mask)
    context = torch.bmm(scores.unsqueeze(1), values).squeeze(1)
    return context, weights
