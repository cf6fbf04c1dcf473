def layer_norm(x, weight, bias, eps=1e-5):
    """x (..., C), weight (C,), bias (C,) -> (..., C), each vector normalised over its C features."""
    centred = x - x.mean(-1, keepdim=True)
    return weight * centred * torch.rsqrt(centred.pow(2).mean(-1, keepdim=True) + eps) + bias
