# diagnosis: finds the neighbours itself (knn(pos, pos, k)) instead of using the given idx
# The neighbourhoods recomputed inside the layer with knn, which is what the network passes anyway:
# the layer must attend over the lists it is given (any lists, repeated neighbours included).
class PointTransformerLayer(nn.Module):
    """Point Transformer's vector self-attention (Zhao et al., 2021, Eq. 3-4), names as in the paper."""

    def __init__(self, *, dim):
        super().__init__()
        self.phi, self.psi, self.alpha = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.theta = nn.Sequential(nn.Linear(3, dim), nn.ReLU(), nn.Linear(dim, dim))   # position encoding
        self.gamma = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))  # attention weights

    def forward(self, x, pos, idx):
        """x (B, N, C), pos (B, N, 3), idx (B, N, k) -> (B, N, C)."""
        idx = knn(pos, pos, idx.shape[-1])
        query, key, value = self.phi(x), self.psi(x), self.alpha(x)
        delta = self.theta(pos[:, :, None] - index_points(pos, idx))
        weights = self.gamma(query[:, :, None] - index_points(key, idx) + delta).softmax(dim=2)
        return (weights * (index_points(value, idx) + delta)).sum(dim=2)
