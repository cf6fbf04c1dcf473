# The interpolation as a matrix: each fine point's normalised weights scattered into a (B, N, M) row
# that is zero outside its k nearest coarse points, then one batched product with the features.
def interpolate(pos_fine, pos_coarse, features, k=3):
    """pos_fine (B, N, 3), pos_coarse (B, M, 3), features (B, M, C) -> (B, N, C): inverse-squared-distance weights."""
    idx = knn(pos_fine, pos_coarse, k)                                              # (B, N, k)
    offsets = pos_fine[:, :, None, :] - index_points(pos_coarse, idx)               # (B, N, k, 3)
    w = 1.0 / (torch.einsum("bnkd,bnkd->bnk", offsets, offsets) + 1e-8)
    w = w / w.sum(-1, keepdim=True)
    matrix = torch.zeros(idx.shape[0], idx.shape[1], pos_coarse.shape[1], dtype=w.dtype, device=w.device)
    matrix = matrix.scatter(-1, idx, w)                                             # (B, N, M), rows sum to 1
    return torch.einsum("bnm,bmc->bnc", matrix, features.to(w.dtype))
