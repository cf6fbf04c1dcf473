def pack_pair(ids_a, ids_b, *, max_len, cls_id, sep_id, pad_id):
    """ids_a (n,), ids_b (m,) long -> input_ids, token_type_ids, attention_mask, each (max_len,) long."""
    a, b = ids_a.clone(), ids_b.clone()
    while len(a) + len(b) > max_len - 3:
        if len(a) > len(b):
            a = a[:-1]
        else:
            b = b[:-1]
    position = torch.arange(max_len)
    end_a, end = len(a) + 2, len(a) + len(b) + 3   # [CLS] A [SEP] | B [SEP] | padding
    input_ids = torch.full((max_len,), pad_id, dtype=torch.long)
    input_ids[0], input_ids[end_a - 1], input_ids[end - 1] = cls_id, sep_id, sep_id
    input_ids[1:end_a - 1] = a
    input_ids[end_a:end - 1] = b
    attention_mask = (position < end).long()
    token_type_ids = ((position >= end_a) & (position < end)).long()
    return input_ids, token_type_ids, attention_mask
