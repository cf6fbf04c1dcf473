# diagnosis: masked positions still get weight: the mask is applied after the softmax
def masked_softmax(scores, mask):
    """scores (B, T), mask (B, T) bool (True = real key) -> weights (B, T), rows sum to 1."""
    return torch.softmax(scores, dim=-1) * mask
