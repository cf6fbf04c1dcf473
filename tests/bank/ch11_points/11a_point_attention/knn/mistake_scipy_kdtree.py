# diagnosis: uses cKDTree, which this task asks you not to use
# SciPy's k-d tree, imported by the notebook for its visible tests, called cloud by cloud: right
# answers, but the task is to write the search with tensor operations, vectorised over the batch.
def knn(query, points, k):
    """query (B, M, 3), points (B, N, 3) -> idx (B, M, k) long: the k nearest points of each query point, nearest first."""
    out = []
    for q, p in zip(query, points):
        _, idx = cKDTree(p.numpy()).query(q.numpy(), k=k)
        out.append(torch.as_tensor(idx, dtype=torch.long).reshape(q.shape[0], k))
    return torch.stack(out)
