# diagnosis: returns the weights transposed
# visible: fails (the shape of the weights is checked)
# Keys as rows: the affinity computed as phi^T theta, normalised over the keys (dim 1), and used as
# A^T.  z is right; the weights come back one column per query.
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
        theta = self.theta(x).flatten(2)              # (B, C', THW)
        phi = self.pool(self.phi(x)).flatten(2)       # (B, C', TH'W')
        g = self.pool(self.g(x)).flatten(2)           # (B, C', TH'W')
        att = torch.softmax(phi.transpose(1, 2) @ theta, dim=1)  # (B, TH'W', THW): one column per query
        y = (g @ att).reshape(B, -1, T, H, W)         # (B, C', T, H, W)
        return self.out(y) + x, att
