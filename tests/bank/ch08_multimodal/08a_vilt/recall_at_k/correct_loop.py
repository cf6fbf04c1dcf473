# A loop over the captions, the other images picked with a boolean mask.
def recall_at_k(scores, k):
    """scores (Nt, Ni), caption i's image is image i -> the share of captions whose image ranks below k (0-d)."""
    hits = []
    for i, row in enumerate(scores):
        others = torch.ones(row.shape[0], dtype=torch.bool)
        others[i] = False
        rank = int((row[others] >= row[i]).sum())
        hits.append(rank < k)
    return torch.tensor(hits, dtype=torch.float32).mean()
