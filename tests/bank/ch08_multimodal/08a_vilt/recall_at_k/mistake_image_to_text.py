# diagnosis: ranks along the wrong axis (image-to-text)
# visible: fails (caption 0 hits)
# scores read as (images, captions): each image's captions ranked, i.e. image-to-text retrieval.
def recall_at_k(scores, k):
    """scores (Nt, Ni), caption i's image is image i -> the share of captions whose image ranks below k (0-d)."""
    n = min(scores.shape)
    per_image = scores[:n, :n].t()                      # row j: image j's scores for the captions
    own = per_image.diagonal().unsqueeze(1)
    beats = per_image >= own
    beats.fill_diagonal_(False)
    return (beats.sum(dim=1) < k).float().mean()
