# diagnosis: returns a mask of the kept boxes
# visible: fails (indices are long)
# The vectorised version's mask returned as it is, instead of the indices it selects.
def nms(boxes, scores, iou_threshold):
    """(K, 4) corner boxes, (K,) scores -> (k,) indices of the kept boxes, by decreasing score."""
    iou = box_iou(boxes, boxes)[0]
    keep = torch.zeros(len(boxes), dtype=torch.bool)
    suppressed = torch.zeros(len(boxes), dtype=torch.bool)
    for i in scores.argsort(descending=True):
        if suppressed[i]:
            continue
        keep[i] = True
        suppressed |= iou[i] > iou_threshold
    return keep
