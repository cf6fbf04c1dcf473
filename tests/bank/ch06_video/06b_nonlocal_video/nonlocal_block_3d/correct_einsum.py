# The affinity and the weighted sum with einsum, channels first throughout.
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
        theta = self.theta(x).flatten(2)                      # (B, C', THW)
        phi = self.pool(self.phi(x)).flatten(2)               # (B, C', TH'W')
        g = self.pool(self.g(x)).flatten(2)                   # (B, C', TH'W')
        weights = torch.einsum("bci,bcj->bij", theta, phi).softmax(dim=2)
        y = torch.einsum("bij,bcj->bci", weights, g)          # (B, C', THW)
        return x + self.out(y.view(*y.shape[:2], *x.shape[2:])), weights
