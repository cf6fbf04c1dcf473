# diagnosis: searches the clouds of the batch together
# visible: fails (the indices compared with scipy's cKDTree.query)
# The batch flattened into one big set of points to call cdist on 2-D tensors: every query searches
# every cloud's points, and the indices run over the concatenation, not one cloud.
def knn(query, points, k):
    """query (B, M, 3), points (B, N, 3) -> idx (B, M, k) long: the k nearest points of each query point, nearest first."""
    B, M, _ = query.shape
    distances = torch.cdist(query.reshape(B * M, 3), points.reshape(-1, 3))    # (B*M, B*N)
    idx = distances.topk(k, dim=-1, largest=False).indices
    return idx.reshape(B, M, k)
