# diagnosis: the diagonal is missing
# other tests: pass
def causal_mask(T):
    """-> (T, T) bool, True where query i may attend to key j, i.e. j <= i."""
    return torch.ones(T, T, dtype=torch.bool).tril(diagonal=-1)
