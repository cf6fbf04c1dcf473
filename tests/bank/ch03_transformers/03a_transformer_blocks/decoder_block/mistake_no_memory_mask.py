# diagnosis: the memory padding mask is not passed to the cross-attention
class DecoderBlock(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        cfg = as_config(config)
        self.norm_first = cfg.norm_first
        self.self_attn = MultiHeadAttention(config=cfg)
        self.ln_1 = LayerNorm(dim=cfg.d_model)
        self.cross_attn = MultiHeadAttention(config=cfg)
        self.ln_2 = LayerNorm(dim=cfg.d_model)
        self.ffn = FeedForward(config=cfg)
        self.ln_3 = LayerNorm(dim=cfg.d_model)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x, memory, memory_mask):
        """x (B, T, C) target stream, memory (B, S, C) encoder output, memory_mask (B, S) bool -> (B, T, C)."""
        if self.norm_first:
            x = x + self.dropout(self.self_attn(self.ln_1(x), causal=True))
            x = x + self.dropout(self.cross_attn(self.ln_2(x), memory))
            x = x + self.dropout(self.ffn(self.ln_3(x)))
        else:
            x = self.ln_1(x + self.dropout(self.self_attn(x, causal=True)))
            x = self.ln_2(x + self.dropout(self.cross_attn(x, memory)))
            x = self.ln_3(x + self.dropout(self.ffn(x)))
        return x
