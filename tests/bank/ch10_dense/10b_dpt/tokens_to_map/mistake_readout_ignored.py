# diagnosis: ignores the class token for every readout
# visible: fails (readout 'add')
# The class token dropped whatever the readout says: the readout argument is never read.
def tokens_to_map(tokens, grid, readout, project=None):
    """(B, 1 + N, D) tokens -> (B, D, h, w) feature map, the class token read out as `readout` says."""
    patches = tokens[:, 1:]
    return patches.permute(0, 2, 1).reshape(tokens.shape[0], tokens.shape[2], *grid)
