# The grid first, channels last ((B, h, w, D) with unflatten), then the channels moved to the front with
# a permute; the readouts in a dict of functions.
def tokens_to_map(tokens, grid, readout, project=None):
    """(B, 1 + N, D) tokens -> (B, D, h, w) feature map, the class token read out as `readout` says."""
    cls, patches = tokens[:, 0], tokens[:, 1:]                                 # (B, D), (B, N, D)
    readouts = {
        "ignore": lambda p: p,
        "add": lambda p: p + cls.unsqueeze(1),
        "project": lambda p: project(torch.cat([p, cls.unsqueeze(1).expand(-1, p.shape[1], -1)], -1)),
    }
    if readout not in readouts:
        raise ValueError(f"unknown readout {readout!r}")
    return readouts[readout](patches).unflatten(1, tuple(grid)).permute(0, 3, 1, 2)
