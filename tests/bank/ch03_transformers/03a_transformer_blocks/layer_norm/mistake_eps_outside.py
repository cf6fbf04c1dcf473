# diagnosis: eps is added to the standard deviation; it belongs under the square root
def layer_norm(x, weight, bias, eps=1e-5):
    """x (..., C), weight (C,), bias (C,) -> (..., C), each vector normalised over its C features."""
    mean = x.mean(dim=-1, keepdim=True)
    std = ((x - mean) ** 2).mean(dim=-1, keepdim=True).sqrt()
    return (x - mean) / (std + eps) * weight + bias
