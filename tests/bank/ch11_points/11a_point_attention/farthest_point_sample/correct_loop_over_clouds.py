# Each cloud on its own in a Python loop (the steps vectorised over its points), Euclidean distances
# with torch.norm, and the chosen points' distances left in place (they are 0, never the maximum).
def farthest_point_sample(points, m):
    """points (B, N, 3) -> idx (B, m) long: farthest point sampling from index 0."""
    rows = []
    for cloud in points:
        chosen = [0]
        gaps = torch.norm(cloud - cloud[0], dim=1)
        for _ in range(m - 1):
            nxt = int(torch.argmax(gaps))
            chosen.append(nxt)
            gaps = torch.min(gaps, torch.norm(cloud - cloud[nxt], dim=1))
        rows.append(torch.tensor(chosen, dtype=torch.long))
    return torch.stack(rows)
