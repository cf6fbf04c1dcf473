# diagnosis: interleaves sines and cosines (chapter 2's 1-D layout)
# visible: fails (2 x 3 grid, dim 4, column 1)
# Chapter 2's table per axis: sin, cos, sin, cos, ... (even columns sines, odd columns cosines).
def sincos_2d_pos_embed(gh, gw, dim):
    """Fixed 2-D sine-cosine position embedding -> (gh*gw, dim): column x in the first half, row y in the second."""
    if dim % 4 != 0:
        raise ValueError("dim must be a multiple of 4")
    half = dim // 2
    ys, xs = torch.meshgrid(torch.arange(gh), torch.arange(gw), indexing="ij")
    out = torch.zeros(gh * gw, dim)
    for offset, pos in ((0, xs.reshape(-1).float()), (half, ys.reshape(-1).float())):
        for k in range(half // 2):
            omega = 10000 ** (-k / (dim // 4))
            out[:, offset + 2 * k] = torch.sin(pos * omega)
            out[:, offset + 2 * k + 1] = torch.cos(pos * omega)
    return out
