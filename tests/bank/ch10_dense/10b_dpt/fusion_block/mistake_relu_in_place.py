# diagnosis: changes its input skip in place
# MiDaS's unit as it is often copied, with an in-place ReLU: the ReLU overwrites the unit's input, so the
# caller's skip changes, and the residual adds relu(x), not x (the visible tests, run on the changed
# skip, do not see it).
class ResidualConvUnit(nn.Module):
    def __init__(self, *, features):
        super().__init__()
        self.conv1 = nn.Conv2d(features, features, 3, padding=1)
        self.conv2 = nn.Conv2d(features, features, 3, padding=1)

    def forward(self, x):
        """(B, F, h, w) -> (B, F, h, w): x + conv2(relu(conv1(relu(x))))."""
        out = F.relu(x, inplace=True)
        out = self.conv1(out)
        out = F.relu(out)
        out = self.conv2(out)
        return out + x


class FusionBlock(nn.Module):
    def __init__(self, *, features):
        super().__init__()
        self.rcu1, self.rcu2 = ResidualConvUnit(features=features), ResidualConvUnit(features=features)
        self.out_conv = nn.Conv2d(features, features, 1)

    def forward(self, x, skip=None):
        """(B, F, h, w), optional skip (B, F, h, w) -> (B, F, 2h, 2w)."""
        if skip is not None:
            x = x + self.rcu1(skip)
        x = self.rcu2(x)
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
        return self.out_conv(x)
