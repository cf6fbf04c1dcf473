# diagnosis: picks the codeword with the largest dot product
# visible: fails (the far point)
# The expanded formula with ||c||^2 dropped as if it were a constant, like ||p||^2: it is not, it depends on the codeword.
def visual_tokens(patches, codebook):
    """patches (B, L, d), codebook (V, d) -> token ids (B, L): the nearest codeword of each patch."""
    p_sq = (patches ** 2).sum(-1, keepdim=True)        # (B, L, 1)
    distances = p_sq - 2 * patches @ codebook.T        # ||c||^2 is "the same for every patch"
    return distances.argmin(-1)
