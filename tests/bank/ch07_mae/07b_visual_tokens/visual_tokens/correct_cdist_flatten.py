# torch.cdist on the patches flattened to one (B*L, d) matrix, then the ids back in (B, L).
def visual_tokens(patches, codebook):
    """patches (B, L, d), codebook (V, d) -> token ids (B, L): the nearest codeword of each patch."""
    B, L, d = patches.shape
    dist = torch.cdist(patches.reshape(B * L, d), codebook, compute_mode="donot_use_mm_for_euclid_dist")
    return dist.min(dim=1).indices.view(B, L)
