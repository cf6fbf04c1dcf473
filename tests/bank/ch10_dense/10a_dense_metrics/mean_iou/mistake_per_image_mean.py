# diagnosis: averages per-image mIoUs
# Each image measured on its own, its mIoU kept, and the mIoUs averaged: the per-class IoUs come from the
# whole set, but the mean weighs a small, easy image as much as a large one.
def mean_iou(pred, target, num_classes, ignore_index=255):
    """pred, target (N, H, W) -> (miou (), iou (num_classes,)): one confusion matrix over the whole set."""
    def confusion_of(p, t):
        keep = t != ignore_index
        return torch.bincount(t[keep] * num_classes + p[keep], minlength=num_classes ** 2).reshape(num_classes, -1)

    def ious(cm):
        tp = cm.diag().float()
        union = cm.sum(0) + cm.sum(1) - tp
        return torch.where(union > 0, tp / union, torch.tensor(float("nan")))

    total = torch.zeros(num_classes, num_classes, dtype=torch.long)
    mious = []
    for p, t in zip(pred, target):
        cm = confusion_of(p, t)
        total += cm
        mious.append(ious(cm).nanmean())
    return torch.stack(mious).nanmean(), ious(total)
