# diagnosis: the first piece of a word carries '##' too
# visible: fails (no toy piece starts with ##f)
def wordpiece_tokenize(word, vocab, *, unk="[UNK]", max_chars=100):
    """word: str (one word, no white space); vocab: container of pieces -> list of pieces."""
    if len(word) > max_chars:
        return [unk]
    out, i = [], 0
    while i < len(word):
        for j in range(len(word), i, -1):
            candidate = "##" + word[i:j]  # a WordPiece piece is marked with ##
            if candidate in vocab:
                out.append(candidate)
                i = j
                break
        else:
            return [unk]
    return out
