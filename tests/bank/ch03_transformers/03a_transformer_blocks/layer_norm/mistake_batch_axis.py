# diagnosis: the mean and variance are taken over the batch (dim 0)
def layer_norm(x, weight, bias, eps=1e-5):
    """x (..., C), weight (C,), bias (C,) -> (..., C), each vector normalised over its C features."""
    mean = x.mean(dim=0, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=0, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
