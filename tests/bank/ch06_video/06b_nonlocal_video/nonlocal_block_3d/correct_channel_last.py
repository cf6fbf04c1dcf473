# Channel-last tokens with movedim: positions in (t, h, w) order, z folded back with unflatten.
class NonLocalBlock3d(nn.Module):
    def __init__(self, *, channels, inner_channels, sub_sample=True):
        super().__init__()
        self.theta = nn.Conv3d(channels, inner_channels, kernel_size=1)  # queries
        self.phi = nn.Conv3d(channels, inner_channels, kernel_size=1)    # keys
        self.g = nn.Conv3d(channels, inner_channels, kernel_size=1)      # values
        self.out = nn.Conv3d(inner_channels, channels, kernel_size=1)    # W_z
        nn.init.zeros_(self.out.weight)  # a new block is the identity
        nn.init.zeros_(self.out.bias)
        self.pool = nn.MaxPool3d(kernel_size=(1, 2, 2)) if sub_sample else nn.Identity()

    def forward(self, x):
        """x (B, C, T, H, W) -> z (B, C, T, H, W), weights (B, T*H*W, T*H'*W')."""
        tokens = lambda f: f.movedim(1, -1).flatten(1, 3)    # (B, C', T, h, w) -> (B, T*h*w, C')
        q = tokens(self.theta(x))
        k = tokens(self.pool(self.phi(x)))
        v = tokens(self.pool(self.g(x)))
        weights = F.softmax(torch.bmm(q, k.transpose(1, 2)), dim=-1)
        y = torch.bmm(weights, v).unflatten(1, x.shape[2:]).movedim(-1, 1)  # (B, C', T, H, W)
        return self.out(y) + x, weights
