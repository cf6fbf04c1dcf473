"""Chapter 3's helpers: the character corpus with its train/validation split, and the MFU arithmetic."""
from __future__ import annotations

import pytest
import torch

from attncourse.data import CharCorpus, load_char_corpus, load_pydoc_corpus
from attncourse.perf import PEAK_BF16_DENSE_FLOPS, flops_per_token, mfu, peak_flops


@pytest.fixture(scope="module")
def corpus() -> CharCorpus:
    return load_char_corpus()


def test_char_corpus_is_the_whole_pydoc_text_split_once(corpus):
    text = load_pydoc_corpus()
    assert corpus.decode(corpus.train) + corpus.decode(corpus.val) == text
    assert corpus.train.dtype == torch.long and corpus.val.dtype == torch.long
    share = len(corpus.val) / len(text)
    assert 0.08 < share <= 0.1, share
    assert text[len(corpus.train) - 2: len(corpus.train)] == "\n\n", "validation starts at a paragraph"


def test_char_corpus_is_deterministic_and_covers_every_character(corpus):
    again = load_char_corpus()
    assert torch.equal(again.train, corpus.train) and torch.equal(again.val, corpus.val)
    assert corpus.vocab.itos == again.vocab.itos
    assert set(load_pydoc_corpus()) <= set(corpus.vocab.itos)
    assert int(corpus.train.min()) >= 3, "no special token appears in the text"


def test_char_corpus_encode_decode_round_trip(corpus):
    text = 'def f(x):\n    return "x" * 2  # ok'
    assert corpus.decode(corpus.encode(text)) == text


def test_char_corpus_split_of_a_given_text():
    text = "aaaa\n\nbbbb\n\ncccc\n\ndddd"
    c = load_char_corpus(text, val_fraction=0.3)
    assert c.decode(c.train) + c.decode(c.val) == text
    assert c.decode(c.val) == "dddd"
    with pytest.raises(ValueError):
        load_char_corpus(text, val_fraction=1.0)


@pytest.mark.parametrize("split, block, stride", [("train", 32, None), ("train", 16, 4), ("val", 64, None)])
def test_windows_are_next_character_pairs(corpus, split, block, stride):
    ds = corpus.windows(split, block, stride=stride)
    x, y = ds.tensors
    ids = corpus.train if split == "train" else corpus.val
    step = stride or block
    assert x.shape == y.shape and x.shape[1] == block
    assert x.shape[0] == len(range(0, len(ids) - block, step))
    assert torch.equal(y[:, :-1], x[:, 1:]), "y is x shifted by one character"
    for i in (0, x.shape[0] // 2, x.shape[0] - 1):
        assert torch.equal(x[i], ids[i * step: i * step + block])
        assert torch.equal(y[i], ids[i * step + 1: i * step + block + 1])


def test_validation_windows_predict_every_character_once(corpus):
    x, y = corpus.windows("val", 100).tensors
    assert torch.equal(y.flatten(), corpus.val[1: 1 + y.numel()])
    assert len(corpus.val) - 1 - y.numel() < 100


def test_windows_reject_bad_arguments(corpus):
    with pytest.raises(ValueError):
        corpus.windows("test", 8)
    with pytest.raises(ValueError):
        corpus.windows("val", len(corpus.val))


@pytest.mark.parametrize("name, peak", [
    ("NVIDIA H100 80GB HBM3", 989e12), ("NVIDIA H100 PCIe", 756e12), ("NVIDIA H200", 989e12),
    ("NVIDIA A100-SXM4-80GB", 312e12), ("NVIDIA A100 80GB PCIe", 312e12), ("NVIDIA L4", 121e12),
    ("NVIDIA L40S", 362e12),
])
def test_peak_flops_of_known_devices(name, peak):
    assert peak_flops(name) == peak


@pytest.mark.parametrize("name", ["CPU (x86_64, 2 threads)", "Tesla V100-SXM2-16GB", "", None])
def test_unknown_devices_have_no_peak_and_no_mfu(name):
    assert peak_flops(name) is None
    assert mfu(tokens_per_s=1e6, flops_per_token=1e9, device_name=name) is None


def test_mfu_arithmetic():
    assert all(v > 1e13 for v in PEAK_BF16_DENSE_FLOPS.values())
    f = flops_per_token(n_params=10_000_000, n_layer=6, d_model=384, seq_len=256)
    assert f == 6 * 10_000_000 + 12 * 6 * 384 * 256
    assert mfu(tokens_per_s=989e12 / f * 0.4, flops_per_token=f, device_name="NVIDIA H100 80GB HBM3") == pytest.approx(0.4)
