# diagnosis: only the character that fits no piece becomes the unknown token
# visible: fails (the toy word "unable" has no piece at 'b')
def wordpiece_tokenize(word, vocab, *, unk="[UNK]", max_chars=100):
    """word: str (one word, no white space); vocab: container of pieces -> list of pieces."""
    if len(word) > max_chars:
        return [unk]
    pieces, start = [], 0
    while start < len(word):
        prefix = "" if start == 0 else "##"
        for end in range(len(word), start, -1):
            if prefix + word[start:end] in vocab:
                pieces.append(prefix + word[start:end])
                start = end
                break
        else:  # this character fits no piece: it alone is unknown, go on with the next one
            pieces.append(unk)
            start += 1
    return pieces
