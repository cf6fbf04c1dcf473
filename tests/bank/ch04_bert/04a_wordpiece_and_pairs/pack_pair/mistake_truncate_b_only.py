# diagnosis: truncation removes tokens from B only
# visible: fails (the truncated pair of 6 and 4 tokens into 10 is spelled out)
def pack_pair(ids_a, ids_b, *, max_len, cls_id, sep_id, pad_id):
    """ids_a (n,), ids_b (m,) long -> input_ids, token_type_ids, attention_mask, each (max_len,) long."""
    budget = max_len - 3
    b = ids_b[:max(0, budget - len(ids_a))]  # the second segment gives way first
    a = ids_a[:budget]
    n = len(a) + len(b) + 3
    input_ids = torch.full((max_len,), pad_id, dtype=torch.long)
    input_ids[:n] = torch.cat([torch.tensor([cls_id]), a, torch.tensor([sep_id]), b, torch.tensor([sep_id])])
    token_type_ids = torch.zeros(max_len, dtype=torch.long)
    token_type_ids[len(a) + 2:n] = 1
    attention_mask = (torch.arange(max_len) < n).long()
    return input_ids, token_type_ids, attention_mask
