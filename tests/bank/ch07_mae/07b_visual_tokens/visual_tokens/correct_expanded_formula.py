# The expanded formula: ||p||^2 is the same for every codeword of a patch, so it is dropped;
# -2 p.c + ||c||^2 as one addmm-style matmul with einsum.
def visual_tokens(patches, codebook):
    """patches (B, L, d), codebook (V, d) -> token ids (B, L): the nearest codeword of each patch."""
    c_sq = codebook.pow(2).sum(dim=1)                            # (V,)
    scores = c_sq - 2 * torch.einsum("bld,vd->blv", patches, codebook)
    return torch.argmin(scores, dim=2)
