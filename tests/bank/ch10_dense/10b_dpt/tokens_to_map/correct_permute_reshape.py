# permute and reshape (no einops): the class token broadcast with repeat for the projection, the
# readouts as a chain of ifs, the grid cut row by row by reshape after the channels are moved first.
def tokens_to_map(tokens, grid, readout, project=None):
    """(B, 1 + N, D) tokens -> (B, D, h, w) feature map, the class token read out as `readout` says."""
    b, n1, d = tokens.shape
    h, w = grid
    cls = tokens[:, 0:1, :]
    x = tokens[:, 1:, :]
    if readout == "add":
        x = x + cls
    if readout == "project":
        x = project(torch.cat((x, cls.repeat(1, n1 - 1, 1)), dim=2))
    return x.permute(0, 2, 1).reshape(b, d, h, w)
