# diagnosis: subtracts each vector's mean (a Pearson correlation)
# visible: fails (patch (0, 1) against patch (1, 2))
# torch.corrcoef looks like the right tool, but it centres each row first.
def pos_embed_similarity(pos_embed, grid):
    """pos_embed (N+1, D), class token first; grid (gh, gw) -> cosine similarities (gh, gw, gh, gw)."""
    gh, gw = grid
    return torch.corrcoef(pos_embed[1:]).reshape(gh, gw, gh, gw)
