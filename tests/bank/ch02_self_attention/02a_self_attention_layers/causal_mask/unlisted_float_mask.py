# diagnosis: none
def causal_mask(T):
    """-> (T, T) bool, True where query i may attend to key j, i.e. j <= i."""
    return torch.ones(T, T).tril()
