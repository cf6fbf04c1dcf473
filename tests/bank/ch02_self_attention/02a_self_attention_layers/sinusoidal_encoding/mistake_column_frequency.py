# diagnosis: every column has its own frequency
def sinusoidal_encoding(length, dim):
    """-> (length, dim) float: PE[t, 2i] = sin(t * w_i), PE[t, 2i+1] = cos(t * w_i), w_i = 10000^(-2i/dim)."""
    t = torch.arange(length, dtype=torch.float32)[:, None]
    angle = t / 10000 ** (torch.arange(dim) / dim)  # (L, dim)
    pe = angle.clone()
    pe[:, 0::2] = angle[:, 0::2].sin()
    pe[:, 1::2] = angle[:, 1::2].cos()
    return pe
