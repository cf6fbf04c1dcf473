# The Euclidean norms of the broadcast differences, torch.sort in ascending order, and the first k
# indices kept.
def knn(query, points, k):
    """query (B, M, 3), points (B, N, 3) -> idx (B, M, k) long: the k nearest points of each query point, nearest first."""
    distances = torch.linalg.vector_norm(query.unsqueeze(2) - points.unsqueeze(1), dim=-1)   # (B, M, N)
    _, order = torch.sort(distances, dim=-1)
    return order[:, :, :k]
