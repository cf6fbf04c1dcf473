# diagnosis: number the positions row by row (x.flatten(2))
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
        xt = x.transpose(2, 3)  # (B, C, W, H): positions numbered column by column
        q = self.theta(xt).flatten(2).transpose(1, 2)
        k = self.phi(xt).flatten(2)
        v = self.g(xt).flatten(2).transpose(1, 2)
        weights = torch.softmax(q @ k, dim=-1)
        y = (weights @ v).transpose(1, 2).reshape(B, -1, W, H).transpose(2, 3)
        return self.out(y) + x, weights
