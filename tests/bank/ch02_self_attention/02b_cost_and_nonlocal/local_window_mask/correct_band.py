def local_window_mask(T, radius):
    """-> (T, T) bool, True where |i - j| <= radius."""
    return torch.ones(T, T, dtype=torch.bool).triu(-radius).tril(radius)
