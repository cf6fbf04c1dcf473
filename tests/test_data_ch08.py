"""Chapter 8's data: hard-negative captions of chapter 1's shape scenes (the clips are chapter 6's)."""
from __future__ import annotations

import collections

import numpy as np

from attncourse.data import load_shape_scenes
from attncourse.data.shapes import CHANGES, COLORS, SHAPES, altered_caption


def _parse(text):
    words = text.split()
    relation = "above" if "above" in words else "left of"
    rest = [w for w in words if w not in ("a", "left", "of", "above")]
    return (rest[0], rest[1]), relation, (rest[2], rest[3])


def test_altered_captions_differ_in_exactly_one_way():
    scenes = load_shape_scenes(300, seed=5)
    rng = np.random.default_rng(0)
    kinds = collections.Counter()
    for text, objects in zip(scenes.texts, scenes.objects):
        altered, kind = altered_caption(objects, rng)
        kinds[kind] += 1
        (c1, s1), rel, (c2, s2) = _parse(text)
        (d1, t1), rel2, (d2, t2) = _parse(altered)
        assert altered != text and rel2 == rel and (d1, t1) != (d2, t2)
        assert {d1, d2} <= set(COLORS) and {t1, t2} <= set(SHAPES)
        if kind == "order":
            assert ((d1, t1), (d2, t2)) == ((c2, s2), (c1, s1))
        else:  # one object changed in that attribute (the other may be recoloured only if they became alike)
            changed = [i for i, (x, y) in enumerate([((c1, s1), (d1, t1)), ((c2, s2), (d2, t2))]) if x != y]
            assert 1 <= len(changed) <= 2
    assert set(kinds) == set(CHANGES) and min(kinds.values()) > 60  # each kind, about a third each


def test_altered_captions_are_seeded():
    scenes = load_shape_scenes(20, seed=1)
    first = [altered_caption(o, np.random.default_rng(3)) for o in scenes.objects]
    again = [altered_caption(o, np.random.default_rng(3)) for o in scenes.objects]
    assert first == again
