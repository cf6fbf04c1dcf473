"""The procedural data sets: deterministic, right shapes, right labels."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import torch

from attncourse.data import (DATE_FORMATS, Vocab, format_date, load_dates, load_digits, load_mnist5k,
                             load_pydoc_corpus, load_shape_scenes, make_date_pairs)
from attncourse.data.dates import _is_test_day
from attncourse.data.shapes import COLORS


def test_vocab_round_trip_and_specials():
    v = Vocab("hello world")
    assert v.itos[:3] == ["<pad>", "<bos>", "<eos>"]
    ids = v.encode("hello", bos=True, eos=True)
    assert ids[0] == v.bos_id and ids[-1] == v.eos_id
    assert v.decode(ids) == "hello"
    assert v.decode(ids + [v.stoi["h"]]) == "hello"  # decoding stops at <eos>
    assert v.pad_batch([[4, 5], [6]]).tolist() == [[4, 5], [6, 0]]


def test_date_formats_example_from_the_brief():
    d = dt.date(2021, 3, 3)
    written = {format_date(d, i) for i in range(len(DATE_FORMATS))}
    assert {"Wednesday, 3rd of March 2021", "03/03/21", "3 Mar 2021"} <= written


def test_date_pairs_are_deterministic_and_seed_dependent():
    assert make_date_pairs(50, seed=1) == make_date_pairs(50, seed=1)
    assert make_date_pairs(50, seed=1) != make_date_pairs(50, seed=2)


@pytest.mark.parametrize("split", ["train", "test"])
def test_date_labels_are_correct(split):
    for src, iso in make_date_pairs(500, seed=3, split=split):
        d = dt.date.fromisoformat(iso)
        assert src in {format_date(d, i) for i in range(len(DATE_FORMATS))}, (src, iso)
        assert dt.date(1950, 1, 1) <= d <= dt.date(2049, 12, 31)
        assert _is_test_day(d) == (split == "test")


def test_test_dates_never_appear_in_training():
    train = {iso for _, iso in make_date_pairs(5000, seed=0, split="train")}
    test = {iso for _, iso in make_date_pairs(1000, seed=0, split="test")}
    assert not train & test


def test_load_dates_shapes():
    data = load_dates(n_train=64, n_test=16, seed=0)
    src, tgt = data.train.tensors
    assert src.shape[0] == 64 and src.dtype == torch.long
    assert tgt.shape == (64, 12)
    assert (tgt[:, 0] == data.tgt_vocab.bos_id).all() and (tgt[:, -1] == data.tgt_vocab.eos_id).all()
    assert data.tgt_vocab.decode(tgt[0]) == make_date_pairs(64, seed=0)[0][1]
    assert data.src_vocab.decode(data.test.tensors[0][0]) == data.test_pairs[0][0]


def test_shape_scenes_deterministic_and_shaped():
    a, b = load_shape_scenes(20, seed=5), load_shape_scenes(20, seed=5)
    assert torch.equal(a.images, b.images) and a.texts == b.texts
    assert not torch.equal(a.images, load_shape_scenes(20, seed=6).images)
    assert a.images.shape == (20, 3, 32, 32) and a.images.min() >= 0 and a.images.max() <= 1
    assert a.captions.shape == (20, 10)
    assert all(a.vocab.decode(c) == t for c, t in zip(a.captions, a.texts))


def test_shape_captions_describe_the_picture():
    scenes = load_shape_scenes(200, seed=0)
    for img, text, objs in zip(scenes.images, scenes.texts, scenes.objects):
        first, second = objs
        words = text.split()
        assert words[1:3] == [first["color"], first["shape"]] and words[-2:] == [second["color"], second["shape"]]
        if "left of" in text:
            assert first["cx"] + 5 < second["cx"]
        else:
            assert "above" in text and first["cy"] + 5 < second["cy"]
        for obj in objs:  # the object's centre pixel has its colour (up to the noise)
            x, y = int(obj["cx"]), int(obj["cy"])
            pixel = img[:, y, x].numpy()
            assert np.abs(pixel - np.asarray(COLORS[obj["color"]])).max() < 0.3, (text, obj, pixel)


def test_pydoc_corpus_is_bundled_english_text():
    text = load_pydoc_corpus()
    assert len(text) > 300_000 and text == load_pydoc_corpus()
    assert "the" in text.split()


def test_packaged_image_sets():
    x, y = load_digits()
    assert x.shape == (1797, 1, 8, 8) and y.shape == (1797,) and 0 <= x.min() and x.max() <= 1
    x, y = load_mnist5k()
    assert x.shape == (5000, 1, 28, 28) and set(y.tolist()) == set(range(10))
