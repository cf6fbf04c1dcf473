# Both sets expanded to (N, M, 4) first, so that every pair is a row of two aligned tensors; then the
# formula for one pair, written on the last dimension.
def generalized_box_iou(boxes1, boxes2):
    """(N, 4), (M, 4) corner boxes -> (N, M) generalised IoU of every pair."""
    n, m = boxes1.shape[0], boxes2.shape[0]
    a = boxes1.unsqueeze(1).expand(n, m, 4)
    b = boxes2.unsqueeze(0).expand(n, m, 4)

    def area(x):
        return (x[..., 2] - x[..., 0]) * (x[..., 3] - x[..., 1])

    overlap = torch.cat([torch.maximum(a[..., :2], b[..., :2]), torch.minimum(a[..., 2:], b[..., 2:])], dim=-1)
    inter = torch.where((overlap[..., 2] > overlap[..., 0]) & (overlap[..., 3] > overlap[..., 1]),
                        area(overlap), torch.zeros_like(area(overlap)))
    union = area(a) + area(b) - inter
    hull = torch.cat([torch.minimum(a[..., :2], b[..., :2]), torch.maximum(a[..., 2:], b[..., 2:])], dim=-1)
    return inter / union - (area(hull) - union) / area(hull)
