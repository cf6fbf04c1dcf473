def masked_softmax(scores, mask):
    """scores (B, T), mask (B, T) bool (True = real key) -> weights (B, T), rows sum to 1."""
    scores = torch.where(mask, scores, torch.full_like(scores, -1e9))  # exp(-1e9 - max) underflows to 0
    return scores.softmax(-1)
