def additive_score(query, keys, W_q, W_k, v):
    """query (B, H_q), keys (B, T, H_k), W_q (A, H_q), W_k (A, H_k), v (A,) -> scores (B, T)."""
    q = torch.einsum("ah,bh->ba", W_q, query)  # (B, A), once per sequence
    k = torch.einsum("ah,bth->bta", W_k, keys)  # (B, T, A)
    return torch.einsum("bta,a->bt", torch.tanh(q[:, None] + k), v)
