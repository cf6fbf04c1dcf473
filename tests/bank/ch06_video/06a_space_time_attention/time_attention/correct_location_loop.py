def time_attention(x, attn):
    """x (B, T, N, D) -> (B, T, N, D): each location's T tokens attend to each other."""
    # One location at a time: x[:, :, n] is (B, T, D), a batch of B sequences of T tokens.
    return torch.stack([attn(x[:, :, n]) for n in range(x.shape[2])], dim=2)
