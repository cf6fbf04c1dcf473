# diagnosis: a word that cannot be covered returns the pieces found so far plus the unknown token
# visible: fails (the toy word "unable" has no piece at 'b')
def wordpiece_tokenize(word, vocab, *, unk="[UNK]", max_chars=100):
    """word: str (one word, no white space); vocab: container of pieces -> list of pieces."""
    if len(word) > max_chars:
        return [unk]
    pieces, start = [], 0
    while start < len(word):
        found = None
        for end in range(len(word), start, -1):
            piece = ("##" if start else "") + word[start:end]
            if piece in vocab:
                found = end
                break
        if found is None:
            pieces.append(unk)  # the rest of the word is unknown
            break
        pieces.append(piece)
        start = found
    return pieces
