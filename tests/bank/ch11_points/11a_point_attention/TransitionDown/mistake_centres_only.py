# diagnosis: searches the neighbours among the sampled centres only
# visible: fails (x_new for one centre)
# The points subsampled first and everything done on the centres: each centre's k neighbours are
# found among the m centres, where they should come from all N points of the stage.
class TransitionDown(nn.Module):
    """FPS to m centres, kNN grouping among all points, a shared Linear-BN-ReLU, max pooling."""

    def __init__(self, *, in_dim, out_dim, k):
        super().__init__()
        self.k = k
        self.mlp = nn.Sequential(nn.Linear(3 + in_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU())

    def forward(self, x, pos, m):
        """x (B, N, C_in), pos (B, N, 3) -> (x_new (B, m, C_out), pos_new (B, m, 3))."""
        keep = farthest_point_sample(pos, m)
        pos_c, x_c = index_points(pos, keep), index_points(x, keep)        # (B, m, 3), (B, m, C_in)
        idx = knn(pos_c, pos_c, self.k)                                    # (B, m, k) into the centres
        rel = index_points(pos_c, idx) - pos_c.unsqueeze(2)
        feats = self.mlp(torch.cat([rel, index_points(x_c, idx)], dim=-1))
        return feats.max(dim=2).values, pos_c
