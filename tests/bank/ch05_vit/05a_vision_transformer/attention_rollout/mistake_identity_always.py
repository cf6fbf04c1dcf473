# diagnosis: adds the identity even with residual=False
# visible: fails (one layer, no residual: the heads' mean)
# The flag is accepted but never read.
def attention_rollout(attentions, *, residual=True):
    """attentions: list of L tensors (B, H, T, T), first layer first -> rollout (B, T, T)."""
    T = attentions[0].shape[-1]
    rollout = torch.eye(T).expand(attentions[0].shape[0], T, T)
    for att in attentions:
        a = 0.5 * att.mean(dim=1) + 0.5 * torch.eye(T)
        rollout = a @ rollout
    return rollout
