# diagnosis: keeps each point's distance to the farthest chosen point (max)
# visible: fails (the definition, step by step, in NumPy)
# "Farthest from the chosen set" read as farthest from any chosen point: the running distance starts
# at zero and grows with a maximum, where the distance to a set is the distance to its nearest member.
def farthest_point_sample(points, m):
    """points (B, N, 3) -> idx (B, m) long: farthest point sampling from index 0."""
    B, N, _ = points.shape
    idx = torch.zeros(B, m, dtype=torch.long)
    farthest = torch.zeros(B, N)
    for s in range(1, m):
        last = points[torch.arange(B), idx[:, s - 1]]                   # (B, 3)
        d = torch.linalg.vector_norm(points - last[:, None], dim=-1)    # (B, N)
        farthest = torch.maximum(farthest, d)
        idx[:, s] = farthest.argmax(dim=1)
    return idx
