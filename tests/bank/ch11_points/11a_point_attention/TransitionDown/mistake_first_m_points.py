# diagnosis: takes the first m points as the centres
# visible: fails (pos_new: the FPS centres)
# "The order of the points is random anyway": the first m points kept as centres, without farthest
# point sampling, so the centres crowd where the points are dense.
class TransitionDown(nn.Module):
    """FPS to m centres, kNN grouping among all points, a shared Linear-BN-ReLU, max pooling."""

    def __init__(self, *, in_dim, out_dim, k):
        super().__init__()
        self.k = k
        self.mlp = nn.Sequential(nn.Linear(3 + in_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU())

    def forward(self, x, pos, m):
        """x (B, N, C_in), pos (B, N, 3) -> (x_new (B, m, C_out), pos_new (B, m, 3))."""
        centres = pos[:, :m]                                              # (B, m, 3)
        idx = knn(centres, pos, self.k)
        grouped = torch.cat([index_points(pos, idx) - centres[:, :, None], index_points(x, idx)], -1)
        return self.mlp(grouped).max(dim=2).values, centres
