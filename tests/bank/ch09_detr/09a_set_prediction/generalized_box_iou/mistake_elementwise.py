# diagnosis: pairs boxes1[i] only with boxes2[i]
# visible: fails (worked examples)
# Written for two lists of boxes side by side, as the loss on matched pairs would: no new axes, so
# boxes1[i] meets boxes2[i] only (and (1, 4) against (M, 4) broadcasts to an (M,) vector).
def generalized_box_iou(boxes1, boxes2):
    """(N, 4), (M, 4) corner boxes -> (N, M) generalised IoU of every pair."""
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    top_left = torch.max(boxes1[:, :2], boxes2[:, :2])
    bottom_right = torch.min(boxes1[:, 2:], boxes2[:, 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(-1)
    union = area1 + area2 - inter
    hull = (torch.max(boxes1[:, 2:], boxes2[:, 2:]) - torch.min(boxes1[:, :2], boxes2[:, :2])).prod(-1)
    return inter / union - (hull - union) / hull
