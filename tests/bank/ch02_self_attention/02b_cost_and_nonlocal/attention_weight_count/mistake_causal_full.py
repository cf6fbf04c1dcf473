# diagnosis: full attention (radius None) holds all T * T pairs
# visible: fails
def attention_weight_count(T, radius=None):
    """-> int: the (query, key) pairs of one head's weights, all T * T or those with |i - j| <= radius."""
    if radius is None:
        return T * (T + 1) // 2
    return sum(min(T - 1, i + radius) - max(0, i - radius) + 1 for i in range(T))
