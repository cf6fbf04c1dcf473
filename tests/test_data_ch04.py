"""Chapter 4's helpers: the pydoc sentences and their topic split, BERT's basic tokenizer, the
reproducible WordPiece vocabulary and the fast tokenizer that packs pairs."""
from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from attncourse.data import bert
from attncourse.data.bert import (HELD_OUT_TOPICS, SPECIAL_TOKENS, TOPIC_CLASS, TOPIC_CLASSES, Sentence,
                                  basic_tokenize, load_pydoc_sentences, split_sentences, train_wordpiece_vocab,
                                  wordpiece_tokenizer)

BERT_PY = Path(bert.__file__).resolve()


@pytest.fixture(scope="module")
def sentences() -> list[Sentence]:
    return load_pydoc_sentences()


@pytest.fixture(scope="module")
def split(sentences):
    return split_sentences(sentences)


@pytest.fixture(scope="module")
def pretrain_texts(split) -> list[str]:
    return [s.text for s in split[0]]


@pytest.fixture(scope="module")
def vocab(pretrain_texts) -> list[str]:
    return train_wordpiece_vocab(pretrain_texts, vocab_size=2000)


# ------------------------------------------------------------------ sentences, topics, split
def test_load_pydoc_sentences_is_deterministic(sentences):
    assert load_pydoc_sentences() == sentences
    assert len(sentences) > 1000


def test_sentences_are_prose_in_topic_order(sentences):
    from pydoc_data.topics import topics

    order = sorted(topics)
    assert all(order[s.doc_id] == s.topic for s in sentences), "doc_id is the topic's index in sorted order"
    assert [s.doc_id for s in sentences] == sorted(s.doc_id for s in sentences), "sentences come in topic order"
    assert all(len(s.text.split()) >= 4 for s in sentences)
    assert len({s.text for s in sentences}) == len(sentences), "a sentence is kept once"
    assert all(s.text == s.text.strip() and "\n" not in s.text for s in sentences)
    shorter = load_pydoc_sentences(min_words=2)
    assert len(shorter) > len(sentences) and {s.text for s in sentences} <= {s.text for s in shorter}


def test_every_pydoc_topic_has_a_class():
    from pydoc_data.topics import topics

    assert set(topics) <= set(TOPIC_CLASS), f"topics without a class: {sorted(set(topics) - set(TOPIC_CLASS))}"
    listed = [t for names in bert._CLASS_OF.values() for t in names.split()]
    assert len(listed) == len(set(listed)) == len(TOPIC_CLASS), "no topic is listed in two classes"
    assert set(bert._CLASS_OF) == set(TOPIC_CLASSES)
    assert set(TOPIC_CLASS.values()) == set(range(len(TOPIC_CLASSES))), "every class has a topic"
    held = collections.Counter(TOPIC_CLASS[t] for t in HELD_OUT_TOPICS)
    assert held == {c: 2 for c in range(len(TOPIC_CLASSES))}, "two held-out topics per class"


def test_labels_are_the_topic_classes(sentences):
    assert all(s.label == TOPIC_CLASS[s.topic] for s in sentences)
    assert all(0 <= s.label < len(TOPIC_CLASSES) for s in sentences)
    assert {s.label for s in sentences} == set(range(len(TOPIC_CLASSES)))
    assert Sentence("x", "while", 0).label == TOPIC_CLASSES.index("statements")
    assert Sentence("x", "exceptions", 0).label == TOPIC_CLASSES.index("execution")


def test_split_holds_out_whole_topics(sentences, split):
    pretrain, held_out = split
    assert split_sentences(sentences) == split, "deterministic"
    assert len(pretrain) + len(held_out) == len(sentences)
    assert [s for s in sentences if s.topic in HELD_OUT_TOPICS] == held_out, "held-out sentences keep their order"
    assert {s.topic for s in held_out} <= set(HELD_OUT_TOPICS)
    assert {s.topic for s in pretrain}.isdisjoint(HELD_OUT_TOPICS)
    assert not {s.topic for s in pretrain} & {s.topic for s in held_out}, "the two splits share no topic"
    assert not {s.text for s in pretrain} & {s.text for s in held_out}, "the two splits share no sentence"
    every_class = set(range(len(TOPIC_CLASSES)))
    assert {s.label for s in pretrain} == every_class and {s.label for s in held_out} == every_class
    assert 0.05 < len(held_out) / len(sentences) < 0.4


# ------------------------------------------------------------------------- basic tokenizer
def test_basic_tokenize_splits_punctuation_lowercases_and_strips_accents():
    assert basic_tokenize('The "assert" statement: x+=1.') == \
        ["the", '"', "assert", '"', "statement", ":", "x", "+", "=", "1", "."]
    assert basic_tokenize("Café  déjà-vu\tNAÏVE") == ["cafe", "deja", "-", "vu", "naive"]
    assert basic_tokenize("a_b (c) [d]{e}") == ["a", "_", "b", "(", "c", ")", "[", "d", "]", "{", "e", "}"]
    assert basic_tokenize("“quoted” — and…") == ["“", "quoted", "”", "—", "and", "…"]  # Unicode punctuation
    assert basic_tokenize("") == [] and basic_tokenize(" \n ") == []
    assert basic_tokenize("Python3 __init__") == ["python3", "_", "_", "init", "_", "_"]


def test_basic_tokenize_words_are_plain(sentences):
    for s in sentences[::7]:
        for w in basic_tokenize(s.text):
            assert w and not any(c.isspace() for c in w) and w == w.lower()
            assert not any(unicodedata.category(c) == "Mn" for c in unicodedata.normalize("NFD", w))
            assert len(w) == 1 or not any(bert._is_punctuation(c) for c in w)


def test_basic_tokenize_agrees_with_tokenizers_bert_pre_tokenizer(sentences):
    from tokenizers.normalizers import BertNormalizer
    from tokenizers.pre_tokenizers import BertPreTokenizer

    normalizer = BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True)
    pre = BertPreTokenizer()
    texts = [s.text for s in sentences] + ['Café déjà-vu: naïve "QUOTES", x+=1; ¿qué? a_b']
    differ = [t for t in texts if basic_tokenize(t) != [w for w, _ in pre.pre_tokenize_str(normalizer.normalize_str(t))]]
    assert not differ, f"{len(differ)} texts differ from BertNormalizer + BertPreTokenizer, e.g. {differ[:2]}"


# ------------------------------------------------------------------------ WordPiece vocabulary
def test_vocab_is_deterministic_within_a_process(pretrain_texts, vocab):
    assert train_wordpiece_vocab(pretrain_texts, vocab_size=2000) == vocab
    assert train_wordpiece_vocab(list(pretrain_texts), vocab_size=2000) == vocab


_VOCAB_IN_A_FRESH_PROCESS = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("bert_fresh", sys.argv[1])
bert = importlib.util.module_from_spec(spec)
sys.modules["bert_fresh"] = bert
spec.loader.exec_module(bert)
pretrain, _ = bert.split_sentences(bert.load_pydoc_sentences())
print(json.dumps(bert.train_wordpiece_vocab([s.text for s in pretrain], vocab_size=2000)))
"""


def test_vocab_is_deterministic_across_processes(vocab):
    """Hugging Face's trainer breaks ties differently from one process to the next (string hashing
    is salted per process); this rule must not.  Two fresh interpreters with different hash seeds
    (bert.py alone, without the package's heavy imports) must learn this process's vocabulary."""
    procs = [subprocess.Popen([sys.executable, "-c", _VOCAB_IN_A_FRESH_PROCESS, str(BERT_PY)],
                              env={**os.environ, "PYTHONHASHSEED": seed}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for seed in ("1", "2")]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err[-2000:]
        assert json.loads(out) == vocab


def test_vocab_starts_with_the_special_tokens(vocab):
    assert SPECIAL_TOKENS == ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
    assert tuple(vocab[:5]) == SPECIAL_TOKENS
    assert not set(SPECIAL_TOKENS) & set(vocab[5:])


def test_vocab_has_every_character_and_its_continuation(pretrain_texts, vocab):
    chars = {c for text in pretrain_texts for w in basic_tokenize(text) for c in w}
    assert chars <= set(vocab)
    assert {"##" + c for c in chars} <= set(vocab)
    assert vocab[5:5 + 2 * len(chars)] == sorted(chars) + ["##" + c for c in sorted(chars)]


def test_vocab_has_no_duplicates_and_honours_the_size(pretrain_texts, vocab):
    assert len(vocab) == len(set(vocab)) == 2000
    chars = {c for text in pretrain_texts for w in basic_tokenize(text) for c in w}
    small = train_wordpiece_vocab(pretrain_texts, vocab_size=250)
    assert len(small) == len(set(small)) == 250
    assert small[:5 + 2 * len(chars)] == vocab[:5 + 2 * len(chars)]
    tiny = train_wordpiece_vocab(pretrain_texts, vocab_size=10)  # below the floor: specials and characters
    assert tiny == vocab[:5 + 2 * len(chars)]
    large = train_wordpiece_vocab(pretrain_texts, vocab_size=10_000)  # only pieces seen twice: fewer
    assert 2000 < len(large) < 10_000 and len(large) == len(set(large))
    assert all(p.removeprefix("##") for p in large)


def test_vocab_entries_are_words_pieces_and_continuations(pretrain_texts, vocab):
    words = {w for text in pretrain_texts for w in basic_tokenize(text)}
    beginnings = {w[:i] for w in words for i in range(1, len(w) + 1)}
    endings = {w[-i:] for w in words for i in range(1, len(w))} | {w for w in words if len(w) == 1}
    for piece in vocab[5:]:
        text = piece.removeprefix("##")
        assert text and not any(c.isspace() for c in text)
        assert text in (endings if piece.startswith("##") else beginnings), piece
    assert {"the", "statement", "function"} <= set(vocab), "frequent words are whole"


# ------------------------------------------------------------------------- the fast tokenizer
def _pieces(tokenizer, text):
    return tokenizer.encode(text, add_special_tokens=False).tokens


def test_wordpiece_tokenizer_packs_a_pair(vocab):
    tok = wordpiece_tokenizer(vocab)
    a, b = "The assert statement.", "It raises an Exception."
    pa, pb = _pieces(tok, a), _pieces(tok, b)
    assert pa[0] == "the" and pa[-1] == "." and pb[-1] == "."
    enc = tok.encode(a, b)
    assert enc.tokens == ["[CLS]", *pa, "[SEP]", *pb, "[SEP]"]
    assert enc.ids == [vocab.index(t) for t in enc.tokens]
    assert enc.type_ids == [0] * (len(pa) + 2) + [1] * (len(pb) + 1)
    assert enc.attention_mask == [1] * len(enc.tokens)


def test_wordpiece_tokenizer_pads_and_truncates_to_max_len(vocab):
    tok = wordpiece_tokenizer(vocab, max_len=24)
    a, b = "The assert statement.", "It raises an Exception."
    plain = wordpiece_tokenizer(vocab)
    n = len(plain.encode(a, b).tokens)
    assert n < 24
    enc = tok.encode(a, b)
    assert len(enc.ids) == len(enc.type_ids) == len(enc.attention_mask) == 24
    assert enc.tokens[:n] == plain.encode(a, b).tokens and enc.tokens[n:] == ["[PAD]"] * (24 - n)
    assert enc.ids[n:] == [SPECIAL_TOKENS.index("[PAD]")] * (24 - n) == [0] * (24 - n)
    assert enc.attention_mask == [1] * n + [0] * (24 - n)
    assert enc.type_ids[n:] == [0] * (24 - n)
    long_text = " ".join(["assignment statement"] * 20)
    enc = tok.encode(long_text, long_text)
    assert len(enc.ids) == 24 and enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]"
    assert enc.tokens.count("[SEP]") == 2 and sum(enc.attention_mask) == 24


def test_wordpiece_tokenizer_pieces_follow_the_vocabulary(split, vocab):
    tok = wordpiece_tokenizer(vocab)
    known = set(vocab)
    for s in split[0][::20]:  # pre-training text: every character is in the vocabulary, no [UNK]
        pieces = _pieces(tok, s.text)
        assert all(p in known for p in pieces)
        words = basic_tokenize(s.text)
        assert len(pieces) >= len(words)
        assert "".join(p.removeprefix("##") for p in pieces) == "".join(words), "pieces spell the words"
