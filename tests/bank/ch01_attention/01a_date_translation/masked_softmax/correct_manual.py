def masked_softmax(scores, mask):
    """scores (B, T), mask (B, T) bool (True = real key) -> weights (B, T), rows sum to 1."""
    shifted = scores - scores.max(dim=-1, keepdim=True).values  # exp never overflows
    e = torch.exp(shifted) * mask  # padded keys contribute exactly 0
    return e / e.sum(dim=-1, keepdim=True)
