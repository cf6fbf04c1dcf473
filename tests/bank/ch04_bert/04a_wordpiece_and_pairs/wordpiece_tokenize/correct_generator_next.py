def wordpiece_tokenize(word, vocab, *, unk="[UNK]", max_chars=100):
    """word: str (one word, no white space); vocab: container of pieces -> list of pieces."""
    if len(word) > max_chars:
        return [unk]
    out = []
    rest = word
    while rest:
        marker = "##" if out else ""
        size = next((k for k in reversed(range(1, len(rest) + 1)) if marker + rest[:k] in vocab), 0)
        if size == 0:
            return [unk]
        out.append(marker + rest[:size])
        rest = rest[size:]
    return out
