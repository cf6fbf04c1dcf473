# diagnosis: the mask is ignored: padded keys get weight
def masked_softmax(scores, mask):
    """scores (B, T), mask (B, T) bool (True = real key) -> weights (B, T), rows sum to 1."""
    return F.softmax(scores, dim=-1)
