# diagnosis: returns positions in the score-sorted order
# visible: fails (the best box is always kept, first)
# The boxes sorted by score first, then positions in that sorted list kept: never mapped back to the
# caller's indices.
def nms(boxes, scores, iou_threshold):
    """(K, 4) corner boxes, (K,) scores -> (k,) indices of the kept boxes, by decreasing score."""
    order = torch.argsort(scores, descending=True)
    ranked = boxes[order]
    iou = box_iou(ranked, ranked)[0]
    keep = []
    for i in range(len(ranked)):
        if all(iou[i, j] <= iou_threshold for j in keep):
            keep.append(i)
    return torch.tensor(keep, dtype=torch.long)
