def attention_weight_count(T, radius=None):
    """-> int: the (query, key) pairs of one head's weights, all T * T or those with |i - j| <= radius."""
    if radius is None:
        radius = T
    outside = max(T - 1 - radius, 0)  # each corner triangle outside the band: 1 + 2 + ... + outside
    return T * T - outside * (outside + 1)
