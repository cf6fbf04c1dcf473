# diagnosis: even with no padding at all
def attention_mask(lengths, T, causal=False):
    """lengths (B,) long -> (B, T, T) bool: True where query i of sequence b may attend to key j."""
    mask = padding_mask(lengths, T)[:, None, :].expand(-1, T, -1)
    if causal:
        mask = mask & causal_mask(T).T
    return mask
