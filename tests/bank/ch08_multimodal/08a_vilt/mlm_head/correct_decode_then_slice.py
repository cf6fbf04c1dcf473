# Every position decoded (a linear layer and LayerNorm act per token), the text positions kept afterwards:
# more work, the same values.
class MLMHead(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        c = as_config(config)
        self.transform = nn.Sequential(nn.Linear(c.dim, c.dim), nn.GELU(), nn.LayerNorm(c.dim))
        self.decoder = nn.Linear(c.dim, c.vocab_size)

    def forward(self, x, n_text):
        """x (B, T, D), text first -> word logits (B, n_text, V) at the text positions."""
        logits = self.decoder(self.transform(x))   # (B, T, V)
        return logits[:, :n_text]
