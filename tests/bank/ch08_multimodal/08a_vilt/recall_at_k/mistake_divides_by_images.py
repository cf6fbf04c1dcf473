# diagnosis: divides the hits by the number of images
# visible: fails (2 captions against 3 images)
# The hits shared out over the images, the columns, instead of the captions.
def recall_at_k(scores, k):
    """scores (Nt, Ni), caption i's image is image i -> the share of captions whose image ranks below k (0-d)."""
    n_text, n_images = scores.shape
    own = scores.diagonal().unsqueeze(1)
    rank = (scores >= own).sum(dim=1) - 1               # the right image ties with itself
    return (rank < k).sum() / torch.tensor(float(n_images))
