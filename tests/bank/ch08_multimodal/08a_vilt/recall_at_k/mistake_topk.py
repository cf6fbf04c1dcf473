# diagnosis: none
# visible: fails (the tie with image 2 keeps caption 1 out)
# torch.topk breaks ties by its own order, sometimes in the model's favour.
def recall_at_k(scores, k):
    """scores (Nt, Ni), caption i's image is image i -> the share of captions whose image ranks below k (0-d)."""
    top = scores.topk(k, dim=1).indices                           # (Nt, k)
    target = torch.arange(scores.shape[0])[:, None]
    return (top == target).any(dim=1).float().mean()
