def self_attention(x, W_q, W_k, W_v, mask=None):
    """x (B, T, D); W_q, W_k (D, d_k); W_v (D, d_v); mask None or bool, broadcastable to (B, T, T),
    True where query i may attend to key j -> (out (B, T, d_v), weights (B, T, T))."""
    q, k, v = x @ W_q, x @ W_k, x @ W_v
    scores = torch.bmm(q, k.transpose(1, 2)) / math.sqrt(W_k.shape[1])
    if mask is None:
        mask = torch.ones_like(scores, dtype=torch.bool)
    mask = mask.expand_as(scores)
    scores = scores.masked_fill(~mask, -1e9)  # finite: exp underflows to exactly 0
    e = torch.exp(scores - scores.max(dim=-1, keepdim=True).values) * mask
    weights = e / e.sum(dim=-1, keepdim=True)
    return torch.bmm(weights, v), weights
