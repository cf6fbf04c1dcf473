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
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        P = k.shape[2] - T
        rows = torch.arange(T, device=x.device)[:, None] + P   # absolute position of each query
        cols = torch.arange(P + T, device=x.device)[None, :]
        bias = torch.zeros(T, P + T, device=x.device).masked_fill(cols > rows, float("-inf"))  # (T, P + T)
        if self.fused:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, dropout_p=self.dropout if self.training else 0.0)
        else:
            att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(C // self.n_head) + bias, dim=-1)
            y = self.attn_dropout(att) @ v
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.resid_dropout(self.c_proj(y)), k, v
