# diagnosis: computes scalar attention (one dot-product weight per neighbour
# visible: fails (y for one point, by the formula)
# Ordinary attention over the neighbours: one dot product per pair, shared by every channel, with the
# position encoding added to the keys and the values; gamma is never used.
class PointTransformerLayer(nn.Module):
    """Point Transformer's vector self-attention (Zhao et al., 2021, Eq. 3-4), names as in the paper."""

    def __init__(self, *, dim):
        super().__init__()
        self.phi, self.psi, self.alpha = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.theta = nn.Sequential(nn.Linear(3, dim), nn.ReLU(), nn.Linear(dim, dim))   # position encoding
        self.gamma = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))  # attention weights

    def forward(self, x, pos, idx):
        """x (B, N, C), pos (B, N, 3), idx (B, N, k) -> (B, N, C)."""
        q = self.phi(x)                                                   # (B, N, C)
        k = index_points(self.psi(x), idx)                                # (B, N, k, C)
        v = index_points(self.alpha(x), idx)                              # (B, N, k, C)
        delta = self.theta(pos.unsqueeze(2) - index_points(pos, idx))    # (B, N, k, C)
        scores = (q.unsqueeze(2) * (k + delta)).sum(-1)                   # (B, N, k)
        attn = torch.softmax(scores, dim=-1)
        return (attn.unsqueeze(-1) * (v + delta)).sum(2)
