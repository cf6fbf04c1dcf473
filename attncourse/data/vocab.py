"""A small token vocabulary with the three special tokens every chapter uses."""
from __future__ import annotations

from typing import Iterable, Sequence

import torch

PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"


class Vocab:
    """Maps tokens (characters or words) to ids; id 0 is always padding.

    >>> v = Vocab("abc")
    >>> v.decode(v.encode("cab"))
    'cab'
    """

    def __init__(self, tokens: Iterable[str], *, joiner: str = ""):
        self.joiner = joiner  # "" for characters, " " for words
        self.itos: list[str] = [PAD, BOS, EOS] + sorted(set(tokens) - {PAD, BOS, EOS})
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(self.itos)}
        self.pad_id, self.bos_id, self.eos_id = 0, 1, 2

    def __len__(self) -> int:
        return len(self.itos)

    def split(self, text: str) -> list[str]:
        return list(text) if self.joiner == "" else text.split(self.joiner)

    def encode(self, text: str, *, bos: bool = False, eos: bool = False) -> list[int]:
        ids = [self.stoi[t] for t in self.split(text)]
        return ([self.bos_id] if bos else []) + ids + ([self.eos_id] if eos else [])

    def decode(self, ids: Sequence[int] | torch.Tensor) -> str:
        """Turn ids back into text, stopping at the first end-of-sequence."""
        out = []
        for i in (ids.tolist() if isinstance(ids, torch.Tensor) else ids):
            if i == self.eos_id:
                break
            if i not in (self.pad_id, self.bos_id):
                out.append(self.itos[i])
        return self.joiner.join(out)

    def pad_batch(self, seqs: Sequence[Sequence[int]], length: int | None = None) -> torch.Tensor:
        """Right-pad id lists into a (N, T) long tensor."""
        length = length or max(len(s) for s in seqs)
        out = torch.full((len(seqs), length), self.pad_id, dtype=torch.long)
        for i, s in enumerate(seqs):
            out[i, : len(s)] = torch.tensor(s[:length], dtype=torch.long)
        return out
