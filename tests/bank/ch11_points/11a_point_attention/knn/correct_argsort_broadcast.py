# Squared distances built by broadcasting (no square root: the order is the same), sorted in full
# with argsort, and the first k kept.
def knn(query, points, k):
    """query (B, M, 3), points (B, N, 3) -> idx (B, M, k) long: the k nearest points of each query point, nearest first."""
    diff = query[:, :, None, :] - points[:, None, :, :]   # (B, M, N, 3)
    squared = (diff * diff).sum(-1)                       # (B, M, N)
    return squared.argsort(dim=-1)[..., :k]
