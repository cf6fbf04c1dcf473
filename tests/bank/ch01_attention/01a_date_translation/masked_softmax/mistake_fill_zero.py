# diagnosis: masked scores were set to 0 instead of -inf, so padded keys still get weight
def masked_softmax(scores, mask):
    """scores (B, T), mask (B, T) bool (True = real key) -> weights (B, T), rows sum to 1."""
    return torch.softmax(scores * mask, dim=-1)
