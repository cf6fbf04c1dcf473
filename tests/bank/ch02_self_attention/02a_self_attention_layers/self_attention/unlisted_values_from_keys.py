# diagnosis: out has shape
def self_attention(x, W_q, W_k, W_v, mask=None):
    """x (B, T, D); W_q, W_k (D, d_k); W_v (D, d_v); mask None or bool, broadcastable to (B, T, T),
    True where query i may attend to key j -> (out (B, T, d_v), weights (B, T, T))."""
    q, k = x @ W_q, x @ W_k
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ k, weights  # the keys again, as the values
