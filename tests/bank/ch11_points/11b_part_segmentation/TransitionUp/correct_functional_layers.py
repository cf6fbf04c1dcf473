# The Sequential's layers called one by one through a helper (Linear, BN, ReLU by index), the two
# branches stacked and summed.
class TransitionUp(nn.Module):
    """Coarse features through Linear-BN-ReLU, interpolated onto the fine set, plus the fine set's skip features."""

    def __init__(self, *, coarse_dim, fine_dim, out_dim):
        super().__init__()
        self.up = nn.Sequential(nn.Linear(coarse_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU())
        self.skip = nn.Sequential(nn.Linear(fine_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU())

    @staticmethod
    def _apply(block, x):
        linear, norm, relu = block
        return relu(norm(linear(x)))

    def forward(self, x_coarse, pos_coarse, x_fine, pos_fine):
        """x_coarse (B, M, C_coarse), pos_coarse (B, M, 3), x_fine (B, N, C_fine), pos_fine (B, N, 3) -> (B, N, C_out)."""
        branches = [interpolate(pos_fine, pos_coarse, self._apply(self.up, x_coarse)), self._apply(self.skip, x_fine)]
        return torch.stack(branches).sum(0)
