def pos_embed_similarity(pos_embed, grid):
    """pos_embed (N+1, D), class token first; grid (gh, gw) -> cosine similarities (gh, gw, gh, gw)."""
    # Every pair at once: (N, 1, D) against (1, N, D), the similarity along the last axis.
    patches = pos_embed[1:]
    sim = F.cosine_similarity(patches[:, None, :], patches[None, :, :], dim=-1)  # (N, N)
    return sim.view(*grid, *grid)
