# diagnosis: drops every box that overlaps any better box, even one that was itself dropped
# visible: fails (a box dropped for no reason)
# One matrix operation, no loop: a box goes if any higher-scoring box overlaps it, kept or not.
def nms(boxes, scores, iou_threshold):
    """(K, 4) corner boxes, (K,) scores -> (k,) indices of the kept boxes, by decreasing score."""
    iou = box_iou(boxes, boxes)[0]
    better = scores[None, :] > scores[:, None]                # better[i, j]: box j scores higher than box i
    dropped = ((iou > iou_threshold) & better).any(dim=1)
    order = torch.argsort(scores, descending=True)
    return order[~dropped[order]]
