# diagnosis: the rows of the attention weights should sum to
def masked_softmax(scores, mask):
    """scores (B, T), mask (B, T) bool (True = real key) -> weights (B, T), rows sum to 1."""
    e = torch.exp(scores - scores.max()) * mask
    return e / e.sum()
