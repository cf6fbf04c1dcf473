# diagnosis: mask is wrong at
def padding_mask(lengths, T):
    """lengths (B,) long, each in 1..T -> (B, T) bool, True at the real (non-padding) tokens."""
    return torch.arange(1, T + 1)[None, :] < lengths[:, None]
