# diagnosis: computes scaled dot-product attention (one weight per neighbour
# visible: fails (y for one point, by the formula)
# The transformer's scaled dot-product attention, restricted to the neighbours: one weight per pair
# divided by sqrt(C), where vector attention gives every channel its own weight through gamma.
class PointTransformerLayer(nn.Module):
    """Point Transformer's vector self-attention (Zhao et al., 2021, Eq. 3-4), names as in the paper."""

    def __init__(self, *, dim):
        super().__init__()
        self.phi, self.psi, self.alpha = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.theta = nn.Sequential(nn.Linear(3, dim), nn.ReLU(), nn.Linear(dim, dim))   # position encoding
        self.gamma = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))  # attention weights

    def forward(self, x, pos, idx):
        """x (B, N, C), pos (B, N, 3), idx (B, N, k) -> (B, N, C)."""
        C = x.shape[-1]
        delta = self.theta(pos[:, :, None] - index_points(pos, idx))
        keys = index_points(self.psi(x), idx) + delta
        scores = torch.einsum("bnc,bnkc->bnk", self.phi(x), keys) / C ** 0.5
        values = index_points(self.alpha(x), idx) + delta
        return torch.einsum("bnk,bnkc->bnc", scores.softmax(-1), values)
