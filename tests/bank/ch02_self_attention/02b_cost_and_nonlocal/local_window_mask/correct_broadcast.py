def local_window_mask(T, radius):
    """-> (T, T) bool, True where |i - j| <= radius."""
    i = torch.arange(T).unsqueeze(1)
    j = torch.arange(T).unsqueeze(0)
    return (j >= i - radius) & (j <= i + radius)
