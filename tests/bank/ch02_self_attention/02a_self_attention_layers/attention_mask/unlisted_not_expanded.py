# diagnosis: mask has shape
def attention_mask(lengths, T, causal=False):
    """lengths (B,) long -> (B, T, T) bool: True where query i of sequence b may attend to key j."""
    mask = padding_mask(lengths, T)[:, None, :]  # (B, 1, T): broadcasts over the queries
    if causal:
        mask = mask & causal_mask(T)
    return mask
