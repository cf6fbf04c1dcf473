# diagnosis: changes its input pos_fine in place
# visible: fails (the reference loop then reads the changed fine points: ValueError in cKDTree.query)
# unsqueeze_ taken for a faster unsqueeze: it reshapes the caller's pos_fine to (B, N, 1, 3) for good,
# so the next use of the caller's positions (another interpolation, the next stage) breaks.
def interpolate(pos_fine, pos_coarse, features, k=3):
    """pos_fine (B, N, 3), pos_coarse (B, M, 3), features (B, M, C) -> (B, N, C): inverse-squared-distance weights."""
    idx = knn(pos_fine, pos_coarse, k)                        # (B, N, k)
    offsets = pos_fine.unsqueeze_(2) - index_points(pos_coarse, idx)
    weights = 1.0 / ((offsets ** 2).sum(-1) + 1e-8)
    weights = weights / weights.sum(-1, keepdim=True)
    return (weights.unsqueeze(-1) * index_points(features, idx)).sum(2)
