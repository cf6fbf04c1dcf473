def wordpiece_tokenize(word, vocab, *, unk="[UNK]", max_chars=100):
    """word: str (one word, no white space); vocab: container of pieces -> list of pieces."""
    if len(word) > max_chars:
        return [unk]

    def cover(rest, prefix):
        """The pieces of `rest` (None if it cannot be covered), the first one with `prefix`."""
        if not rest:
            return []
        for size in range(len(rest), 0, -1):
            if prefix + rest[:size] in vocab:
                tail = cover(rest[size:], "##")
                return None if tail is None else [prefix + rest[:size], *tail]
        return None

    pieces = cover(word, "")
    return [unk] if pieces is None else pieces
