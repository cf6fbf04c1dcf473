# diagnosis: the continuation pieces lack their '##' prefix
# visible: fails (the toy vocabulary's continuations exist only as '##' pieces)
def wordpiece_tokenize(word, vocab, *, unk="[UNK]", max_chars=100):
    """word: str (one word, no white space); vocab: container of pieces -> list of pieces."""
    if len(word) > max_chars:
        return [unk]
    if not word:
        return []
    for end in range(len(word), 0, -1):
        if word[:end] in vocab:
            rest = wordpiece_tokenize(word[end:], vocab, unk=unk, max_chars=max_chars)  # the rest, as a word
            return [unk] if rest == [unk] else [word[:end], *rest]
    return [unk]
