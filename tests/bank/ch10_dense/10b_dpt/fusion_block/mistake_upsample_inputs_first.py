# diagnosis: upsamples the inputs before fusing them
# visible: fails (FusionBlock with a skip)
# Both maps brought to the output's size first, then fused and refined there, then projected.
class ResidualConvUnit(nn.Module):
    def __init__(self, *, features):
        super().__init__()
        self.conv1 = nn.Conv2d(features, features, 3, padding=1)
        self.conv2 = nn.Conv2d(features, features, 3, padding=1)

    def forward(self, x):
        """(B, F, h, w) -> (B, F, h, w): x + conv2(relu(conv1(relu(x))))."""
        return x + self.conv2(F.relu(self.conv1(F.relu(x))))


class FusionBlock(nn.Module):
    def __init__(self, *, features):
        super().__init__()
        self.rcu1, self.rcu2 = ResidualConvUnit(features=features), ResidualConvUnit(features=features)
        self.out_conv = nn.Conv2d(features, features, 1)

    def forward(self, x, skip=None):
        """(B, F, h, w), optional skip (B, F, h, w) -> (B, F, 2h, 2w)."""
        up = lambda t: F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=True)  # noqa: E731
        h = up(x)
        if skip is not None:
            h = h + self.rcu1(up(skip))
        return self.out_conv(self.rcu2(h))
