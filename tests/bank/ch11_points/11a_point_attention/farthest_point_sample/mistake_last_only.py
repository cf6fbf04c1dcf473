# diagnosis: measures the distance to the point chosen last only
# visible: fails (the definition, step by step, in NumPy)
# No running distance: each step jumps to the point farthest from the last centre, which forgets the
# earlier centres and can bounce between the two ends of the cloud.
def farthest_point_sample(points, m):
    """points (B, N, 3) -> idx (B, m) long: farthest point sampling from index 0."""
    B = points.shape[0]
    batch = torch.arange(B)
    idx = torch.zeros(B, m, dtype=torch.long)
    for s in range(1, m):
        last = points[batch, idx[:, s - 1]]
        distance = ((points - last.unsqueeze(1)) ** 2).sum(-1)
        idx[:, s] = distance.argmax(-1)
    return idx
