# diagnosis: average-pools the keys and values
# visible: fails (the weights of position (1, 2, 3))
# The sub-sampling written by hand with F.avg_pool3d instead of the given self.pool.
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
        B, C, T, H, W = x.shape
        sub = isinstance(self.pool, nn.MaxPool3d)
        keys, values = self.phi(x), self.g(x)
        if sub:
            keys, values = F.avg_pool3d(keys, (1, 2, 2)), F.avg_pool3d(values, (1, 2, 2))
        q = self.theta(x).flatten(2).transpose(1, 2)           # (B, THW, C')
        weights = (q @ keys.flatten(2)).softmax(-1)            # (B, THW, TH'W')
        y = weights @ values.flatten(2).transpose(1, 2)        # (B, THW, C')
        y = y.transpose(1, 2).reshape(B, -1, T, H, W)
        return x + self.out(y), weights
