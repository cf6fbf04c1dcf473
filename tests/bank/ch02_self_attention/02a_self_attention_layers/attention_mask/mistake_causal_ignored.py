# diagnosis: with causal=True the causal part is missing
def attention_mask(lengths, T, causal=False):
    """lengths (B,) long -> (B, T, T) bool: True where query i of sequence b may attend to key j."""
    return padding_mask(lengths, T)[:, None, :].expand(-1, T, T)
