# diagnosis: raised RuntimeError: usually shapes that do not fit: W_q is
def additive_score(query, keys, W_q, W_k, v):
    """query (B, H_q), keys (B, T, H_k), W_q (A, H_q), W_k (A, H_k), v (A,) -> scores (B, T)."""
    features = torch.tanh((query @ W_k.T).unsqueeze(1) + keys @ W_q.T)
    return features @ v
