# diagnosis: with causal=True the padding is dropped
def attention_mask(lengths, T, causal=False):
    """lengths (B,) long -> (B, T, T) bool: True where query i of sequence b may attend to key j."""
    if causal:
        return causal_mask(T).expand(len(lengths), T, T)
    return padding_mask(lengths, T)[:, None, :].expand(-1, T, T)
