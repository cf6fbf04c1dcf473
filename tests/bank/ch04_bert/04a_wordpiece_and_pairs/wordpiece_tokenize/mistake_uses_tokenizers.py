# diagnosis: uses WordPiece, which this task asks you not to use
# visible: fails (tokenizers' WordPiece raises: the toy vocabulary has no [UNK])
# The setup cell imports tokenizers' WordPiece; this wraps it instead of writing the rule.
def wordpiece_tokenize(word, vocab, *, unk="[UNK]", max_chars=100):
    """word: str (one word, no white space); vocab: container of pieces -> list of pieces."""
    key = (id(vocab), unk, max_chars)
    if _models.get("key") != key:
        _models["key"] = key
        _models["model"] = WordPiece({p: i for i, p in enumerate(sorted(vocab))}, unk_token=unk,
                                     max_input_chars_per_word=max_chars)
    return [t.value for t in _models["model"].tokenize(word)]


_models = {}
