# torch.gather on indices expanded over the channels for the centres, the neighbours' positions and
# features; the layer's three parts called one by one, and amax for the pooling.
class TransitionDown(nn.Module):
    """FPS to m centres, kNN grouping among all points, a shared Linear-BN-ReLU, max pooling."""

    def __init__(self, *, in_dim, out_dim, k):
        super().__init__()
        self.k = k
        self.mlp = nn.Sequential(nn.Linear(3 + in_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU())

    def forward(self, x, pos, m):
        """x (B, N, C_in), pos (B, N, 3) -> (x_new (B, m, C_out), pos_new (B, m, 3))."""
        B = pos.shape[0]
        k = self.k
        centre_idx = farthest_point_sample(pos, m)                                        # (B, m)
        pos_new = torch.gather(pos, 1, centre_idx.unsqueeze(-1).expand(B, m, 3))
        idx = knn(pos_new, pos, k).reshape(B, m * k, 1)                                   # (B, m * k, 1)
        pos_j = torch.gather(pos, 1, idx.expand(-1, -1, 3)).reshape(B, m, k, 3)
        x_j = torch.gather(x, 1, idx.expand(-1, -1, x.shape[-1])).reshape(B, m, k, -1)
        h = torch.cat((pos_j - pos_new.unsqueeze(2), x_j), dim=3)
        linear, norm, act = self.mlp
        h = act(norm(linear(h)))
        return torch.amax(h, dim=2), pos_new
