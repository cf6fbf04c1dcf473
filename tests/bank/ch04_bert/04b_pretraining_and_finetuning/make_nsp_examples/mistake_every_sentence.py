# diagnosis: makes an example for the last sentence of a document too
# visible: fails (the A of each example is spelled out)
# The last sentence of a document has no next sentence, so it always gets a random one (NotNext).
def make_nsp_examples(sentences, doc_ids, *, generator):
    """sentences: list (N,); doc_ids: list of int (N,) -> list of (a, b, label), label 0 = IsNext, 1 = NotNext."""
    n, examples = len(sentences), []
    for i in range(n - 1):
        last = doc_ids[i + 1] != doc_ids[i]
        if not last and torch.rand((), generator=generator) < 0.5:
            examples.append((sentences[i], sentences[i + 1], 0))
            continue
        j = int(torch.randint(n, (), generator=generator))
        while doc_ids[j] == doc_ids[i]:
            j = int(torch.randint(n, (), generator=generator))
        examples.append((sentences[i], sentences[j], 1))
    return examples
