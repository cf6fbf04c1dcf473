# diagnosis: changes its input attentions in place
# The identity added to every head of the input (mean_h (A + I) = mean_h A + I): the right values,
# but add_ writes into the caller's tensors.
def attention_rollout(attentions, *, residual=True):
    """attentions: list of L tensors (B, H, T, T), first layer first -> rollout (B, T, T)."""
    rollout = None
    for att in attentions:
        if residual:
            att.add_(torch.eye(att.shape[-1]))
        a = att.mean(dim=1)
        a = a / a.sum(dim=-1, keepdim=True)
        rollout = a if rollout is None else torch.bmm(a, rollout)
    return rollout
