# diagnosis: θ embeds the query x_i and φ the keys x_j; yours are swapped
class NonLocalBlock(nn.Module):
    def __init__(self, *, channels, inner_channels):
        super().__init__()
        self.theta = nn.Conv2d(channels, inner_channels, kernel_size=1)  # queries
        self.phi = nn.Conv2d(channels, inner_channels, kernel_size=1)  # keys
        self.g = nn.Conv2d(channels, inner_channels, kernel_size=1)  # values
        self.out = nn.Conv2d(inner_channels, channels, kernel_size=1)  # W_z
        nn.init.zeros_(self.out.weight)  # the block starts as the identity
        nn.init.zeros_(self.out.bias)

    def forward(self, x):
        """x (B, C, H, W) -> z (B, C, H, W), weights (B, H*W, H*W)."""
        B, C, H, W = x.shape
        q = self.phi(x).flatten(2).transpose(1, 2)  # (B, HW, C')
        k = self.theta(x).flatten(2)  # (B, C', HW)
        v = self.g(x).flatten(2).transpose(1, 2)  # (B, HW, C')
        weights = torch.softmax(q @ k, dim=-1)
        y = (weights @ v).transpose(1, 2).reshape(B, -1, H, W)
        return self.out(y) + x, weights
