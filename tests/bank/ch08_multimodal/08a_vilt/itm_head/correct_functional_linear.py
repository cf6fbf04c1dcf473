# The two layers as F.linear on their parameters, the first token taken with select.
class ITMHead(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        c = as_config(config)
        self.pooler = nn.Linear(c.dim, c.dim)
        self.fc = nn.Linear(c.dim, 2)  # (no match, match)

    def forward(self, x):
        """x (B, T, D), the text's [CLS] at position 0 -> logits (B, 2): (no match, match)."""
        cls = x.select(1, 0)                                             # (B, D)
        h = torch.tanh(F.linear(cls, self.pooler.weight, self.pooler.bias))
        return h @ self.fc.weight.T + self.fc.bias
