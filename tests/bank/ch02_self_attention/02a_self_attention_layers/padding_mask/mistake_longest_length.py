# diagnosis: the mask has as many columns as the longest sequence
def padding_mask(lengths, T):
    """lengths (B,) long, each in 1..T -> (B, T) bool, True at the real (non-padding) positions."""
    longest = int(lengths.max())  # the batch is padded to its longest sequence
    return torch.arange(longest)[None, :] < lengths[:, None]
