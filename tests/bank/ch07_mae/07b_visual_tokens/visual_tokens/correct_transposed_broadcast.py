# Broadcasting the other way round: the codebook transposed to (d, V), the patches given a last axis,
# and the Euclidean norm itself (its square root does not change which codeword is nearest).
def visual_tokens(patches, codebook):
    """patches (B, L, d), codebook (V, d) -> token ids (B, L): the nearest codeword of each patch."""
    diff = patches[..., None] - codebook.T          # (B, L, d, V)
    return torch.linalg.vector_norm(diff, dim=2).argmin(dim=-1).long()
