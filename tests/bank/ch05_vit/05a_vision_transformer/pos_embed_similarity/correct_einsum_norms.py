def pos_embed_similarity(pos_embed, grid):
    """pos_embed (N+1, D), class token first; grid (gh, gw) -> cosine similarities (gh, gw, gh, gw)."""
    # The embeddings laid out on the grid first, then all dot products divided by the norms.
    gh, gw = grid
    e = pos_embed[1:].reshape(gh, gw, -1)          # (gh, gw, D)
    norms = e.norm(dim=-1)                         # (gh, gw)
    dots = torch.einsum("ijd,kld->ijkl", e, e)     # (gh, gw, gh, gw)
    return dots / (norms[:, :, None, None] * norms[None, None, :, :])
