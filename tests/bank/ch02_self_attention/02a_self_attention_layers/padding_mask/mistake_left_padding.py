# diagnosis: the padding is at the end of each sequence, not at the start
def padding_mask(lengths, T):
    """lengths (B,) long, each in 1..T -> (B, T) bool, True at the real (non-padding) tokens."""
    return torch.arange(T)[None, :] >= (T - lengths)[:, None]
