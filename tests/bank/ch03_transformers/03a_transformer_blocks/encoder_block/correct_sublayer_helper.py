class EncoderBlock(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        cfg = as_config(config)
        self.norm_first = cfg.norm_first
        self.attn = MultiHeadAttention(config=cfg)
        self.ln_1 = LayerNorm(dim=cfg.d_model)
        self.ffn = FeedForward(config=cfg)
        self.ln_2 = LayerNorm(dim=cfg.d_model)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x, mask):
        """x (B, S, C), mask (B, S) bool, True = real token -> (B, S, C)."""
        def add_norm(x, sublayer, norm):
            if self.norm_first:
                return x + self.dropout(sublayer(norm(x)))
            return norm(x + self.dropout(sublayer(x)))

        x = add_norm(x, lambda h: self.attn(h, key_mask=mask), self.ln_1)
        return add_norm(x, self.ffn, self.ln_2)
