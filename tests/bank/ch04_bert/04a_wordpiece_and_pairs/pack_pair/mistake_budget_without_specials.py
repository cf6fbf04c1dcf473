# diagnosis: the length budget forgets the special tokens
# visible: fails (the truncated pair of 6 and 4 tokens into 10 is spelled out)
def pack_pair(ids_a, ids_b, *, max_len, cls_id, sep_id, pad_id):
    """ids_a (n,), ids_b (m,) long -> input_ids, token_type_ids, attention_mask, each (max_len,) long."""
    a, b = list(ids_a.tolist()), list(ids_b.tolist())
    while len(a) + len(b) > max_len:  # A and B must fit in max_len
        if len(a) > len(b):
            a.pop()
        else:
            b.pop()
    tokens = [cls_id] + a + [sep_id] + b + [sep_id]
    pad = [pad_id] * (max_len - len(tokens))
    segments = [0] * (1 + len(a) + 1) + [1] * (len(b) + 1) + [0] * len(pad)
    mask = [1] * len(tokens) + [0] * len(pad)
    return (torch.tensor(tokens + pad, dtype=torch.long), torch.tensor(segments, dtype=torch.long),
            torch.tensor(mask, dtype=torch.long))
