# diagnosis: you returned an additive mask (0 and -inf)
def causal_mask(T):
    """-> (T, T) bool, True where query i may attend to key j, i.e. j <= i."""
    return torch.zeros(T, T).masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
