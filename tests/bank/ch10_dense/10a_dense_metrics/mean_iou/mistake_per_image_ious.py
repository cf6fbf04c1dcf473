# diagnosis: averages per-image IoUs class by class
# visible: fails (IoU over both images)
# Everything per image: each image's IoUs, then their mean over the images class by class, and the mIoU of
# that.  Benchmarks count the pixels of the whole set first.
def mean_iou(pred, target, num_classes, ignore_index=255):
    """pred, target (N, H, W) -> (miou (), iou (num_classes,)): one confusion matrix over the whole set."""
    per_image = []
    for p, t in zip(pred, target):
        keep = t != ignore_index
        cm = torch.bincount(t[keep] * num_classes + p[keep], minlength=num_classes ** 2).view(num_classes, num_classes)
        tp = cm.diag().double()
        union = cm.sum(0) + cm.sum(1) - tp
        per_image.append(torch.where(union > 0, tp / union, torch.full_like(tp, float("nan"))))
    iou = torch.stack(per_image).nanmean(0)
    return iou.nanmean(), iou
