# One step a line, with the intermediate tensors named and k written out (the default).
class TransitionUp(nn.Module):
    """Coarse features through Linear-BN-ReLU, interpolated onto the fine set, plus the fine set's skip features."""

    def __init__(self, *, coarse_dim, fine_dim, out_dim):
        super().__init__()
        self.up = nn.Sequential(nn.Linear(coarse_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU())
        self.skip = nn.Sequential(nn.Linear(fine_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU())

    def forward(self, x_coarse, pos_coarse, x_fine, pos_fine):
        """x_coarse (B, M, C_coarse), pos_coarse (B, M, 3), x_fine (B, N, C_fine), pos_fine (B, N, 3) -> (B, N, C_out)."""
        coarse = self.up(x_coarse)                                         # (B, M, C_out) at the coarse points
        upsampled = interpolate(pos_fine=pos_fine, pos_coarse=pos_coarse, features=coarse, k=3)  # (B, N, C_out)
        skipped = self.skip(x_fine)                                        # (B, N, C_out) at the fine points
        out = skipped.clone()
        out += upsampled                                                   # in place on a tensor of its own
        return out
