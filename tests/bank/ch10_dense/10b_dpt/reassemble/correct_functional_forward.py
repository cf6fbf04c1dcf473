# The layers built by comparing the scale with 1; forward calls the layers' weights through the
# functional convolutions, with the stride and padding each layer was built with.
class Reassemble(nn.Module):
    def __init__(self, *, dim, channels, scale, grid, readout):
        super().__init__()
        self.grid, self.readout, self.scale = grid, readout, scale
        self.readout_project = nn.Sequential(nn.Linear(dim * 2, dim), nn.GELU()) if readout == "project" else None
        self.project = nn.Conv2d(dim, channels, 1)
        if scale > 1:
            self.resample = nn.ConvTranspose2d(channels, channels, kernel_size=int(scale), stride=int(scale))
        elif scale < 1:
            self.resample = nn.Conv2d(channels, channels, 3, stride=2, padding=1)
        else:
            self.resample = nn.Identity()

    def forward(self, tokens):
        x = tokens_to_map(tokens, self.grid, self.readout, self.readout_project)
        x = F.conv2d(x, self.project.weight, self.project.bias)
        if self.scale > 1:
            return F.conv_transpose2d(x, self.resample.weight, self.resample.bias, stride=int(self.scale))
        if self.scale < 1:
            return F.conv2d(x, self.resample.weight, self.resample.bias, stride=2, padding=1)
        return x
