# diagnosis: radius is the distance on each side
# visible: fails
def attention_weight_count(T, radius=None):
    """-> int: the (query, key) pairs of one head's weights, all T * T or those with |i - j| <= radius."""
    if radius is None:
        return T * T
    return sum(min(i, radius) + 1 for i in range(T))
