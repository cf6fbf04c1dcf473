class CausalSelfAttention(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        cfg = as_config(config)
        assert cfg.n_embd % cfg.n_head == 0
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=cfg.bias)  # q, k, v for all heads at once
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.attn_dropout = nn.Dropout(cfg.dropout)
        self.resid_dropout = nn.Dropout(cfg.dropout)
        self.n_head, self.n_embd, self.dropout, self.fused = cfg.n_head, cfg.n_embd, cfg.dropout, cfg.fused

    def forward(self, x, past_k=None, past_v=None):
        """x (B, T, C) new positions; past_k, past_v (B, nh, P, hs) or None
        -> y (B, T, C), k and v (B, nh, P + T, hs)."""
        B, T, C = x.shape
        hs = C // self.n_head
        q, k, v = (t.reshape(B, T, self.n_head, hs).permute(0, 2, 1, 3) for t in self.c_attn(x).chunk(3, dim=-1))
        if past_k is not None:
            k, v = torch.cat((past_k, k), 2), torch.cat((past_v, v), 2)
        P = k.shape[2] - T
        allowed = torch.ones(T, P + T, dtype=torch.bool, device=x.device).tril(P)
        if self.fused:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, dropout_p=self.dropout if self.training else 0.0)
        else:
            scores = torch.einsum("bhtd,bhsd->bhts", q, k) / hs ** 0.5
            weights = self.attn_dropout(scores.masked_fill(~allowed, -torch.inf).softmax(-1))
            y = torch.einsum("bhts,bhsd->bhtd", weights, v)
        y = y.permute(0, 2, 1, 3).reshape(B, T, C)
        return self.resid_dropout(self.c_proj(y)), k, v
