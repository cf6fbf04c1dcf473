# diagnosis: fills the grid column by column
# visible: fails (row 1, column 0 is patch token 3)
# The grid read as (w, h) and then transposed: token n lands at row n % h, column n // h, the
# order in which a matrix is stored column by column.
def tokens_to_map(tokens, grid, readout, project=None):
    """(B, 1 + N, D) tokens -> (B, D, h, w) feature map, the class token read out as `readout` says."""
    h, w = grid
    cls, patches = tokens[:, :1], tokens[:, 1:]
    if readout == "add":
        patches = patches + cls
    elif readout == "project":
        patches = project(torch.cat([patches, cls.expand(-1, patches.shape[1], -1)], dim=-1))
    b, n, d = patches.shape
    return patches.reshape(b, w, h, d).permute(0, 3, 2, 1)
