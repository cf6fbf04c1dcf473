# The unit through F.conv2d on its own weights; the block's upsampling by nn.functional.interpolate to
# an explicit size, the skip's branch written as a conditional expression.
class ResidualConvUnit(nn.Module):
    def __init__(self, *, features):
        super().__init__()
        self.conv1 = nn.Conv2d(features, features, 3, padding=1)
        self.conv2 = nn.Conv2d(features, features, 3, padding=1)

    def forward(self, x):
        """(B, F, h, w) -> (B, F, h, w): x + conv2(relu(conv1(relu(x))))."""
        y = F.conv2d(torch.relu(x), self.conv1.weight, self.conv1.bias, padding=1)
        y = F.conv2d(torch.relu(y), self.conv2.weight, self.conv2.bias, padding=1)
        return x + y


class FusionBlock(nn.Module):
    def __init__(self, *, features):
        super().__init__()
        self.rcu1, self.rcu2 = ResidualConvUnit(features=features), ResidualConvUnit(features=features)
        self.out_conv = nn.Conv2d(features, features, 1)

    def forward(self, x, skip=None):
        """(B, F, h, w), optional skip (B, F, h, w) -> (B, F, 2h, 2w)."""
        h = x if skip is None else x + self.rcu1(skip)
        h = self.rcu2(h)
        height, width = h.shape[-2:]
        h = nn.functional.interpolate(h, size=(2 * height, 2 * width), mode="bilinear", align_corners=True)
        return self.out_conv(h)
