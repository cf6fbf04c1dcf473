# out_conv before the upsampling, as some DPT ports write it: a 1 x 1 convolution is the same affine map
# at every pixel and bilinear weights sum to 1, so the two commute (and the convolution runs on a
# quarter of the pixels).  The unit written step by step with the tensor methods.
class ResidualConvUnit(nn.Module):
    def __init__(self, *, features):
        super().__init__()
        self.conv1 = nn.Conv2d(features, features, 3, padding=1)
        self.conv2 = nn.Conv2d(features, features, 3, padding=1)

    def forward(self, x):
        """(B, F, h, w) -> (B, F, h, w): x + conv2(relu(conv1(relu(x))))."""
        out = self.conv1(x.relu())
        out = self.conv2(out.relu())
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
        out = self.out_conv(self.rcu2(x))
        return F.interpolate(out, scale_factor=2.0, mode="bilinear", align_corners=True)
