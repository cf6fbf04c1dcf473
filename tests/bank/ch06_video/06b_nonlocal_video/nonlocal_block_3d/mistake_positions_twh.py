# diagnosis: flattens the positions as (T, W, H)
# visible: fails (the weights of position (1, 2, 3))
# Channel-last tokens made with permute(0, 2, 4, 3, 1): W before H.  z is put back the same way and
# is right; the weights' rows and columns are numbered in the wrong order.
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
        tokens = lambda f: f.permute(0, 2, 4, 3, 1).reshape(B, -1, f.shape[1])  # (B, positions, C')
        q = tokens(self.theta(x))
        k = tokens(self.pool(self.phi(x)))
        v = tokens(self.pool(self.g(x)))
        weights = torch.softmax(q @ k.transpose(1, 2), dim=-1)
        y = (weights @ v).reshape(B, T, W, H, -1).permute(0, 4, 1, 3, 2)  # (B, C', T, H, W)
        return self.out(y) + x, weights
