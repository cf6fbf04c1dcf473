# A while loop over the list of candidates sorted by score: take the first, keep only the
# candidates it does not overlap too much, one IoU row at a time.
def nms(boxes, scores, iou_threshold):
    """(K, 4) corner boxes, (K,) scores -> (k,) indices of the kept boxes, by decreasing score."""
    candidates = sorted(range(len(scores)), key=lambda i: float(scores[i]), reverse=True)
    kept = []
    while candidates:
        best, candidates = candidates[0], candidates[1:]
        kept.append(best)
        if candidates:
            iou = box_iou(boxes[best][None], boxes[candidates])[0][0]
            candidates = [c for c, v in zip(candidates, iou.tolist()) if not v > iou_threshold]
    return torch.as_tensor(kept, dtype=torch.int64)
