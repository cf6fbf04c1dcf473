# diagnosis: mask is wrong at
def local_window_mask(T, radius):
    """-> (T, T) bool, True where |i - j| <= radius."""
    position = torch.arange(T)
    return position[:, None] - position[None, :] <= radius
