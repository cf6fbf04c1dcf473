# diagnosis: raised RuntimeError: usually shapes that do not fit: the T positions and the B
def padding_mask(lengths, T):
    """lengths (B,) long, each in 1..T -> (B, T) bool, True at the real (non-padding) tokens."""
    return torch.arange(T) < lengths
