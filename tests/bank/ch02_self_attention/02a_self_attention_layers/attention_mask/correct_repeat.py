def attention_mask(lengths, T, causal=False):
    """lengths (B,) long -> (B, T, T) bool: True where query i of sequence b may attend to key j."""
    mask = padding_mask(lengths, T).unsqueeze(1).repeat(1, T, 1)
    if causal:
        mask = torch.logical_and(mask, causal_mask(T).unsqueeze(0))
    return mask
