# diagnosis: the causal mask was applied even though causal=False
def attention_mask(lengths, T, causal=False):
    """lengths (B,) long -> (B, T, T) bool: True where query i of sequence b may attend to key j."""
    return padding_mask(lengths, T)[:, None, :] & causal_mask(T)
