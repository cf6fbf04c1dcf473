# The resampling layers in a dict of constructors chosen by scale; the readout's projection left as
# None unless it is needed; forward written step by step.
class Reassemble(nn.Module):
    def __init__(self, *, dim, channels, scale, grid, readout):
        super().__init__()
        self.grid = tuple(grid)
        self.readout = readout
        self.readout_project = None
        if readout == "project":
            self.readout_project = nn.Sequential(nn.Linear(2 * dim, dim), nn.GELU())
        self.project = nn.Conv2d(dim, channels, kernel_size=1)
        resamplers = {
            4: lambda: nn.ConvTranspose2d(channels, channels, kernel_size=4, stride=4),
            2: lambda: nn.ConvTranspose2d(channels, channels, kernel_size=2, stride=2),
            1: lambda: nn.Identity(),
            0.5: lambda: nn.Conv2d(channels, channels, kernel_size=3, stride=2, padding=1),
        }
        self.resample = resamplers[scale]()

    def forward(self, tokens):
        feature_map = tokens_to_map(tokens, self.grid, self.readout, project=self.readout_project)
        feature_map = self.project(feature_map)
        feature_map = self.resample(feature_map)
        return feature_map
