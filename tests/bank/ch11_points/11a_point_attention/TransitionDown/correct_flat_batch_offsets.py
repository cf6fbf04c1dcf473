# The neighbourhoods flattened to (B * m * k, 3 + C_in) rows with batch offsets, the layer run on the
# rows, and the maximum taken after reshaping back to (B, m, k, C_out).
class TransitionDown(nn.Module):
    """FPS to m centres, kNN grouping among all points, a shared Linear-BN-ReLU, max pooling."""

    def __init__(self, *, in_dim, out_dim, k):
        super().__init__()
        self.k = k
        self.mlp = nn.Sequential(nn.Linear(3 + in_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU())

    def forward(self, x, pos, m):
        """x (B, N, C_in), pos (B, N, 3) -> (x_new (B, m, C_out), pos_new (B, m, 3))."""
        B, N, C_in = x.shape
        offset = N * torch.arange(B).view(B, 1)
        flat_pos, flat_x = pos.reshape(B * N, 3), x.reshape(B * N, C_in)
        pos_new = flat_pos[farthest_point_sample(pos, m) + offset]                       # (B, m, 3)
        nbr = knn(pos_new, pos, self.k) + offset.view(B, 1, 1)                            # (B, m, k) into B * N rows
        rows = torch.cat([flat_pos[nbr] - pos_new[:, :, None, :], flat_x[nbr]], dim=-1)
        out = self.mlp(rows.reshape(-1, 3 + C_in)).reshape(B, m, self.k, -1)
        x_new, _ = out.max(dim=2)
        return x_new, pos_new
