# diagnosis: applies a ReLU between the 1 x 1 projection and the resampling
# visible: fails (project, then resample)
# An activation between the two layers, as between the layers of a CNN; DPT's Reassemble has none.
class Reassemble(nn.Module):
    def __init__(self, *, dim, channels, scale, grid, readout):
        super().__init__()
        self.grid, self.readout = grid, readout
        self.readout_project = nn.Sequential(nn.Linear(2 * dim, dim), nn.GELU()) if readout == "project" else None
        self.project = nn.Conv2d(dim, channels, 1)
        if scale > 1:
            self.resample = nn.ConvTranspose2d(channels, channels, kernel_size=scale, stride=scale)
        elif scale == 1:
            self.resample = nn.Identity()
        else:
            self.resample = nn.Conv2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, tokens):
        x = tokens_to_map(tokens, self.grid, self.readout, self.readout_project)
        x = F.relu(self.project(x))
        return self.resample(x)
