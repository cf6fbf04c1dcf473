# Both conversions are linear maps of the four numbers: one 4x4 matrix each, applied to the last dimension.
def box_cxcywh_to_xyxy(boxes):
    """(..., 4) centre, width, height -> (..., 4) corners x1, y1, x2, y2."""
    #                  x1    y1    x2   y2
    m = torch.tensor([[1.0,  0.0,  1.0, 0.0],    # cx
                      [0.0,  1.0,  0.0, 1.0],    # cy
                      [-0.5, 0.0,  0.5, 0.0],    # w
                      [0.0, -0.5,  0.0, 0.5]],   # h
                     dtype=boxes.dtype)
    return boxes @ m


def box_xyxy_to_cxcywh(boxes):
    """(..., 4) corners x1, y1, x2, y2 -> (..., 4) centre, width, height."""
    out = boxes.clone()
    out[..., 0] = (boxes[..., 0] + boxes[..., 2]) / 2
    out[..., 1] = (boxes[..., 1] + boxes[..., 3]) / 2
    out[..., 2] = boxes[..., 2] - boxes[..., 0]
    out[..., 3] = boxes[..., 3] - boxes[..., 1]
    return out
