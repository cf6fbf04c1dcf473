# diagnosis: none
def local_window_mask(T, radius):
    """-> (T, T) bool, True where |i - j| <= radius."""
    return torch.ones(T, T).triu(-radius).tril(radius)
