# diagnosis: picks the codeword with the largest cosine similarity
# Normalised both sides "to compare shapes, not brightness": only the direction is left.
def visual_tokens(patches, codebook):
    """patches (B, L, d), codebook (V, d) -> token ids (B, L): the nearest codeword of each patch."""
    sim = F.normalize(patches, dim=-1) @ F.normalize(codebook, dim=-1).T   # (B, L, V)
    return sim.argmax(dim=-1)
