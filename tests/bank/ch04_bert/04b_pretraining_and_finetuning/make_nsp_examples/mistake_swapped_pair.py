# diagnosis: A and B are swapped: A is the earlier sentence
# visible: fails (the A of each example is spelled out)
def make_nsp_examples(sentences, doc_ids, *, generator):
    """sentences: list (N,); doc_ids: list of int (N,) -> list of (a, b, label), label 0 = IsNext, 1 = NotNext."""
    examples = []
    for i in range(len(sentences) - 1):
        if doc_ids[i] != doc_ids[i + 1]:
            continue
        if torch.rand(1, generator=generator).item() < 0.5:
            examples.append((sentences[i + 1], sentences[i], 0))  # the sentence, and the one before it
        else:
            j = torch.randint(len(sentences), (1,), generator=generator).item()
            while doc_ids[j] == doc_ids[i]:
                j = torch.randint(len(sentences), (1,), generator=generator).item()
            examples.append((sentences[j], sentences[i], 1))
    return examples
