# Centre and size as two halves of the last dimension; the corners are centre -/+ half the size.
def box_cxcywh_to_xyxy(boxes):
    """(..., 4) centre, width, height -> (..., 4) corners x1, y1, x2, y2."""
    centre, size = boxes[..., :2], boxes[..., 2:]
    return torch.cat([centre - size / 2, centre + size / 2], dim=-1)


def box_xyxy_to_cxcywh(boxes):
    """(..., 4) corners x1, y1, x2, y2 -> (..., 4) centre, width, height."""
    top_left, bottom_right = boxes.split(2, dim=-1)
    return torch.cat([(top_left + bottom_right) / 2, bottom_right - top_left], dim=-1)
