# diagnosis: the layer norm is applied to the sub-layer's output only
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
            x = x + self.dropout(self.attn(self.ln_1(x), key_mask=mask))
            x = x + self.dropout(self.ffn(self.ln_2(x)))
            return x
        x = x + self.ln_1(self.dropout(self.attn(x, key_mask=mask)))
        x = x + self.ln_2(self.dropout(self.ffn(x)))
        return x
