# diagnosis: the sines and cosines are concatenated
def sinusoidal_encoding(length, dim):
    """-> (length, dim) float: PE[t, 2i] = sin(t * w_i), PE[t, 2i+1] = cos(t * w_i), w_i = 10000^(-2i/dim)."""
    t = torch.arange(length, dtype=torch.float32)[:, None]
    angle = t / 10000 ** (torch.arange(0, dim, 2) / dim)
    return torch.cat([angle.sin(), angle.cos()], dim=1)
