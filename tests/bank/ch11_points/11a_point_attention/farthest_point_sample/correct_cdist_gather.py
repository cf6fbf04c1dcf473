# All pairwise distances once with cdist; each step gathers the row of the point just chosen and
# lowers the running minimum with it, starting from the distances to point 0.
def farthest_point_sample(points, m):
    """points (B, N, 3) -> idx (B, m) long: farthest point sampling from index 0."""
    B, N, _ = points.shape
    pairwise = torch.cdist(points, points)                                 # (B, N, N)
    idx = torch.zeros(B, m, dtype=torch.long)
    running = pairwise[:, 0].clone()                                       # (B, N): distance to point 0
    for s in range(1, m):
        idx[:, s] = running.argmax(dim=1)
        row = torch.gather(pairwise, 1, idx[:, s, None, None].expand(B, 1, N)).squeeze(1)
        running = torch.minimum(running, row)
    return idx
