def additive_score(query, keys, W_q, W_k, v):
    """query (B, H_q), keys (B, T, H_k), W_q (A, H_q), W_k (A, H_k), v (A,) -> scores (B, T)."""
    hidden = torch.tanh(F.linear(keys, W_k) + F.linear(query, W_q)[:, None, :])  # (B, T, A)
    return F.linear(hidden, v[None]).squeeze(-1)  # v as a (1, A) weight -> (B, T, 1)
