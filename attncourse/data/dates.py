"""Human-written dates and their ISO form: the chapter-1 translation task.

"Tuesday, 3rd of March 2021", "03/03/21" and "3 Mar 2021" all translate to
"2021-03-03".  Numeric formats are always day first, and two-digit years mean
1950-2049, so every source string has exactly one right answer.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import torch
from torch.utils.data import TensorDataset

from .vocab import Vocab

# English names, fixed here so the data never depends on the machine's locale.
MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIRST_DAY, LAST_DAY = dt.date(1950, 1, 1), dt.date(2049, 12, 31)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _yy(d: dt.date) -> str:
    return f"{d.year % 100:02d}"


# Each format is a function of the date; together they cover long and short
# names, ordinals, weekdays, several separators and two- or four-digit years.
DATE_FORMATS = [
    lambda d: f"{WEEKDAYS[d.weekday()]}, {_ordinal(d.day)} of {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{d.day:02d}/{d.month:02d}/{_yy(d)}",
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: f"{d.day:02d}.{d.month:02d}.{_yy(d)}",
    lambda d: f"{WEEKDAYS[d.weekday()][:3]} {d.day} {MONTHS[d.month - 1][:3]} {_yy(d)}",
    lambda d: f"the {_ordinal(d.day)} of {MONTHS[d.month - 1].lower()}, {d.year}",
    lambda d: f"{MONTHS[d.month - 1].upper()} {d.day} {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1].lower()} {d.year}",
    lambda d: f"{_ordinal(d.day)} {MONTHS[d.month - 1][:3]}. {_yy(d)}",
]

SOURCE_CHARS = sorted(set("".join(MONTHS + WEEKDAYS).lower() + "".join(MONTHS + WEEKDAYS).upper()
                          + "0123456789 ,./-" + "stndrdthof"))
TARGET_CHARS = sorted(set("0123456789-"))
TARGET_LEN = 10  # "YYYY-MM-DD"


def format_date(d: dt.date, style: int) -> str:
    """The date ``d`` written in ``DATE_FORMATS[style]``."""
    return DATE_FORMATS[style](d)


def _is_test_day(d: dt.date) -> bool:
    # A fixed, scattered fifth of all days is held out: test dates are never
    # seen in training, in any format.
    return (d.toordinal() * 2654435761) % 97 < 20


def make_date_pairs(n: int, *, seed: int, split: str = "train") -> list[tuple[str, str]]:
    """``n`` (human, ISO) pairs from the days of ``split`` ("train" or "test")."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    rng = random.Random(f"dates-{split}-{seed}")
    span = (LAST_DAY - FIRST_DAY).days
    pairs = []
    while len(pairs) < n:
        d = FIRST_DAY + dt.timedelta(days=rng.randrange(span + 1))
        if _is_test_day(d) != (split == "test"):
            continue
        pairs.append((format_date(d, rng.randrange(len(DATE_FORMATS))), d.isoformat()))
    return pairs


@dataclass
class DateData:
    """Tensors for the date task.

    ``src`` is (N, S) source character ids padded with 0; ``tgt`` is (N, 12):
    ``<bos>``, the ten ISO characters and ``<eos>``.
    """
    src_vocab: Vocab
    tgt_vocab: Vocab
    train: TensorDataset
    test: TensorDataset
    test_pairs: list[tuple[str, str]]

    def encode_sources(self, texts: list[str]) -> torch.Tensor:
        return self.src_vocab.pad_batch([self.src_vocab.encode(t) for t in texts])


def load_dates(*, n_train: int, n_test: int, seed: int = 0) -> DateData:
    src_vocab, tgt_vocab = Vocab(SOURCE_CHARS), Vocab(TARGET_CHARS)
    train_pairs = make_date_pairs(n_train, seed=seed, split="train")
    test_pairs = make_date_pairs(n_test, seed=seed, split="test")
    max_len = max(len(s) for s, _ in train_pairs + test_pairs)

    def tensors(pairs):
        src = src_vocab.pad_batch([src_vocab.encode(s) for s, _ in pairs], max_len)
        tgt = tgt_vocab.pad_batch([tgt_vocab.encode(t, bos=True, eos=True) for _, t in pairs])
        return TensorDataset(src, tgt)

    return DateData(src_vocab, tgt_vocab, tensors(train_pairs), tensors(test_pairs), test_pairs)
