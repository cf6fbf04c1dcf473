# diagnosis: keeps the class token in the grid
# visible: fails (row 1, column 0 is patch token 3)
# The grid taken as the first h * w tokens of the sequence: the class token becomes the top-left cell
# and every patch token moves one cell on; the last one falls off.
def tokens_to_map(tokens, grid, readout, project=None):
    """(B, 1 + N, D) tokens -> (B, D, h, w) feature map, the class token read out as `readout` says."""
    h, w = grid
    cls = tokens[:, :1]
    patches = tokens[:, :h * w]
    if readout == "add":
        patches = patches + cls
    elif readout == "project":
        patches = project(torch.cat([patches, cls.expand_as(patches)], dim=-1))
    return patches.transpose(1, 2).reshape(tokens.shape[0], -1, h, w)
