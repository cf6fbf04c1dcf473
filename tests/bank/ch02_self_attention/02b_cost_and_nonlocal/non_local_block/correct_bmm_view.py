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
        n = H * W
        theta = self.theta(x).view(B, -1, n).permute(0, 2, 1)  # (B, n, C')
        phi = self.phi(x).view(B, -1, n)  # (B, C', n)
        g = self.g(x).view(B, -1, n).permute(0, 2, 1)  # (B, n, C')
        f = torch.bmm(theta, phi)
        f = torch.exp(f - f.max(dim=-1, keepdim=True).values)
        weights = f / f.sum(dim=-1, keepdim=True)  # 1/C(x) * f
        y = torch.bmm(weights, g).permute(0, 2, 1).contiguous().view(B, -1, H, W)
        return self.out(y) + x, weights
