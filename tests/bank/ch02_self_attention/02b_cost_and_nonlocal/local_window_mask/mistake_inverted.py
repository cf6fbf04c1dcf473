# diagnosis: the mask is inverted: True must mark the keys inside the window
def local_window_mask(T, radius):
    """-> (T, T) bool, True where |i - j| <= radius."""
    position = torch.arange(T)
    return (position[:, None] - position[None, :]).abs() > radius
