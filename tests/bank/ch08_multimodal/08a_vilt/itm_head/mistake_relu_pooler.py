# diagnosis: uses ReLU in the pooler
# visible: fails (logits from the text's [CLS])
# The transformer's MLP activation habit; BERT's pooler squashes with tanh.
class ITMHead(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        c = as_config(config)
        self.pooler = nn.Linear(c.dim, c.dim)
        self.fc = nn.Linear(c.dim, 2)  # (no match, match)

    def forward(self, x):
        """x (B, T, D), the text's [CLS] at position 0 -> logits (B, 2): (no match, match)."""
        return self.fc(F.relu(self.pooler(x[:, 0])))
