"""Chapter 4's text: the prose sentences of CPython's help topics, split by topic.

``pydoc_data.topics`` ships with Python: 79 topics of the language reference
(about 0.5 MB).  A *document* is a topic, as a Wikipedia article is in BERT's
pre-training data; a topic's prose paragraphs (not its code, indented by three
spaces, nor its grammar rules) are cut into sentences.  A fixed list of topics,
one or more from each of the five coarse classes below, is held out: the
model never pre-trains on them, and the fine-tuning task is tested on them.

The WordPiece vocabulary is learned from the pre-training topics by a simple,
reproducible rule (:func:`train_wordpiece_vocab`); Hugging Face's ``tokenizers``
(the well-kept library, not the lesson: notebook 4a writes the tokenizer that
*uses* a vocabulary) tokenizes and packs text fast for notebook 4b.
"""
from __future__ import annotations

import collections
import re
import unicodedata
from dataclasses import dataclass

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")  # ids 0..4 in every vocabulary built here

# The fine-tuning task: which part of the language reference a sentence comes from.
TOPIC_CLASSES = ("statements", "expressions", "data model", "built-in types", "execution")
_CLASS_OF = {
    "statements": "assert assignment async augassign break class compound continue del else for function global "
                  "if import nonlocal pass raise return try while with yield",
    "expressions": "atom-identifiers atom-literals attribute-references await binary bitwise booleans calls "
                   "comparisons conversions dict exprlists floating identifiers imaginary in integers lambda lists "
                   "numbers operator-summary power shifting slicings strings subscriptions unary",
    "data model": "attribute-access callable-types context-managers customization id-classes numeric-types "
                  "sequence-types specialattrs specialnames",
    "built-in types": "bltin-code-objects bltin-ellipsis-object bltin-null-object bltin-type-objects formatstrings "
                      "objects string-methods truth types typesfunctions typesmapping typesmethods typesmodules "
                      "typesseq typesseq-mutable",
    "execution": "debugger dynamic-features exceptions execmodel naming",
}
TOPIC_CLASS = {topic: i for i, name in enumerate(TOPIC_CLASSES) for topic in _CLASS_OF[name].split()}
# Held out from pre-training and from fine-tuning's training set: two topics of each class.
HELD_OUT_TOPICS = ("try", "import", "comparisons", "calls", "numeric-types", "sequence-types",
                   "typesmapping", "string-methods", "execmodel", "exceptions")

_SENTENCE_END = re.compile(r'(?<=[.!?])\s+(?=[A-Z"(])')


@dataclass
class Sentence:
    text: str
    topic: str
    doc_id: int  # the topic's index in sorted order: one document per topic

    @property
    def label(self) -> int:
        """The fine-tuning class (an index into TOPIC_CLASSES); -1 for text outside the help topics."""
        return TOPIC_CLASS.get(self.topic, -1)


def _prose_sentences(text: str, min_words: int):
    """The sentences of ``text``'s prose paragraphs that have at least ``min_words`` words."""
    for paragraph in _prose_paragraphs(text):
        for sentence in _SENTENCE_END.split(paragraph):
            sentence = sentence.strip()
            if len(sentence.split()) >= min_words:
                yield sentence


def _prose_paragraphs(text: str):
    for paragraph in re.split(r"\n\s*\n", text):
        lines = paragraph.split("\n")
        if any(line.startswith("   ") for line in lines):  # code, grammar rules and tables are indented
            continue
        lines = [line for line in lines if not re.fullmatch(r"[*=\-~^]+", line.strip())]  # heading underlines
        joined = " ".join(line.strip() for line in lines).strip()
        if joined:
            yield joined


def load_pydoc_sentences(*, min_words: int = 4) -> list[Sentence]:
    """Every prose sentence of the help topics with at least ``min_words`` words, in topic order.

    A sentence that occurs in several topics is kept once, in the shortest of them: the
    "compound" topic repeats the whole text of "if", "while", "for", "try" and "with", and the
    specific topic is the one it belongs to.  So no sentence is shared by two topics, and a
    held-out topic shares no sentence with the pre-training topics.
    """
    from pydoc_data.topics import topics

    names = [t for t in sorted(topics) if t in TOPIC_CLASS]  # a topic added by a later Python is not in the task
    found = [(doc_id, topic, text) for doc_id, topic in enumerate(names)
             for text in _prose_sentences(topics[topic].strip(), min_words)]
    home = {}
    for _, topic, text in found:  # the shortest topic that holds the sentence (ties: the first by name)
        if text not in home or len(topics[topic]) < len(topics[home[text]]):
            home[text] = topic
    sentences, kept = [], set()
    for doc_id, topic, text in found:
        if home[text] == topic and text not in kept:
            kept.add(text)
            sentences.append(Sentence(text, topic, doc_id))
    return sentences


def split_sentences(sentences: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """(pre-training sentences, held-out sentences), by topic."""
    held = set(HELD_OUT_TOPICS)
    return [s for s in sentences if s.topic not in held], [s for s in sentences if s.topic in held]


def basic_tokenize(text: str) -> list[str]:
    """BERT's basic (uncased) tokenizer: lower-case, strip accents, split on white space and
    punctuation, every punctuation character a word of its own.  WordPiece then splits each word."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    words = []
    for chunk in text.split():
        word = ""
        for ch in chunk:
            if _is_punctuation(ch):
                if word:
                    words.append(word)
                words.append(ch)
                word = ""
            else:
                word += ch
        if word:
            words.append(word)
    return words


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:  # ASCII symbols count too
        return True
    return unicodedata.category(ch).startswith("P")


def train_wordpiece_vocab(texts: list[str], *, vocab_size: int = 2000, whole_word_share: float = 0.6) -> list[str]:
    """A WordPiece vocabulary for ``texts``, deterministic (ties are broken alphabetically).

    The five special tokens (ids 0-4, as in SPECIAL_TOKENS), every character and its ``##`` form
    (so that every word of ``texts`` can be covered), then the most frequent whole words (up to
    ``whole_word_share`` of the rest), then word beginnings and ``##`` endings of two or more
    characters, by the characters they save (occurrences x (length - 1)) in the words that are
    not whole in the vocabulary.  Only pieces seen at least twice are taken, so a small text can
    give fewer than ``vocab_size`` entries.  (A simpler rule than Google's likelihood-based
    trainer, and reproducible, which Hugging Face's trainer is not: it breaks ties differently
    from one process to the next.)
    """
    counts = collections.Counter(w for text in texts for w in basic_tokenize(text))
    chars = sorted({c for w in counts for c in w})
    vocab = [*SPECIAL_TOKENS, *chars, *("##" + c for c in chars)]
    budget = max(0, vocab_size - len(vocab))
    ranked = sorted(((-n, w) for w, n in counts.items() if n >= 2 and len(w) > 1))
    whole = [w for _, w in ranked[:int(budget * whole_word_share)]]
    vocab += whole
    whole_set = set(whole)
    pieces = collections.Counter()
    for w, n in counts.items():
        if w in whole_set or len(w) < 3:
            continue
        for i in range(2, len(w)):
            pieces[w[:i]] += n             # word beginnings
            pieces["##" + w[-i:]] += n     # word endings
    saved = sorted((-(n * (len(p.removeprefix("##")) - 1)), p) for p, n in pieces.items() if n >= 2)
    taken = set(vocab)
    for _, p in saved:
        if len(vocab) >= vocab_size:
            break
        if p not in taken:
            vocab.append(p)
            taken.add(p)
    return vocab[:max(vocab_size, len(SPECIAL_TOKENS) + 2 * len(chars))]


def wordpiece_tokenizer(vocab: list[str], *, max_len: int | None = None):
    """Hugging Face's fast BERT tokenizer over ``vocab`` that packs a pair as
    ``[CLS] A [SEP] B [SEP]`` (segment ids 0 then 1) and, given ``max_len``, truncates it to
    ``max_len`` tokens and pads it to that length."""
    from tokenizers import BertWordPieceTokenizer

    tokenizer = BertWordPieceTokenizer({token: i for i, token in enumerate(vocab)}, lowercase=True,
                                       strip_accents=True, clean_text=True)
    if max_len is not None:
        tokenizer.enable_truncation(max_length=max_len, strategy="longest_first")
        tokenizer.enable_padding(length=max_len, pad_id=vocab.index("[PAD]"), pad_token="[PAD]")
    return tokenizer


def load_stdlib_sentences(*, min_words: int = 4, first_doc_id: int = 1000) -> list[Sentence]:
    """Prose sentences of the docstrings of CPython's standard library (full scale's extra text).

    The modules' source files are parsed, never imported.  A document is one module (its
    ``doc_id`` counts from ``first_doc_id``, after the help topics); the sentences carry the topic
    ``"stdlib"`` and no fine-tuning class.  Tests, the IDLE and Tk packages and site-packages
    are left out.  The text depends on the Python version, like the help topics.
    """
    import ast
    import pathlib
    import sysconfig

    root = pathlib.Path(sysconfig.get_paths()["stdlib"])
    skip = {"test", "tests", "idlelib", "tkinter", "turtledemo", "site-packages", "lib2to3", "ensurepip"}
    seen, sentences = set(), []
    files = sorted(p for p in root.rglob("*.py") if not skip & set(p.relative_to(root).parts))
    for doc_id, path in enumerate(files, start=first_doc_id):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))]
        for node in nodes:
            doc = ast.get_docstring(node)
            if not doc:
                continue
            for text in _prose_sentences(doc, min_words):
                if text not in seen and ">>>" not in text:
                    seen.add(text)
                    sentences.append(Sentence(text, "stdlib", doc_id))
    return sentences
