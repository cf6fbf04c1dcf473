# diagnosis: the random sentences B repeat a few sentences
# The random sentence is drawn once, before the loop, and drawn again only when it falls in A's
# document: every NotNext pair of a stretch of documents gets the same B.
def make_nsp_examples(sentences, doc_ids, *, generator):
    """sentences: list (N,); doc_ids: list of int (N,) -> list of (a, b, label), label 0 = IsNext, 1 = NotNext."""
    n, examples = len(sentences), []
    j = int(torch.randint(n, (), generator=generator))
    for i in range(n - 1):
        if doc_ids[i + 1] != doc_ids[i]:
            continue
        if torch.rand((), generator=generator) < 0.5:
            examples.append((sentences[i], sentences[i + 1], 0))
            continue
        while doc_ids[j] == doc_ids[i]:
            j = int(torch.randint(n, (), generator=generator))
        examples.append((sentences[i], sentences[j], 1))
    return examples
