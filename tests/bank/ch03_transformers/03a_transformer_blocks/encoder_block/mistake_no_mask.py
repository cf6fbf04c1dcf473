# diagnosis: the padding mask is not passed to the self-attention
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
        if self.norm_first:
            x = x + self.dropout(self.attn(self.ln_1(x)))
            x = x + self.dropout(self.ffn(self.ln_2(x)))
        else:
            x = self.ln_1(x + self.dropout(self.attn(x)))
            x = self.ln_2(x + self.dropout(self.ffn(x)))
        return x
