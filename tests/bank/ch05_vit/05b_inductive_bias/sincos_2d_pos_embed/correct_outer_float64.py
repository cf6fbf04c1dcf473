def sincos_2d_pos_embed(gh, gw, dim):
    """Fixed 2-D sine-cosine position embedding -> (gh*gw, dim): column x in the first half, row y in the second."""
    # Positions from the flat index (y = i // gw, x = i % gw), the angles as outer products; the table
    # is left in float64 (the check compares values).
    if dim % 4:
        raise ValueError("dim must be a multiple of 4")
    f = dim // 4
    i = torch.arange(gh * gw, dtype=torch.float64)
    y, x = torch.div(i, gw, rounding_mode="floor"), i % gw
    omega = torch.exp(-math.log(10000.0) * torch.arange(f, dtype=torch.float64) / f)
    ax, ay = torch.outer(x, omega), torch.outer(y, omega)
    return torch.cat([ax.sin(), ax.cos(), ay.sin(), ay.cos()], dim=1)
