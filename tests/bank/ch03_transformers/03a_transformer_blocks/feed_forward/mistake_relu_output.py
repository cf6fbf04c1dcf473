# diagnosis: there is a ReLU after the second linear layer too
class FeedForward(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        cfg = as_config(config)
        self.c_fc = nn.Linear(cfg.d_model, cfg.d_ff)
        self.c_proj = nn.Linear(cfg.d_ff, cfg.d_model)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x):
        """x (B, T, C) -> (B, T, C): the same network at every position."""
        return F.relu(self.c_proj(self.dropout(F.relu(self.c_fc(x)))))
