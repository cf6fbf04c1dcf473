# The confusion matrix from one-hot codes, rows the predictions this time (IoU does not care which way round):
# (P, C)ᵀ @ (P, C) counts every (prediction, label) pair; the ignored pixels are dropped before.
def mean_iou(pred, target, num_classes, ignore_index=255):
    """pred, target (N, H, W) -> (miou (), iou (num_classes,)): one confusion matrix over the whole set."""
    keep = (target != ignore_index).reshape(-1)
    p = F.one_hot(pred.reshape(-1)[keep], num_classes).double()         # (P, C)
    t = F.one_hot(target.reshape(-1)[keep], num_classes).double()
    confusion = p.T @ t                                                  # [prediction, label]
    tp = torch.diagonal(confusion)
    fp = confusion.sum(1) - tp
    fn = confusion.sum(0) - tp
    denom = tp + fp + fn
    iou = tp / denom                                                     # 0 / 0 = NaN: the absent classes
    return iou[~iou.isnan()].mean(), iou
