# The transform's three layers unrolled with narrow for the text and the decoder as a matrix product.
class MLMHead(nn.Module):
    def __init__(self, *, config):
        super().__init__()
        c = as_config(config)
        self.transform = nn.Sequential(nn.Linear(c.dim, c.dim), nn.GELU(), nn.LayerNorm(c.dim))
        self.decoder = nn.Linear(c.dim, c.vocab_size)

    def forward(self, x, n_text):
        """x (B, T, D), text first -> word logits (B, n_text, V) at the text positions."""
        linear, gelu, norm = self.transform
        h = norm(gelu(linear(x.narrow(1, 0, n_text))))
        return torch.matmul(h, self.decoder.weight.t()) + self.decoder.bias
