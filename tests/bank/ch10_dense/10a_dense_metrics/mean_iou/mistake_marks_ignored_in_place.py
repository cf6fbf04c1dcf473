# diagnosis: changes its input target in place
# The ignored pixels relabelled as an extra class num_classes, through a view of the caller's tensor, and that
# row of the (num_classes + 1)² confusion matrix dropped: the numbers are right, the caller's labels are not.
def mean_iou(pred, target, num_classes, ignore_index=255):
    """pred, target (N, H, W) -> (miou (), iou (num_classes,)): one confusion matrix over the whole set."""
    t, p = target.view(-1), pred.view(-1)
    t[t == ignore_index] = num_classes
    k = num_classes + 1
    confusion = torch.bincount(t * k + p, minlength=k * k).view(k, k)[:num_classes, :num_classes]
    tp = confusion.diag().double()
    union = confusion.sum(0) + confusion.sum(1) - tp
    iou = torch.where(union > 0, tp / union, torch.full_like(tp, float("nan")))
    return iou.nanmean(), iou
