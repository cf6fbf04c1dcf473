import torch.nn.functional as F


def pack_pair(ids_a, ids_b, *, max_len, cls_id, sep_id, pad_id):
    """ids_a (n,), ids_b (m,) long -> input_ids, token_type_ids, attention_mask, each (max_len,) long."""
    budget, na, nb = max_len - 3, len(ids_a), len(ids_b)
    if na + nb > budget:  # where _truncate_seq_pair ends, without the loop
        if nb < na and nb <= budget // 2:
            na = budget - nb          # only A is trimmed
        elif na < nb and na <= budget // 2:
            nb = budget - na          # only B is trimmed
        else:
            na, nb = (budget + 1) // 2, budget // 2  # both: A keeps the odd token (B goes first on a tie)
    cls, sep = ids_a.new_tensor([cls_id]), ids_a.new_tensor([sep_id])
    seg_a = torch.cat([cls, ids_a[:na], sep])
    seg_b = torch.cat([ids_b[:nb].long(), sep])
    n = len(seg_a) + len(seg_b)
    input_ids = F.pad(torch.cat([seg_a, seg_b]), (0, max_len - n), value=pad_id)
    token_type_ids = F.pad(torch.cat([torch.zeros_like(seg_a), torch.ones_like(seg_b)]), (0, max_len - n))
    attention_mask = F.pad(torch.ones(n, dtype=torch.long), (0, max_len - n))
    return input_ids.long(), token_type_ids.long(), attention_mask
