# diagnosis: changes its input attentions in place
# The right values: the list is turned round so that the last layer is on the left of the
# product, but list.reverse() turns the caller's own list round.
def attention_rollout(attentions, *, residual=True):
    """attentions: list of L tensors (B, H, T, T), first layer first -> rollout (B, T, T)."""
    attentions.reverse()  # last layer first
    rollout = None
    for att in attentions:
        a = att.mean(dim=1)
        if residual:
            a = (a + torch.eye(a.shape[-1])) / 2
        rollout = a if rollout is None else rollout @ a
    return rollout
