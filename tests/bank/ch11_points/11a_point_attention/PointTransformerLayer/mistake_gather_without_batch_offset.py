# diagnosis: is not permutation-equivariant
# visible: fails (y for one point, by the formula)
# The neighbours gathered from the flattened batch, (B * N, C)[idx], without adding b * N to the
# indices of cloud b: every cloud takes its neighbours' features and positions from cloud 0.
class PointTransformerLayer(nn.Module):
    """Point Transformer's vector self-attention (Zhao et al., 2021, Eq. 3-4), names as in the paper."""

    def __init__(self, *, dim):
        super().__init__()
        self.phi, self.psi, self.alpha = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.theta = nn.Sequential(nn.Linear(3, dim), nn.ReLU(), nn.Linear(dim, dim))   # position encoding
        self.gamma = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))  # attention weights

    def gather(self, values, idx):
        return values.reshape(-1, values.shape[-1])[idx]                  # (B, N, k, C)

    def forward(self, x, pos, idx):
        """x (B, N, C), pos (B, N, 3), idx (B, N, k) -> (B, N, C)."""
        query, key, value = self.phi(x), self.psi(x), self.alpha(x)
        delta = self.theta(pos[:, :, None] - self.gather(pos, idx))
        weights = self.gamma(query[:, :, None] - self.gather(key, idx) + delta).softmax(dim=2)
        return (weights * (self.gather(value, idx) + delta)).sum(dim=2)
