def causal_mask(T):
    """-> (T, T) bool, True where query i may attend to key j, i.e. j <= i."""
    i = torch.arange(T)
    return i[None, :] <= i[:, None]  # key index j (columns) <= query index i (rows)
