# diagnosis: counts what is predicted on ignored pixels as false positives
# visible: fails (classes absent ... have no IoU: NaN: the ignored pixel's prediction made class 2 present)
# The three areas counted one by one: the true positives and the label areas over labelled pixels, but the
# prediction areas over every pixel, so a prediction on an ignored pixel still counts.
def mean_iou(pred, target, num_classes, ignore_index=255):
    """pred, target (N, H, W) -> (miou (), iou (num_classes,)): one confusion matrix over the whole set."""
    labelled = target != ignore_index
    hits = target[labelled & (pred == target)]
    tp = torch.bincount(hits, minlength=num_classes).double()
    label_area = torch.bincount(target[labelled], minlength=num_classes).double()
    pred_area = torch.bincount(pred.flatten(), minlength=num_classes).double()
    union = label_area + pred_area - tp
    iou = tp / union
    return iou.nanmean(), iou
