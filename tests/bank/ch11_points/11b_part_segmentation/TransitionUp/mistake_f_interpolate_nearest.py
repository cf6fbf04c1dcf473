# diagnosis: resizes the coarse features along the point axis with F.interpolate (mode='nearest')
# visible: fails (at the coarse points: their own features plus the skip)
# Upsampling as in an image decoder: the coarse features stretched from M to N along the point axis
# with F.interpolate (its default mode, 'nearest').  A point cloud's order is arbitrary, so the
# coarse point whose features a fine point gets has nothing to do with where the two lie.
class TransitionUp(nn.Module):
    """Coarse features through Linear-BN-ReLU, interpolated onto the fine set, plus the fine set's skip features."""

    def __init__(self, *, coarse_dim, fine_dim, out_dim):
        super().__init__()
        self.up = nn.Sequential(nn.Linear(coarse_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU())
        self.skip = nn.Sequential(nn.Linear(fine_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU())

    def forward(self, x_coarse, pos_coarse, x_fine, pos_fine):
        """x_coarse (B, M, C_coarse), pos_coarse (B, M, 3), x_fine (B, N, C_fine), pos_fine (B, N, 3) -> (B, N, C_out)."""
        coarse = self.up(x_coarse).transpose(1, 2)                            # (B, C_out, M)
        upsampled = F.interpolate(coarse, size=x_fine.shape[1]).transpose(1, 2)   # (B, N, C_out)
        return upsampled + self.skip(x_fine)
