# diagnosis: gives different examples for the same seed: draw every random number from `generator`
# visible: fails (the same seed twice must give the same examples)
import random


def make_nsp_examples(sentences, doc_ids, *, generator):
    """sentences: list (N,); doc_ids: list of int (N,) -> list of (a, b, label), label 0 = IsNext, 1 = NotNext."""
    examples = []
    for i in range(len(sentences) - 1):
        if doc_ids[i + 1] != doc_ids[i]:
            continue
        if random.random() < 0.5:
            examples.append((sentences[i], sentences[i + 1], 0))
        else:
            others = [j for j in range(len(sentences)) if doc_ids[j] != doc_ids[i]]
            examples.append((sentences[i], sentences[random.choice(others)], 1))
    return examples
