def layer_norm(x, weight, bias, eps=1e-5):
    """x (..., C), weight (C,), bias (C,) -> (..., C), each vector normalised over its C features."""
    C = x.shape[-1]
    mu = x.sum(dim=-1, keepdim=True) / C
    sigma2 = ((x - mu) * (x - mu)).sum(dim=-1, keepdim=True) / C
    x_hat = (x - mu) / (sigma2 + eps) ** 0.5
    return x_hat * weight + bias
