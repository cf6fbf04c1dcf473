# diagnosis: of the pairs are NotNext; each pair should be NotNext with probability 1/2
# A random sentence that falls in A's document is not drawn again: the pair becomes IsNext instead,
# so with few documents far fewer than half of the pairs are NotNext (hidden: a corpus of two documents).
def make_nsp_examples(sentences, doc_ids, *, generator):
    """sentences: list (N,); doc_ids: list of int (N,) -> list of (a, b, label), label 0 = IsNext, 1 = NotNext."""
    n, examples = len(sentences), []
    for i in range(n - 1):
        if doc_ids[i + 1] != doc_ids[i]:
            continue
        j = i + 1
        if torch.rand((), generator=generator) < 0.5:
            j = int(torch.randint(n, (), generator=generator))
        if doc_ids[j] == doc_ids[i]:  # the same document: use the real next sentence
            examples.append((sentences[i], sentences[i + 1], 0))
        else:
            examples.append((sentences[i], sentences[j], 1))
    return examples
