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
        theta, phi, g = self.theta(x), self.phi(x), self.g(x)  # (B, C', H, W) each
        scores = torch.einsum("bchw,bcuv->bhwuv", theta, phi).reshape(B, H * W, H * W)
        weights = scores.softmax(dim=-1)
        y = torch.einsum("bij,bcj->bci", weights, g.reshape(B, -1, H * W)).reshape(B, -1, H, W)
        return x + self.out(y), weights
