def sinusoidal_encoding(length, dim):
    """-> (length, dim) float: PE[t, 2i] = sin(t * w_i), PE[t, 2i+1] = cos(t * w_i), w_i = 10000^(-2i/dim)."""
    pe = torch.zeros(length, dim)
    for t in range(length):
        for i in range(dim // 2):
            angle = t / 10000 ** (2 * i / dim)
            pe[t, 2 * i] = math.sin(angle)
            pe[t, 2 * i + 1] = math.cos(angle)
    return pe
