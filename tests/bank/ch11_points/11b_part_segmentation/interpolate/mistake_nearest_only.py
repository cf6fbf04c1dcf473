# diagnosis: copies the nearest coarse point's features only
# visible: fails (cloud 0, against cKDTree and the formula)
# Nearest-neighbour upsampling: each fine point takes the features of its single nearest coarse point,
# as an image upsampled with mode="nearest"; k and the weights are never used.
def interpolate(pos_fine, pos_coarse, features, k=3):
    """pos_fine (B, N, 3), pos_coarse (B, M, 3), features (B, M, C) -> (B, N, C): inverse-squared-distance weights."""
    nearest = knn(pos_fine, pos_coarse, 1)[..., 0]            # (B, N)
    return index_points(features, nearest)                    # (B, N, C)
