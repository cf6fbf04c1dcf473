def pack_pair(ids_a, ids_b, *, max_len, cls_id, sep_id, pad_id):
    """ids_a (n,), ids_b (m,) long -> input_ids, token_type_ids, attention_mask, each (max_len,) long."""
    na, nb = len(ids_a), len(ids_b)
    while na + nb > max_len - 3:  # count what is kept, one token at a time
        if na > nb:
            na -= 1
        else:
            nb -= 1
    input_ids, token_type_ids, attention_mask = [], [], []
    for token, segment in ([(cls_id, 0)] + [(int(t), 0) for t in ids_a[:na]] + [(sep_id, 0)]
                           + [(int(t), 1) for t in ids_b[:nb]] + [(sep_id, 1)]):
        input_ids.append(token)
        token_type_ids.append(segment)
        attention_mask.append(1)
    for _ in range(max_len - len(input_ids)):
        input_ids.append(pad_id)
        token_type_ids.append(0)
        attention_mask.append(0)
    return (torch.tensor(input_ids, dtype=torch.long), torch.tensor(token_type_ids, dtype=torch.long),
            torch.tensor(attention_mask, dtype=torch.long))
