# diagnosis: returns the k nearest points farthest first
# visible: fails (the indices compared with scipy's cKDTree.query)
# The distances sorted from the largest down and the last k kept: the right k points, but in
# descending order of distance, the nearest last.
def knn(query, points, k):
    """query (B, M, 3), points (B, N, 3) -> idx (B, M, k) long: the k nearest points of each query point, nearest first."""
    distances = torch.cdist(query, points)
    order = distances.argsort(dim=-1, descending=True)
    return order[..., -k:]
