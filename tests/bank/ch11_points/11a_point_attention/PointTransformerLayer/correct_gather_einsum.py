# Neighbours gathered with torch.gather on indices expanded over the channels, the relative
# positions by torch.gather too, and the weighted sum as an einsum.
class PointTransformerLayer(nn.Module):
    """Point Transformer's vector self-attention (Zhao et al., 2021, Eq. 3-4), names as in the paper."""

    def __init__(self, *, dim):
        super().__init__()
        self.phi, self.psi, self.alpha = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.theta = nn.Sequential(nn.Linear(3, dim), nn.ReLU(), nn.Linear(dim, dim))   # position encoding
        self.gamma = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))  # attention weights

    def forward(self, x, pos, idx):
        """x (B, N, C), pos (B, N, 3), idx (B, N, k) -> (B, N, C)."""
        B, N, k = idx.shape
        C = x.shape[-1]

        def neighbours(t):                                                # (B, N, D) -> (B, N, k, D)
            flat = idx.reshape(B, N * k, 1).expand(-1, -1, t.shape[-1])
            return torch.gather(t, 1, flat).reshape(B, N, k, t.shape[-1])

        rel = pos.unsqueeze(2) - neighbours(pos)                          # p_i - p_j
        delta = self.theta(rel)
        logits = self.gamma(self.phi(x).unsqueeze(2) - neighbours(self.psi(x)) + delta)
        attn = torch.softmax(logits, dim=-2)                              # the k axis, per channel
        return torch.einsum("bnkc,bnkc->bnc", attn, neighbours(self.alpha(x)) + delta)
