"""Hidden checks for ``04a_wordpiece_and_pairs.ipynb``.

The oracles are written here from the rules the notebook states (greedy longest
match first; google-research/bert's ``_truncate_seq_pair``), each mistake as the
same code with one rule changed.  The tokenizer's outputs cross the sandbox as
vocabulary indices (``-1``: a piece not in the vocabulary, ``-2``: end of a word).
"""
from __future__ import annotations

import torch

from ..core import Spec, register

# ------------------------------------------------------------ WordPiece
_LETTERS = "abcdefgh"  # 'h' is in no piece: a word with an 'h' is unknown


def _wordpiece_cases(gen):
    def r(n):
        return int(torch.randint(n, (1,), generator=gen))

    def word(lo, hi, letters=_LETTERS[:-1]):
        return "".join(letters[r(len(letters))] for _ in range(lo + r(hi - lo + 1)))

    cases = []
    for unk, max_chars in [("[UNK]", 100), ("<unk>", 9), ("[UNK]", 12)]:
        pieces = set(_LETTERS[:-1]) | {"##" + c for c in _LETTERS[:-2]}  # no '##g': g only starts a word
        while len(pieces) < 60:
            w = word(2, 4)
            pieces.add(w if r(2) else "##" + w)
        vocab = ["[PAD]", unk, "[CLS]", "[SEP]", "[MASK]", *sorted(pieces)]
        words = [word(1, 8) for _ in range(40)]
        words += [p.removeprefix("##") + q.removeprefix("##") for p, q in zip(vocab[5:25], vocab[25:45])]
        words += [word(2, 5) + "h" + word(1, 3), "h", "",
                  # 'a'-'f' have '##' pieces: these words can be covered, so only the length guard makes them [unk]
                  word(max_chars, max_chars, _LETTERS[:-2]), word(max_chars + 1, max_chars + 1, _LETTERS[:-2])]
        cases.append({"words": words, "vocab": vocab, "unk": unk, "max_chars": max_chars})
    return cases


def _pieces(word, vocab, unk, max_chars, *, longest=True, hash_rest=True, hash_first=False, partial=False,
            skip_char=False, guard=True, guard_inclusive=False, min_piece=1):
    """WordPiece of one word, with one rule changed for a known mistake."""
    if guard and (len(word) >= max_chars if guard_inclusive else len(word) > max_chars):
        return [unk]
    out, start = [], 0
    while start < len(word):
        ends = range(len(word), start + min_piece - 1, -1) if longest else range(start + 1, len(word) + 1)
        found = None
        for end in ends:
            prefixed = (start > 0 and hash_rest) or (start == 0 and hash_first)
            piece = ("##" if prefixed else "") + word[start:end]
            if piece in vocab:
                found = (piece, end)
                break
        if found is None:
            if partial:
                return out + [unk]
            if skip_char:
                out.append(unk)
                start += 1
                continue
            return [unk]
        out.append(found[0])
        start = found[1]
    return out


def _wordpiece(c, **kw):
    vocab, index = set(c["vocab"]), {p: i for i, p in enumerate(c["vocab"])}
    ids = []
    for w in c["words"]:
        ids += [index.get(p, -1) for p in _pieces(w, vocab, c["unk"], c["max_chars"], **kw)] + [-2]
    return {"pieces": torch.tensor(ids, dtype=torch.long)}


register(Spec(
    name="ch04.wordpiece_tokenize", what="wordpiece_tokenize",
    cases=_wordpiece_cases,
    call={"args": ["words", "vocab", "unk", "max_chars"], "outputs": ["pieces"]},
    reference=_wordpiece,
    atol=0.0,
    forbidden=("tokenizers", "transformers", "WordPiece", "BertTokenizer", "BertWordPieceTokenizer"),
    mistakes={
        "takes the shortest matching piece first; WordPiece takes the longest piece in the vocabulary at every step":
            lambda c: _wordpiece(c, longest=False),
        "the continuation pieces lack their '##' prefix: every piece after the first is looked up as '##' + text":
            lambda c: _wordpiece(c, hash_rest=False),
        "the first piece of a word carries '##' too: only continuation pieces (after the first) have it":
            lambda c: _wordpiece(c, hash_first=True),
        "a word that cannot be covered returns the pieces found so far plus the unknown token; it must become the "
        "single unknown token, [unk]":
            lambda c: _wordpiece(c, partial=True),
        "only the character that fits no piece becomes the unknown token; when no piece fits, the whole word is [unk]":
            lambda c: _wordpiece(c, skip_char=True),
        "never tries a piece of a single character: the inner loop must go down to end = start + 1":
            lambda c: _wordpiece(c, min_piece=2),
        "words longer than max_chars are not turned into [unk]":
            lambda c: _wordpiece(c, guard=False),
        "a word of exactly max_chars characters becomes [unk]; only words longer than max_chars do":
            lambda c: _wordpiece(c, guard_inclusive=True),
    },
))


# --------------------------------------------------------- pair packing
def _pack_cases(gen):
    def ids(n):
        return torch.randint(10, 90, (n,), generator=gen)

    cases = []
    # (len A, len B, max_len): fits, fits exactly, ties, A longer, B longer, B empty, odd and even budgets
    for la, lb, max_len, special in [(3, 4, 12, (2, 3, 0)), (6, 4, 10, (2, 3, 0)), (5, 5, 10, (101, 102, 0)),
                                     (9, 2, 12, (7, 8, 1)), (2, 11, 11, (2, 3, 0)), (4, 0, 9, (2, 3, 0)),
                                     (8, 8, 13, (5, 6, 9)), (3, 3, 9, (2, 3, 0))]:
        cls_id, sep_id, pad_id = special
        cases.append({"a": ids(la), "b": ids(lb), "max_len": max_len, "cls_id": cls_id, "sep_id": sep_id,
                      "pad_id": pad_id})
    return cases


def _pack(c, *, budget=3, trim="longer", from_front=False, first_sep_segment=0, pad_segment=0, mask_padding=True,
          mask_inverted=False):
    """The packed pair, with one rule changed for a known mistake."""
    a, b, max_len = c["a"].tolist(), c["b"].tolist(), c["max_len"]
    while len(a) + len(b) > max_len - budget:
        if trim == "longer":
            side = a if len(a) > len(b) else b
        elif trim == "longer_a_on_tie":
            side = a if len(a) >= len(b) else b
        else:  # "b_only"
            side = b if b else a
        side.pop(0 if from_front else -1)
    tokens = [c["cls_id"], *a, c["sep_id"], *b, c["sep_id"]]
    n = len(tokens)
    length = max(max_len, n)
    input_ids = torch.tensor(tokens + [c["pad_id"]] * (length - n))
    types = torch.tensor([0] * (len(a) + 1) + [first_sep_segment] + [1] * (len(b) + 1) + [pad_segment] * (length - n))
    mask = torch.tensor([1] * n + [0 if mask_padding else 1] * (length - n))
    if mask_inverted:
        mask = 1 - mask
    return {"input_ids": input_ids, "token_type_ids": types, "attention_mask": mask}


register(Spec(
    name="ch04.pack_pair", what="pack_pair",
    cases=_pack_cases,
    call={"args": ["a", "b", "max_len", "cls_id", "sep_id", "pad_id"],
          "outputs": ["input_ids", "token_type_ids", "attention_mask"]},
    reference=_pack,
    atol=0.0,
    mistakes={
        "the first [SEP] gets segment id 1; it ends segment A and has id 0 (only B and the second [SEP] have 1)":
            lambda c: _pack(c, first_sep_segment=1),
        "padding gets segment id 1; padding positions have segment id 0":
            lambda c: _pack(c, pad_segment=1),
        "the attention mask is 1 on padding too: it is 1 on real tokens and 0 on padding":
            lambda c: _pack(c, mask_padding=False),
        "the attention mask is inverted: 1 on real tokens (may be attended to), 0 on padding":
            lambda c: _pack(c, mask_inverted=True),
        "truncation removes tokens from B only; BERT shortens whichever segment is longer, one token at a time":
            lambda c: _pack(c, trim="b_only"),
        "truncation removes tokens from the front of a segment; it removes them from the end":
            lambda c: _pack(c, from_front=True),
        "when A and B are equally long, truncation shortens A; BERT's _truncate_seq_pair shortens B on a tie":
            lambda c: _pack(c, trim="longer_a_on_tie"),
        "the length budget forgets the special tokens: A and B together may have max_len - 3 tokens "
        "([CLS] and two [SEP])":
            lambda c: _pack(c, budget=0),
        "the length budget counts only two special tokens: [CLS] and two [SEP] leave max_len - 3 for A and B":
            lambda c: _pack(c, budget=2),
    },
))
