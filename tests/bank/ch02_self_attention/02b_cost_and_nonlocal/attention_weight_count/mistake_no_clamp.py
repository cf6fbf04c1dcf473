# diagnosis: a window wider than the sequence holds every pair
# visible: fails
def attention_weight_count(T, radius=None):
    """-> int: the (query, key) pairs of one head's weights, all T * T or those with |i - j| <= radius."""
    if radius is None:
        return T * T
    return T * (2 * radius + 1) - radius * (radius + 1)
