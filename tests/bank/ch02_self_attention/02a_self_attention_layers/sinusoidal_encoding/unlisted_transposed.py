# diagnosis: pe has shape
def sinusoidal_encoding(length, dim):
    """-> (length, dim) float: PE[t, 2i] = sin(t * w_i), PE[t, 2i+1] = cos(t * w_i), w_i = 10000^(-2i/dim)."""
    position = torch.arange(length, dtype=torch.float32)[None, :]  # (1, L)
    omega = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))[:, None]
    angle = omega * position  # (dim/2, L)
    pe = torch.zeros(dim, length)
    pe[0::2], pe[1::2] = angle.sin(), angle.cos()
    return pe
