# diagnosis: you used the unbiased variance (dividing by C - 1)
def layer_norm(x, weight, bias, eps=1e-5):
    """x (..., C), weight (C,), bias (C,) -> (..., C), each vector normalised over its C features."""
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).sum(dim=-1, keepdim=True) / (x.shape[-1] - 1)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
