def padding_mask(lengths, T):
    """lengths (B,) long, each in 1..T -> (B, T) bool, True at the real (non-padding) tokens."""
    mask = torch.zeros(len(lengths), T, dtype=torch.bool)
    for b, n in enumerate(lengths.tolist()):
        mask[b, :n] = True
    return mask
