# diagnosis: the mask is ignored: padded keys get weight
def attention_pool(scores, values, mask):
    """scores (B, T), values (B, T, D_v), mask (B, T) -> (context (B, D_v), weights (B, T))."""
    weights = torch.softmax(scores, dim=-1)
    context = torch.bmm(weights.unsqueeze(1), values).squeeze(1)
    return context, weights
