# diagnosis: leaves out each query point itself
# visible: fails (the indices compared with scipy's cKDTree.query)
# The habit of neighbour searches within one set: the sorted list's first entry (the point itself)
# skipped.  Here a point of the set counts as its own nearest neighbour, and the queries need not be
# points of the set at all.
def knn(query, points, k):
    """query (B, M, 3), points (B, N, 3) -> idx (B, M, k) long: the k nearest points of each query point, nearest first."""
    distances = torch.cdist(query, points)
    return distances.argsort(dim=-1)[:, :, 1:k + 1]
