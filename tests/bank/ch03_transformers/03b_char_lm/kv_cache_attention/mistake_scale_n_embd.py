# diagnosis: the scores are scaled by 1/sqrt(n_embd)
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
        dropout_p = self.dropout if self.training else 0.0
        if self.fused and k.size(2) == T:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p, is_causal=True, scale=1 / math.sqrt(C))
        else:
            allowed = torch.ones(T, k.size(2), dtype=torch.bool, device=x.device).tril(diagonal=k.size(2) - T)
            if self.fused:
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, dropout_p=dropout_p, scale=1 / math.sqrt(C))
            else:
                att = (q @ k.transpose(-2, -1)) / math.sqrt(C)
                att = att.masked_fill(~allowed, float("-inf"))
                y = self.attn_dropout(F.softmax(att, dim=-1)) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y)), k, v
