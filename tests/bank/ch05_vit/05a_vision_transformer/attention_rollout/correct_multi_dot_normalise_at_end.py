def attention_rollout(attentions, *, residual=True):
    """attentions: list of L tensors (B, H, T, T), first layer first -> rollout (B, T, T)."""
    # Each layer's mean + I has rows summing to 2; the product's rows sum to 2^L, and dividing the
    # product by its row sums at the end is the same as halving every layer.
    stacked = torch.stack(attentions).mean(dim=2)  # (L, B, T, T)
    if residual:
        stacked = stacked + torch.eye(stacked.shape[-1])
    out = []
    for b in range(stacked.shape[1]):
        mats = [stacked[l, b] for l in reversed(range(stacked.shape[0]))]
        out.append(torch.linalg.multi_dot(mats) if len(mats) > 1 else mats[0])
    rollout = torch.stack(out)
    return rollout / rollout.sum(dim=-1, keepdim=True)
