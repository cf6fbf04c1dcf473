# diagnosis: changes its input x in place
# visible: fails (the caller's x is now (B, N, T, D): location 4 is out of range)
# transpose_ taken for a transpose that sticks: the values are right, but the caller's tensor is
# turned round.
def time_attention(x, attn):
    """x (B, T, N, D) -> (B, T, N, D): each location's T tokens attend to each other."""
    B, T, N, D = x.shape
    x.transpose_(1, 2)  # (B, N, T, D)
    return attn(x.reshape(B * N, T, D)).reshape(B, N, T, D).transpose(1, 2)
