def make_nsp_examples(sentences, doc_ids, *, generator):
    """sentences: list (N,); doc_ids: list of int (N,) -> list of (a, b, label), label 0 = IsNext, 1 = NotNext."""
    # for each document, the indices of the sentences of every other document
    others = {d: [j for j, e in enumerate(doc_ids) if e != d] for d in set(doc_ids)}
    examples = []
    for i, (here, after) in enumerate(zip(doc_ids, doc_ids[1:])):
        if here != after:
            continue
        not_next = bool(torch.randint(2, (1,), generator=generator))
        if not_next:
            pool = others[here]
            b = sentences[pool[int(torch.randint(len(pool), (1,), generator=generator))]]
        else:
            b = sentences[i + 1]
        examples.append((sentences[i], b, int(not_next)))
    return examples
