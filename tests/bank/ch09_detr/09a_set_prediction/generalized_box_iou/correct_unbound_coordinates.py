# Each coordinate unbound into its own column or row, the pairs made by broadcasting (N, 1) against (1, M).
def generalized_box_iou(boxes1, boxes2):
    """(N, 4), (M, 4) corner boxes -> (N, M) generalised IoU of every pair."""
    ax1, ay1, ax2, ay2 = (v[:, None] for v in boxes1.unbind(1))   # (N, 1) each
    bx1, by1, bx2, by2 = (v[None, :] for v in boxes2.unbind(1))   # (1, M) each
    iw = (torch.minimum(ax2, bx2) - torch.maximum(ax1, bx1)).clamp(min=0)
    ih = (torch.minimum(ay2, by2) - torch.maximum(ay1, by1)).clamp(min=0)
    inter = iw * ih
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    enclosing = (torch.maximum(ax2, bx2) - torch.minimum(ax1, bx1)) * (torch.maximum(ay2, by2) - torch.minimum(ay1, by1))
    iou = inter / union
    return iou - (enclosing - union) / enclosing
