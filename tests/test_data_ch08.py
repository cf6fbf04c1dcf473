"""Chapter 8's data: hard-negative captions of chapter 1's shape scenes (the clips are chapter 6's)."""
from __future__ import annotations

import collections

import numpy as np
import torch

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


# ------------------------------------------------------------ larger scenes with questions (8a, full scale)
from attncourse.data.vqa import ANSWERS, KINDS, MARGIN, NUMBERS, load_vqa_scenes  # noqa: E402


def _answer(question, objects):
    """An independent reading of a question against the scene's objects."""
    w = question.split()
    pairs = [(o["color"], o["shape"]) for o in objects]
    if w[:2] == ["how", "many"]:
        return NUMBERS[sum(o["color"] == w[2] for o in objects)]
    if w[:2] == ["is", "there"]:
        return "yes" if (w[3], w[4]) in pairs else "no"
    if w[0] == "is":  # is the C S <relation> the C S
        a = objects[pairs.index((w[2], w[3]))]
        b = objects[pairs.index((w[-2], w[-1]))]
        relation = " ".join(w[4:-3])
        d = {"left of": b["cx"] - a["cx"], "right of": a["cx"] - b["cx"], "above": b["cy"] - a["cy"]}[relation]
        assert abs(d) > MARGIN, "a borderline relation was asked"
        return "yes" if d > 0 else "no"
    if w[:3] == ["what", "color", "is"]:
        (match,) = [o for o in objects if o["shape"] == w[-1]]
        return match["color"]
    (match,) = [o for o in objects if o["color"] == w[4]]  # what shape is the C object
    return match["shape"]


def test_vqa_scenes_answers_are_right_and_objects_apart():
    scenes = load_vqa_scenes(400, seed=7)
    assert scenes.images.shape == (400, 3, 64, 64) and scenes.questions.shape[0] == 400
    kinds = collections.Counter()
    for q, a, k, objects, caption in zip(scenes.question_texts, scenes.answers.tolist(), scenes.kinds.tolist(),
                                         scenes.objects, scenes.caption_texts):
        assert 2 <= len(objects) <= 4 and len({(o["color"], o["shape"]) for o in objects}) == len(objects)
        for i, o in enumerate(objects):
            for p in objects[:i]:
                assert (o["cx"] - p["cx"]) ** 2 + (o["cy"] - p["cy"]) ** 2 > (o["r"] + p["r"]) ** 2  # no overlap
        assert ANSWERS[a] == _answer(q, objects), q
        left_to_right = sorted(objects, key=lambda o: o["cx"])
        assert caption == " ".join(f"a {o['color']} {o['shape']}" for o in left_to_right)
        kinds[KINDS[k]] += 1
    assert set(kinds) == set(KINDS) and min(kinds.values()) > 40
    assert scenes.vocab.decode(scenes.questions[0]) == scenes.question_texts[0]


def test_vqa_scenes_are_seeded():
    a, b = load_vqa_scenes(30, seed=3), load_vqa_scenes(30, seed=3)
    assert torch.equal(a.images, b.images) and a.question_texts == b.question_texts
    assert load_vqa_scenes(30, seed=4).question_texts != a.question_texts
    assert len(load_vqa_scenes(0, seed=0)) == 0
