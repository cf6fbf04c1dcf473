# diagnosis: the padding masks the queries (rows) instead of the keys (columns)
def attention_mask(lengths, T, causal=False):
    """lengths (B,) long -> (B, T, T) bool: True where query i of sequence b may attend to key j."""
    mask = padding_mask(lengths, T)[:, :, None].expand(-1, T, T)  # (B, T, 1) -> (B, T, T)
    if causal:
        mask = mask & causal_mask(T)
    return mask
