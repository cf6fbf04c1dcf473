# diagnosis: the attention mask is inverted
# visible: fails (the attention mask of a short pair is spelled out)
def pack_pair(ids_a, ids_b, *, max_len, cls_id, sep_id, pad_id):
    """ids_a (n,), ids_b (m,) long -> input_ids, token_type_ids, attention_mask, each (max_len,) long."""
    a, b = ids_a.tolist(), ids_b.tolist()
    while len(a) + len(b) > max_len - 3:
        if len(a) > len(b):
            a = a[:-1]
        else:
            b = b[:-1]
    tokens = [cls_id] + a + [sep_id] + b + [sep_id]
    types = [0] * (len(a) + 2) + [1] * (len(b) + 1)
    pad = max_len - len(tokens)
    input_ids = torch.tensor(tokens + [pad_id] * pad, dtype=torch.long)
    token_type_ids = torch.tensor(types + [0] * pad, dtype=torch.long)
    attention_mask = (input_ids == pad_id).long()  # the mask marks the padding
    return input_ids, token_type_ids, attention_mask
