def attention_rollout(attentions, *, residual=True):
    """attentions: list of L tensors (B, H, T, T), first layer first -> rollout (B, T, T)."""
    # The heads' mean has rows summing to 1, so 0.5 A + 0.5 I needs no renormalising.
    import functools

    T = attentions[0].shape[-1]
    eye = torch.eye(T, dtype=attentions[0].dtype)
    layers = [0.5 * att.mean(1) + 0.5 * eye if residual else att.mean(1) for att in attentions]
    # reversed() reads the list backwards without changing it: R = A_L ... A_1
    return functools.reduce(torch.bmm, reversed(layers))
