def video_to_patches(video, patch):
    """video (B, C, T, H, W) -> patches (B, T, N, C*P*P), N = (H/P)(W/P), row by row, (C, P, P) inside."""
    # Chapter 5's patchify on each frame, the frames stacked on a new axis 1.
    B, C, T, H, W = video.shape
    gh, gw = H // patch, W // patch
    frames = []
    for t in range(T):
        img = video[:, :, t]                                        # (B, C, H, W)
        x = img.reshape(B, C, gh, patch, gw, patch).permute(0, 2, 4, 1, 3, 5)
        frames.append(x.reshape(B, gh * gw, C * patch * patch))
    return torch.stack(frames, dim=1)
