def attention_mask(lengths, T, causal=False):
    """lengths (B,) long -> (B, T, T) bool: True where query i of sequence b may attend to key j."""
    position = torch.arange(T)
    key_is_real = position[None, None, :] < lengths[:, None, None]  # (B, 1, T)
    allowed = key_is_real & (position[None, None, :] <= position[None, :, None]) if causal else key_is_real
    return allowed.expand(len(lengths), T, T)
