"""How the kernel calls a student's object: given functions of earlier tasks, lists of tensors."""
from __future__ import annotations

import torch

from autograder.kernel_side import describe, invoke, run_student

NAMESPACE: dict = {}
exec(  # a "notebook": the student's patchify is wrong, and the class calls it by its global name
    "import torch\n"
    "def patchify(images, patch):\n"
    "    return images.reshape(images.shape[0], -1, patch * patch)\n"
    "class Embed(torch.nn.Module):\n"
    "    def __init__(self, *, config):\n"
    "        super().__init__()\n"
    "        self.p = config['patch_size']\n"
    "    def forward(self, images):\n"
    "        return patchify(images, self.p)\n", NAMESPACE)


def test_a_given_function_replaces_the_students_for_the_call_only():
    x = torch.arange(32.0).reshape(1, 2, 4, 4)
    call = {"construct": "config", "args": ["images"], "outputs": ["patches"], "given": {"patchify": "unfold_patchify"}}
    case = {"config": {"patch_size": 2}, "images": x}
    student_patchify = NAMESPACE["patchify"]
    out = invoke(call, NAMESPACE["Embed"], case)["patches"]
    assert torch.equal(out, torch.nn.functional.unfold(x, 2, stride=2).transpose(1, 2))
    assert NAMESPACE["patchify"] is student_patchify  # restored
    del NAMESPACE["patchify"]  # a name the student never defined is removed again, even after an error
    try:
        assert run_student(call, NAMESPACE["Embed"], [{"config": {"patch_size": 5}, "images": x}]) == "raised:RuntimeError"
        assert "patchify" not in NAMESPACE
    finally:
        NAMESPACE["patchify"] = student_patchify


def test_a_list_of_tensors_is_copied_and_guarded_against_in_place_changes():
    maps = [torch.rand(2, 3, 3) for _ in range(3)]
    call = {"args": ["maps"], "outputs": ["total"]}

    def honest(ms):
        return sum(m.sum() for m in ms).reshape(1)

    def reverses(ms):
        ms.reverse()
        return honest(ms)

    def adds_in_place(ms):
        ms[0].add_(1.0)
        return honest(ms)

    assert isinstance(run_student(call, honest, [{"maps": maps}]), list)
    for student in (reverses, adds_in_place):
        code = run_student(call, student, [{"maps": maps}])
        assert code == "inplace:maps" and "in place" in describe(code, call)
    assert all(m.max() <= 1 for m in maps)  # the case itself was never touched
