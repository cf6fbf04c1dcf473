def padding_mask(lengths, T):
    """lengths (B,) long, each in 1..T -> (B, T) bool, True at the real (non-padding) tokens."""
    return lengths.unsqueeze(1) > torch.arange(T).unsqueeze(0)
