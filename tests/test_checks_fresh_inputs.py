"""Every grading run draws fresh inputs, so every check must hold for any seed: the oracle's own
outputs pass, and each known mistake's outputs fail with its own diagnosis (or at least fail)."""
from __future__ import annotations

import pytest

import autograder.checks  # noqa: F401  (registers every chapter's checks)
from autograder.checks.core import SPECS, _reference_arrays, evaluate, make_cases

SEEDS = [1, 2, 3, 12345, 2 ** 31 - 1]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_check_holds_for_fresh_seeds(name):
    spec = SPECS[name]
    for seed in SEEDS:
        cases = make_cases(spec, seed)
        assert cases, f"{name}: no cases for seed {seed}"
        reference = [_reference_arrays(spec.reference, case) for case in cases]
        ok, message = evaluate(spec, cases, reference)
        assert ok, f"{name}, seed {seed}: the oracle's own outputs fail: {message}"
        for diagnosis, mistake in spec.mistakes.items():
            try:
                outputs = [_reference_arrays(mistake, case) for case in cases]
            except Exception:  # a mistake that cannot apply to these cases
                continue
            ok, message = evaluate(spec, cases, outputs)
            assert not ok, f"{name}, seed {seed}: the mistake {diagnosis!r} passes"


def test_seeds_change_the_inputs():
    spec = SPECS["ch01.masked_softmax"]
    a, b = make_cases(spec, 0), make_cases(spec, 1)
    assert any(not (x["scores"].shape == y["scores"].shape and (x["scores"] == y["scores"]).all())
               for x, y in zip(a, b))
