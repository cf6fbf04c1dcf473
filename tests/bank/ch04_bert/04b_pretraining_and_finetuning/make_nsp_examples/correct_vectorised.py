def make_nsp_examples(sentences, doc_ids, *, generator):
    """sentences: list (N,); doc_ids: list of int (N,) -> list of (a, b, label), label 0 = IsNext, 1 = NotNext."""
    docs = torch.tensor(doc_ids)
    a = torch.nonzero(docs[1:] == docs[:-1]).flatten()                    # sentences with a successor
    labels = (torch.rand(len(a), generator=generator) < 0.5).long()       # all the coins at once
    weights = (docs[None, :] != docs[a][:, None]).float()                 # (E, N): 1 on other documents
    random_b = torch.multinomial(weights, 1, generator=generator).flatten() if len(a) else a
    b = torch.where(labels == 1, random_b, a + 1)
    return [(sentences[i], sentences[j], y) for i, j, y in zip(a.tolist(), b.tolist(), labels.tolist())]
