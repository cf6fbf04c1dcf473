# diagnosis: the first [SEP] gets segment id 1
# visible: fails (the segment ids of a short pair are spelled out)
def pack_pair(ids_a, ids_b, *, max_len, cls_id, sep_id, pad_id):
    """ids_a (n,), ids_b (m,) long -> input_ids, token_type_ids, attention_mask, each (max_len,) long."""
    a, b = ids_a.tolist(), ids_b.tolist()
    while len(a) + len(b) > max_len - 3:
        if len(a) > len(b):
            a.pop()
        else:
            b.pop()
    first = [cls_id] + a             # segment 0: [CLS] A
    second = [sep_id] + b + [sep_id]  # segment 1: [SEP] B [SEP]
    pad = max_len - len(first) - len(second)
    input_ids = torch.tensor(first + second + [pad_id] * pad)
    token_type_ids = torch.tensor([0] * len(first) + [1] * len(second) + [0] * pad)
    attention_mask = torch.tensor([1] * (len(first) + len(second)) + [0] * pad)
    return input_ids, token_type_ids, attention_mask
