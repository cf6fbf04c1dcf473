# diagnosis: uses conv3d, which this task asks you not to use
# A (1, P, P) convolution with a one-hot kernel per output value, as a tubelet embedding would cut
# the clip: the right values, but a convolution, which the task rules out.
def video_to_patches(video, patch):
    """video (B, C, T, H, W) -> patches (B, T, N, C*P*P), N = (H/P)(W/P), row by row, (C, P, P) inside."""
    B, C, T, H, W = video.shape
    eye = torch.eye(C * patch * patch, dtype=video.dtype).reshape(C * patch * patch, C, 1, patch, patch)
    out = F.conv3d(video, eye, stride=(1, patch, patch))  # (B, C*P*P, T, H/P, W/P)
    return out.flatten(3).permute(0, 2, 3, 1)
