# diagnosis: the paper's FFN uses ReLU, not GELU
class FeedForward(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        cfg = as_config(config)
        self.c_fc = nn.Linear(cfg.d_model, cfg.d_ff)
        self.c_proj = nn.Linear(cfg.d_ff, cfg.d_model)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x):
        """x (B, T, C) -> (B, T, C): the same network at every position."""
        return self.c_proj(self.dropout(F.gelu(self.c_fc(x))))
