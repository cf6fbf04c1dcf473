def wordpiece_tokenize(word, vocab, *, unk="[UNK]", max_chars=100):
    """word: str (one word, no white space); vocab: container of pieces -> list of pieces."""
    if len(word) > max_chars:
        return [unk]
    pieces, start = [], 0
    while start < len(word):
        best = None
        for end in range(start + 1, len(word) + 1):  # every end, upward: the last match is the longest
            candidate = ("##" if pieces else "") + word[start:end]
            if candidate in vocab:
                best = (candidate, end)
        if best is None:
            return [unk]
        pieces.append(best[0])
        start = best[1]
    return pieces
