# diagnosis: mask is wrong at
def attention_mask(lengths, T, causal=False):
    """lengths (B,) long -> (B, T, T) bool: True where query i of sequence b may attend to key j."""
    real = padding_mask(lengths, T)
    mask = real[:, :, None] & real[:, None, :]  # both the query and the key must be real tokens
    if causal:
        mask = mask & causal_mask(T)
    return mask
