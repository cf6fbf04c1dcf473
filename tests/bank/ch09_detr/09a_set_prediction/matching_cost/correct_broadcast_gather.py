# The L1 distance by broadcasting, the class term with gather on an expanded index.
def matching_cost(logits, boxes, tgt_labels, tgt_boxes, *, w_class=1.0, w_l1=5.0, w_giou=2.0):
    """(Q, C+1) logits, (Q, 4) boxes; (M,) labels, (M, 4) boxes -> (Q, M) cost of matching prediction i to object j."""
    q, m = logits.shape[0], tgt_labels.shape[0]
    prob = F.softmax(logits, dim=1)
    cost_class = -prob.gather(1, tgt_labels[None, :].expand(q, m))
    cost_l1 = (boxes[:, None, :] - tgt_boxes[None, :, :]).abs().sum(dim=-1)
    giou = generalized_box_iou(box_cxcywh_to_xyxy(boxes), box_cxcywh_to_xyxy(tgt_boxes))
    return w_class * cost_class + w_l1 * cost_l1 - w_giou * giou
