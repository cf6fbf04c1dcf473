def sinusoidal_encoding(length, dim):
    """-> (length, dim) float: PE[t, 2i] = sin(t * w_i), PE[t, 2i+1] = cos(t * w_i), w_i = 10000^(-2i/dim)."""
    t = torch.arange(length).float().unsqueeze(1)
    two_i = torch.arange(0, dim, 2).float()
    angle = t / torch.pow(10000.0, two_i / dim)
    return torch.stack([torch.sin(angle), torch.cos(angle)], dim=-1).reshape(length, dim)  # interleaved
