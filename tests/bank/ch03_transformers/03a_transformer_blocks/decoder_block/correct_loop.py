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
        sublayers = [
            (lambda h: self.self_attn(h, causal=True), self.ln_1),
            (lambda h: self.cross_attn(h, memory, key_mask=memory_mask), self.ln_2),
            (self.ffn, self.ln_3),
        ]
        for sublayer, norm in sublayers:
            x = x + self.dropout(sublayer(norm(x))) if self.norm_first else norm(x + self.dropout(sublayer(x)))
        return x
