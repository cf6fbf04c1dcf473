# The class probabilities picked by a product with the targets' one-hot rows; the L1 distance summed
# coordinate by coordinate.
def matching_cost(logits, boxes, tgt_labels, tgt_boxes, *, w_class=1.0, w_l1=5.0, w_giou=2.0):
    """(Q, C+1) logits, (Q, 4) boxes; (M,) labels, (M, 4) boxes -> (Q, M) cost of matching prediction i to object j."""
    prob = torch.exp(logits - logits.logsumexp(dim=-1, keepdim=True))        # softmax, (Q, C+1)
    one_hot = F.one_hot(tgt_labels, num_classes=logits.shape[-1]).to(prob.dtype)  # (M, C+1)
    p_target = prob @ one_hot.T                                               # (Q, M)
    l1 = sum((boxes[:, k:k + 1] - tgt_boxes[:, k][None]).abs() for k in range(4))
    overlap = generalized_box_iou(box_cxcywh_to_xyxy(boxes), box_cxcywh_to_xyxy(tgt_boxes))
    return -w_class * p_target + w_l1 * l1 - w_giou * overlap
