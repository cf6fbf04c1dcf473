# The formula as printed: the weighted sum of the features divided by the sum of the weights, the
# division done last, on the (B, N, C) result; the distances from torch.linalg.vector_norm.
def interpolate(pos_fine, pos_coarse, features, k=3):
    """pos_fine (B, N, 3), pos_coarse (B, M, 3), features (B, M, C) -> (B, N, C): inverse-squared-distance weights."""
    idx = knn(pos_fine, pos_coarse, k)
    dist = torch.linalg.vector_norm(pos_fine.unsqueeze(2) - index_points(pos_coarse, idx), dim=-1)   # (B, N, k)
    w = 1 / (dist.square() + 1e-8)
    numerator = (w.unsqueeze(-1) * index_points(features, idx)).sum(dim=2)                         # (B, N, C)
    denominator = w.sum(dim=2).unsqueeze(-1)                                                        # (B, N, 1)
    return numerator / denominator
