"""A task's "write it yourself" rule: the names its solution cell may not use are found in the source."""
from __future__ import annotations

import pytest

import autograder.checks  # noqa: F401  (registers every chapter's checks)
from autograder.checks.core import forbidden_uses

from .submissions import reference_code

LAYER_NORM = "def layer_norm(x, weight, bias, eps=1e-5):\n    {body}\n"


@pytest.mark.parametrize("body, used", [
    ("return F.layer_norm(x, (x.shape[-1],), weight, bias, eps)", ["layer_norm"]),
    ("return (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps)", ["var"]),
    ("from torch.nn.functional import layer_norm as ln\n    return ln(x, x.shape[-1:], weight, bias, eps)", ["layer_norm"]),
    ("s, m = torch.std_mean(x, -1, keepdim=True)\n    return (x - m) / s", ["std_mean"]),
    # bound names that happen to share a forbidden name are the student's own variables
    ("var = ((x - x.mean(-1, keepdim=True)) ** 2).mean(-1, keepdim=True)\n    return var", []),
])
def test_forbidden_names_are_found_and_own_names_are_not(body, used):
    assert forbidden_uses("ch03.layer_norm", LAYER_NORM.format(body=body)) == used


def test_the_references_break_no_rule():
    assert forbidden_uses("ch03.layer_norm", reference_code("ch03_transformers", "03a_transformer_blocks")["layer_norm"]) == []
    source = reference_code("ch02_self_attention", "02a_self_attention_layers")["self_attention"]
    assert forbidden_uses("ch02.self_attention", source) == []
    assert forbidden_uses("ch02.self_attention", source + "\nF.scaled_dot_product_attention\n") == ["scaled_dot_product_attention"]


def test_checks_without_a_rule_and_unparsable_code_are_left_to_the_other_checks():
    assert forbidden_uses("ch01.masked_softmax", "torch.var(x)") == []
    assert forbidden_uses("ch03.layer_norm", "def layer_norm(:") == []
    assert forbidden_uses("ch03.layer_norm", None) == []
