# The pooler applied to every token (a linear layer acts per token) and the first row read after it;
# tanh from the functional namespace.
class ITMHead(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        c = as_config(config)
        self.pooler = nn.Linear(c.dim, c.dim)
        self.fc = nn.Linear(c.dim, 2)  # (no match, match)

    def forward(self, x):
        """x (B, T, D), the text's [CLS] at position 0 -> logits (B, 2): (no match, match)."""
        pooled = F.tanh(self.pooler(x))   # (B, T, D)
        return self.fc(pooled[:, 0])
