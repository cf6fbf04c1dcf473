def sincos_2d_pos_embed(gh, gw, dim):
    """Fixed 2-D sine-cosine position embedding -> (gh*gw, dim): column x in the first half, row y in the second."""
    # MAE's recipe in NumPy (np.meshgrid's default "xy" indexing with the width first gives
    # (gh, gw) grids, row by row), then a float32 tensor.
    if dim % 4 != 0:
        raise ValueError(f"dim must be a multiple of 4, not {dim}")
    omega = 1.0 / 10000 ** (np.arange(dim // 4, dtype=np.float64) / (dim / 4.0))
    xs, ys = np.meshgrid(np.arange(gw, dtype=np.float64), np.arange(gh, dtype=np.float64))

    def one_axis(pos):
        out = np.einsum("m,f->mf", pos.reshape(-1), omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=1)

    table = np.concatenate([one_axis(xs), one_axis(ys)], axis=1)
    return torch.from_numpy(table).float()
