"""Bank edits apply to the current reference solution, and fail loudly when it has moved on."""
from __future__ import annotations

import pytest

from .submissions import EditError, apply_edit, bank_source, reference_code
from .test_bank import SNIPPETS

EDITS = [s for s in SNIPPETS if s.suffix == ".edit"]
REFERENCE = "def f(x):\n    y = x * 2  # double\n    return y\n"


@pytest.mark.parametrize("edit", EDITS, ids=[str(e.relative_to(e.parents[3])) for e in EDITS])
def test_every_bank_edit_applies_and_changes_the_code(edit):
    chapter, notebook, grade_id = edit.parts[-4:-1]
    source = bank_source(edit)
    compile(source, str(edit), "exec")
    assert source != reference_code(chapter, notebook)[grade_id], "the edit leaves the reference as it is"


def test_apply_edit_replaces_the_old_lines():
    edit = "# diagnosis: x\n-     y = x * 2  # double\n+     y = x + 2\n"
    assert apply_edit(REFERENCE, edit) == "def f(x):\n    y = x + 2\n    return y\n"


@pytest.mark.parametrize("edit", ["-     y = x * 3\n+     y = x\n", "-     return y\n-     return y\n+     pass\n",
                                  "+     pass\n", "      y = x\n"])
def test_apply_edit_refuses_an_edit_that_does_not_fit(edit):
    with pytest.raises(EditError):
        apply_edit(REFERENCE, edit)
