def self_attention(x, W_q, W_k, W_v, mask=None):
    """x (B, T, D); W_q, W_k (D, d_k); W_v (D, d_v); mask None or bool, broadcastable to (B, T, T),
    True where query i may attend to key j -> (out (B, T, d_v), weights (B, T, T))."""
    q = torch.einsum("btd,dk->btk", x, W_q)
    k = torch.einsum("btd,dk->btk", x, W_k)
    v = torch.einsum("btd,dv->btv", x, W_v)
    scores = torch.einsum("bik,bjk->bij", q, k) / q.shape[-1] ** 0.5
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf")))
    weights = torch.softmax(scores, dim=-1)
    return torch.einsum("bij,bjv->biv", weights, v), weights
