# A suppressed mask: each box that survives to its turn is kept and marks every box it overlaps
# too much; the kept indices gathered in score order.
def nms(boxes, scores, iou_threshold):
    """(K, 4) corner boxes, (K,) scores -> (k,) indices of the kept boxes, by decreasing score."""
    order = scores.argsort(descending=True)
    iou = box_iou(boxes, boxes)[0]
    suppressed = torch.zeros(len(scores), dtype=torch.bool)
    keep = torch.zeros(len(scores), dtype=torch.bool)
    for i in order:
        if not suppressed[i]:
            keep[i] = True
            suppressed = suppressed | (iou[i] > iou_threshold)
    return order[keep[order]]
