# The confusion matrix accumulated with index_put_ (accumulate=True adds one per (label, prediction) pair), then
# the IoUs where the union is not empty, NaN elsewhere.
def mean_iou(pred, target, num_classes, ignore_index=255):
    """pred, target (N, H, W) -> (miou (), iou (num_classes,)): one confusion matrix over the whole set."""
    labelled = target != ignore_index
    rows, cols = target[labelled], pred[labelled]
    confusion = torch.zeros(num_classes, num_classes, dtype=torch.float64)
    confusion.index_put_((rows, cols), torch.ones(rows.numel(), dtype=torch.float64), accumulate=True)
    tp = confusion.diagonal()
    union = confusion.sum(dim=0) + confusion.sum(dim=1) - tp
    iou = torch.full((num_classes,), float("nan"), dtype=torch.float64)
    seen = union > 0
    iou[seen] = tp[seen] / union[seen]
    return iou.nanmean(), iou
