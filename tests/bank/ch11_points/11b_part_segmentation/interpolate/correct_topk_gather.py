# Without knn and index_points: the explicit (B, N, M) squared distances, topk of the smallest k
# (values and indices at once, so the distances are not recomputed), and torch.gather on the
# features expanded over the fine points.
def interpolate(pos_fine, pos_coarse, features, k=3):
    """pos_fine (B, N, 3), pos_coarse (B, M, 3), features (B, M, C) -> (B, N, C): inverse-squared-distance weights."""
    squared = ((pos_fine.unsqueeze(2) - pos_coarse.unsqueeze(1)) ** 2).sum(dim=-1)   # (B, N, M)
    nearest_sq, idx = squared.topk(k, dim=-1, largest=False)                          # (B, N, k) each
    weights = (nearest_sq + 1e-8).reciprocal()
    weights = weights / weights.sum(dim=-1, keepdim=True)
    B, N, _ = idx.shape
    C = features.shape[-1]
    expanded = features.unsqueeze(1).expand(B, N, features.shape[1], C)              # (B, N, M, C), no copy
    neighbours = torch.gather(expanded, 2, idx.unsqueeze(-1).expand(B, N, k, C))     # (B, N, k, C)
    return (weights.unsqueeze(-1) * neighbours).sum(dim=2)
