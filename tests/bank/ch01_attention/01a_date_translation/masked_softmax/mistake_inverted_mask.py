# diagnosis: the mask is inverted: True marks a valid key, and it is the padded keys that must get 0
def masked_softmax(scores, mask):
    """scores (B, T), mask (B, T) bool (True = real key) -> weights (B, T), rows sum to 1."""
    return torch.softmax(scores.masked_fill(mask, -1e9), dim=-1)
