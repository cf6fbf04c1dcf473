# diagnosis: idx has shape (2, 5, 12) but should have shape (2, 5, 3)
# visible: fails (the shape is checked first)
# The first k of the sorted indices taken with [:k], which slices the first axis (the batch), not the
# last (the candidates): every candidate comes back, sorted.
def knn(query, points, k):
    """query (B, M, 3), points (B, N, 3) -> idx (B, M, k) long: the k nearest points of each query point, nearest first."""
    distances = torch.cdist(query, points)
    return torch.argsort(distances, dim=-1)[:k]
