# diagnosis: changes its input boxes in place
# Both conversions written as in-place updates of the caller's tensor: the results are right, but the
# caller's boxes are gone (the notebook's "there and back" test still passes, on the changed tensor).
def box_cxcywh_to_xyxy(boxes):
    """(..., 4) centre, width, height -> (..., 4) corners x1, y1, x2, y2."""
    boxes[..., :2] -= boxes[..., 2:] / 2      # the top-left corner
    boxes[..., 2:] += boxes[..., :2]          # the bottom-right corner: top-left + size
    return boxes


def box_xyxy_to_cxcywh(boxes):
    """(..., 4) corners x1, y1, x2, y2 -> (..., 4) centre, width, height."""
    boxes[..., 2:] -= boxes[..., :2]          # the size
    boxes[..., :2] += boxes[..., 2:] / 2      # the centre
    return boxes
