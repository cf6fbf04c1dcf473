# diagnosis: the window only looks back
def local_window_mask(T, radius):
    """-> (T, T) bool, True where |i - j| <= radius."""
    position = torch.arange(T)
    offset = position[:, None] - position[None, :]  # i - j
    return (offset >= 0) & (offset <= radius)
