# diagnosis: transposes the attention maps
# visible: fails (R = A3 A2 A1 with the identity)
# Columns taken as the queries: each map is transposed before the identity is added.
def attention_rollout(attentions, *, residual=True):
    """attentions: list of L tensors (B, H, T, T), first layer first -> rollout (B, T, T)."""
    result = None
    for att in attentions:
        a = att.mean(dim=1).transpose(1, 2)  # (B, T, T), a[b, key, query]
        if residual:
            a = 0.5 * a + 0.5 * torch.eye(a.shape[-1])
            a = a / a.sum(-1, keepdim=True)
        result = a if result is None else a @ result
    return result
