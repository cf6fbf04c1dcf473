def video_to_patches(video, patch):
    """video (B, C, T, H, W) -> patches (B, T, N, C*P*P), N = (H/P)(W/P), row by row, (C, P, P) inside."""
    # Frames first, then split W and H with unflatten and move the grid axes before the channels.
    x = video.movedim(2, 1)                                      # (B, T, C, H, W)
    x = x.unflatten(4, (-1, patch)).unflatten(3, (-1, patch))    # (B, T, C, gh, P, gw, P)
    x = x.movedim((3, 5), (2, 3))                                # (B, T, gh, gw, C, P, P)
    return x.flatten(4).flatten(2, 3)                            # (B, T, N, C*P*P)
