# diagnosis: takes the shortest matching piece first
# visible: fails (the toy word "flightless" must be flight ##less)
def wordpiece_tokenize(word, vocab, *, unk="[UNK]", max_chars=100):
    """word: str (one word, no white space); vocab: container of pieces -> list of pieces."""
    if len(word) > max_chars:
        return [unk]
    pieces, start = [], 0
    while start < len(word):
        for end in range(start + 1, len(word) + 1):  # grow the piece until it is in the vocabulary
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
        else:
            return [unk]
        pieces.append(piece)
        start = end
    return pieces
