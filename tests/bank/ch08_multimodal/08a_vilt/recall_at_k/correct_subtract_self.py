# The right image counted among those at least as good and then taken off (it always ties with itself);
# the hits as a fraction of the captions.
def recall_at_k(scores, k):
    """scores (Nt, Ni), caption i's image is image i -> the share of captions whose image ranks below k (0-d)."""
    n_text = scores.shape[0]
    own = scores.gather(1, torch.arange(n_text).unsqueeze(1))   # (Nt, 1)
    rank = (scores >= own).sum(dim=1) - 1
    hits = (rank < k).sum()
    return hits.to(torch.float32) / n_text
