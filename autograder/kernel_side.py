"""The only grader code a submission's kernel can see.

Inside the sandbox this file is mounted as ``autograder/checks/__init__.py``:
the hidden tests' ``from autograder.checks import check`` then finds a
``check`` that runs the student's code on inputs the grader prepared and
records the raw outputs.  It holds no oracle and decides nothing: the verdict
is computed afterwards, outside the sandbox (``autograder.checks.core.verify``).

Outside the sandbox (an instructor running a solution notebook) the real
``autograder.checks`` package is imported instead; it reuses :func:`invoke`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import torch

_Tensor = torch.Tensor  # captured before any student cell runs
_load = torch.load


def invoke(call: dict, obj, case: dict) -> dict:
    """Call the student's ``obj`` on one case, as the call description says.

    ``call`` is plain data: ``args`` (case keys passed positionally),
    ``outputs`` (names for the returned values) and, for classes,
    ``construct`` (keyword arguments, or the case key of a configuration passed
    as ``config=``), ``state`` (case key of a state dict to load strictly),
    ``mode`` ("eval": call the module in evaluation mode), ``method`` (the
    method to call) and ``swap`` (attribute -> name of a module in
    :data:`STAND_INS` to put in its place).  ``given`` (global name -> name of a
    function in :data:`GIVEN`) replaces, for the call only, a function of an
    earlier task that the student's code calls by its global name, so that a
    mistake there does not cost points here too.  ``kwargs`` (case keys passed
    as keyword arguments, under their own names) and ``construct_kwargs`` (the
    same for the constructor) reach keyword-only parameters.  ``adapter`` (name
    of a function in :data:`ADAPTERS`) builds structured arguments (DETR's
    dicts and lists) from the case and turns a structured result into tensors.
    ``integer`` (output names) marks outputs that must be integer tensors, such as
    indices: a floating-point one gets its own verdict (:func:`run_student`).  ``grad_from`` (argument
    names): the returned tensors must depend differentiably on those inputs.  ``hints``
    (exception class name -> sentence): the likely cause of that exception in this task.
    """
    given = call.get("given") or {}
    if not given:
        return _invoke(call, obj, case)
    namespace = _globals_of(obj)
    missing = object()
    saved = {name: namespace.get(name, missing) for name in given}
    namespace.update({name: GIVEN[fn] for name, fn in given.items()})
    try:
        return _invoke(call, obj, case)
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def _globals_of(obj) -> dict:
    """The module namespace the student's function or class looks its global names up in."""
    fn = obj if callable(obj) and hasattr(obj, "__globals__") else getattr(obj, "forward", None)
    fn = getattr(fn, "__func__", fn)
    for _ in range(8):  # through decorators such as @torch.no_grad() to the function the student wrote
        inner = getattr(fn, "__wrapped__", None)
        if not callable(inner):
            break
        fn = inner
    namespace = getattr(fn, "__globals__", None)
    return namespace if isinstance(namespace, dict) else {}


def _invoke(call: dict, obj, case: dict) -> dict:
    target = obj
    if call.get("construct") is not None:
        torch.manual_seed(0)
        construct = call["construct"]
        kwargs = {"config": case[construct]} if isinstance(construct, str) else dict(construct)
        kwargs.update({k: case[k] for k in call.get("construct_kwargs", ())})
        instance = obj(**kwargs)
        if call.get("state"):
            try:
                instance.load_state_dict(case[call["state"]], strict=True)
            except RuntimeError:
                raise _InitChanged() from None
        if call.get("mode") == "eval":
            instance.eval()
        for attr, name in (call.get("swap") or {}).items():
            setattr(instance, attr, STAND_INS[name](case))
        target = getattr(instance, call["method"]) if call.get("method") else instance
    if call.get("adapter"):
        return ADAPTERS[call["adapter"]](target, case, call)
    args = [_copy(case[a]) for a in call["args"]]
    leaves = {}
    for i, name in enumerate(call["args"]):
        if name in call.get("grad_from", ()):  # the answer must stay differentiable with respect to this input
            leaves[name] = args[i].detach().clone().requires_grad_()
            args[i] = leaves[name] * 1  # not a leaf, so that changing it in place gets the in-place verdict
    result = target(*args, **{k: _copy(case[k]) for k in call.get("kwargs", ())})
    for name, arg in zip(call["args"], args):  # a task's inputs are the caller's: never overwrite them
        if name not in call.get("mutable", ()) and not _unchanged(arg, case[name]):
            raise _InPlace(name)
    names = call["outputs"]
    if len(names) == 1:
        result = (result,)
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        raise _Arity()
    if leaves:
        _require_grad(result, leaves)
    if call.get("nan_to") is not None:  # a task whose answer holds NaN on purpose (a class absent from the data)
        result = [torch.nan_to_num(r, nan=float(call["nan_to"])) if type(r) is _Tensor and r.is_floating_point()
                  else r for r in result]
    return dict(zip(names, result))


def _require_grad(result, leaves: dict) -> None:
    """Raise :class:`_Detached` for the first input no returned tensor depends on differentiably."""
    outs = [r.sum() for r in result if type(r) is _Tensor and r.is_floating_point() and r.requires_grad]
    for name, leaf in leaves.items():
        if not outs or torch.autograd.grad(outs, leaf, allow_unused=True, retain_graph=True)[0] is None:
            raise _Detached(name)


# What crosses the sandbox's wall when the student's code fails is a short code, never text: the
# grader composes the sentence (:func:`describe`), so nothing the kernel wrote reaches feedback.
ERROR_CODE = re.compile(r"not-implemented|init-changed|arity|(raised|returned|inplace|dtype|detached):[A-Za-z_]\w{0,63}")


class _InitChanged(RuntimeError):
    pass


class _Returned(TypeError):
    """The student's code returned something of the wrong kind (the name of its type travels)."""

    def __init__(self, value):
        super().__init__()
        self.name = _name(type(value), "object")


class _Arity(ValueError):
    pass


class _Detached(ValueError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class _InPlace(ValueError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _copy(value):
    """A fresh copy of a tensor argument, or of each tensor in a list or tuple of them."""
    if isinstance(value, _Tensor):
        return value.clone()
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, _Tensor) for v in value):
        return type(value)(v.clone() for v in value)
    return value


def _unchanged(arg, original) -> bool:
    """Whether the student's call left a tensor argument (or each tensor of a list) as it was."""
    if isinstance(original, _Tensor):
        return _same(arg, original)
    if isinstance(original, (list, tuple)) and original and all(isinstance(v, _Tensor) for v in original):
        return type(arg) is type(original) and len(arg) == len(original) and all(map(_same, arg, original))
    return True


def _same(a, b) -> bool:
    return type(a) is _Tensor and a.shape == b.shape and a.dtype == b.dtype and bool(
        torch.equal(a, b) or (a.is_floating_point() and torch.allclose(a, b, rtol=0, atol=0, equal_nan=True)))


def describe(code: str, call: dict) -> str | None:
    """The sentence for an error code of :func:`run_student`, or None for a code that is not one."""
    if not isinstance(code, str) or not ERROR_CODE.fullmatch(code):
        return None
    kind, _, name = code.partition(":")
    if ((kind == "inplace" and name not in call["args"]) or (kind == "dtype" and name not in call.get("integer", ()))
            or (kind == "detached" and name not in call.get("grad_from", ()))):
        return None
    if kind == "raised" and name in (call.get("hints") or {}):  # the task's likely cause of this exception
        return f"raised {name}: {call['hints'][name]}"
    return {"not-implemented": "is not implemented yet (it raises NotImplementedError)",
            "init-changed": call.get("init_changed") or "was changed in __init__: keep the given layers and their names",
            "arity": call.get("returns") or f"should return {len(call['outputs'])} value(s): {', '.join(call['outputs'])}",
            "raised": f"raised {name}",
            "returned": f"returned {name}, not a torch.Tensor",
            "inplace": f"changes its input {name} in place: leave the caller's tensors as they were "
                       "(work on new tensors and lists: e.g. masked_fill rather than masked_fill_, "
                       "reversed(xs) rather than xs.reverse())",
            "detached": f"returns a result that does not depend differentiably on {name} (something detaches it: "
                        ".detach(), .numpy(), torch.no_grad()); training needs the gradient through this step",
            "dtype": f"returns {name} as floating-point numbers; indices must be an integer tensor (torch.long), "
                     "since they index other tensors"}[kind]


def _name(cls: type, default: str) -> str:
    """A class's name if it is a plain identifier (a student can name a class anything)."""
    name = getattr(cls, "__name__", "")
    return name if isinstance(name, str) and re.fullmatch(r"[A-Za-z_]\w{0,63}", name) else default


def run_student(call: dict, obj, cases: list[dict]) -> list[dict] | str:
    """Outputs as arrays for every case, or an error code (see :func:`describe`) saying why there are none."""
    outputs = []
    for case in cases:
        try:
            returned = invoke(call, obj, case)
        except NotImplementedError:
            return "not-implemented"
        except _InitChanged:
            return "init-changed"
        except _Arity:
            return "arity"
        except _Returned as err:
            return f"returned:{err.name}"
        except _Detached as err:
            return f"detached:{err.name}"
        except _InPlace as err:
            return f"inplace:{err.name}" if err.name in call["args"] else "raised:Exception"
        except Exception as err:  # student code may raise anything
            return f"raised:{_name(type(err), 'Exception')}"
        out = {}
        for key, value in returned.items():
            if type(value) is not _Tensor:  # exact type: subclasses and look-alikes are refused
                return f"returned:{_name(type(value), 'object')}"
            if key in call.get("integer", ()) and (value.is_floating_point() or value.is_complex()):
                return f"dtype:{key}"
            out[key] = value.detach().to("cpu", torch.float64).numpy().copy()
        outputs.append(out)
    return outputs


def save_record(path: Path, outputs: list[dict] | str) -> None:
    arrays = {"__error__": np.array(outputs if isinstance(outputs, str) else "")}
    if not isinstance(outputs, str):
        for i, out in enumerate(outputs):
            for key, arr in out.items():
                arrays[f"{i}/{key}"] = arr
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)


class _UniformSpatialAttention(torch.nn.Module):
    """A stand-in attention for checking a decoding loop on its own: uniform
    weights over the positions (it is not the answer to any task)."""

    def __init__(self, case):
        super().__init__()

    def forward(self, features, hidden):
        weights = torch.full(features.shape[:2], 1.0 / features.shape[1])
        return features.mean(1), weights


class _HalfDropout(torch.nn.Module):
    """A stand-in for nn.Dropout in training mode that halves its input instead of dropping at random,
    so that where the student's code applies dropout shows in the output."""

    def __init__(self, case):
        super().__init__()
        self.p = 0.5

    def forward(self, x):
        return x * 0.5


def state_attention_weights(features, hidden):
    """(B, N) weights of the state-dependent stand-in below; chapter 1b's check decodes with them too."""
    return torch.softmax(features.mean(-1) * hidden.sum(-1, keepdim=True), dim=-1)


def after_first_eos(tokens, eos=2):
    """(B, L) bool: True at the steps after a caption's first <eos> (id 2 in every course vocabulary)."""
    is_eos = (tokens == eos).long()
    return is_eos.cumsum(1) - is_eos > 0


class _StateSpatialAttention(torch.nn.Module):
    """A stand-in attention whose weights depend on the decoder state, so that a decoding loop that
    attends with the wrong state shows (it is not the answer to any task)."""

    def __init__(self, case):
        super().__init__()

    def forward(self, features, hidden):
        weights = state_attention_weights(features, hidden)  # (B, N)
        return (weights[..., None] * features).sum(1), weights


class _GivenTokens(torch.nn.Module):
    """A stand-in patch embedding for checking a ViT's forward pass on its own: it returns the
    case's token sequence (B, N+1, D) whatever the images (it is not the answer to any task)."""

    def __init__(self, case):
        super().__init__()
        self.tokens = case["tokens"]

    def forward(self, images):
        return self.tokens.clone()


def _unfold_patchify(images, patch):
    """Patches as ``F.unfold`` cuts them, (B, N, C P P): what a notebook's visible test compares
    ``patchify`` with, given to later tasks so that they are judged on their own."""
    return torch.nn.functional.unfold(images, patch, stride=patch).transpose(1, 2)


def _space_attention(x, attn):
    """Each frame's tokens attended as one sequence: (B, T, N, D) -> (B, T, N, D)."""
    return attn(x.flatten(0, 1)).unflatten(0, x.shape[:2])


def _time_attention(x, attn):
    """Each location's tokens over the frames attended as one sequence: (B, T, N, D) -> (B, T, N, D)."""
    by_location = x.permute(0, 2, 1, 3)  # (B, N, T, D)
    return attn(by_location.flatten(0, 1)).unflatten(0, by_location.shape[:2]).permute(0, 2, 1, 3)


def _argsort_masking(x, mask_ratio, noise):
    """MAE's random masking (keep the int(L (1 - r)) tokens of smallest noise, in noise order; mask 1 = removed;
    the inverse permutation): given to the encoder's check so that it is judged on its own."""
    b, length, d = x.shape
    keep = int(length * (1 - mask_ratio))
    order = torch.argsort(noise, dim=1, stable=True)
    ids_restore = torch.argsort(order, dim=1)
    mask = (ids_restore >= keep).to(x.dtype)
    return torch.gather(x, 1, order[:, :keep, None].expand(-1, -1, d)), mask, ids_restore


def _detr_inputs(case):
    """DETR's structures, fresh for each call: the outputs dict and the list of target dicts."""
    outputs = {"pred_logits": case["pred_logits"].clone(), "pred_boxes": case["pred_boxes"].clone()}
    targets = [{"labels": labels.clone(), "boxes": boxes.clone()} for labels, boxes in zip(case["labels"], case["boxes"])]
    return outputs, targets


def _detr_unchanged(outputs, targets, case):
    if not (_same(outputs["pred_logits"], case["pred_logits"]) and _same(outputs["pred_boxes"], case["pred_boxes"])):
        raise _InPlace("outputs")
    if not all(_same(t["labels"], labels) and _same(t["boxes"], boxes)
               for t, labels, boxes in zip(targets, case["labels"], case["boxes"])):
        raise _InPlace("targets")


def _detr_matcher(matcher, case, call) -> dict:
    """matcher(outputs, targets) -> [(pred_idx, tgt_idx)] per image, as (B, Q) tensors padded with -1 and the
    (B,) count of pairs returned per image (pairs beyond Q are cut: the count still tells)."""
    outputs, targets = _detr_inputs(case)
    result = matcher(outputs, targets)
    _detr_unchanged(outputs, targets, case)
    batch, queries = case["pred_logits"].shape[:2]
    if not isinstance(result, (list, tuple)) or len(result) != batch:
        raise _Arity()
    pred_idx, tgt_idx = torch.full((batch, queries), -1.0), torch.full((batch, queries), -1.0)
    count = torch.zeros(batch)
    for b, pair in enumerate(result):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise _Arity()
        for value in pair:
            if type(value) is not _Tensor:
                raise _Returned(value)
        rows, cols = (v.detach().to("cpu").reshape(-1) for v in pair)
        if rows.is_floating_point() or cols.is_floating_point() or len(rows) != len(cols):
            raise _Arity()
        count[b] = len(rows)
        pred_idx[b, :min(len(rows), queries)] = rows[:queries].double().float()
        tgt_idx[b, :min(len(cols), queries)] = cols[:queries].double().float()
    return {"pred_idx": pred_idx, "tgt_idx": tgt_idx, "count": count}


def _detr_criterion(criterion, case, call) -> dict:
    """criterion(outputs, targets, indices) -> its dict of losses, as tensors under the names the task states,
    and ``carries_grad``: for each loss, 1 if it is connected to the predictions (a loss that was detached, or
    rebuilt from numbers, trains nothing; a box loss of a batch without objects counts as connected)."""
    outputs, targets = _detr_inputs(case)
    for key in ("pred_logits", "pred_boxes"):
        outputs[key].requires_grad_(True)
    indices = [(rows.clone(), cols.clone()) for rows, cols in zip(case["pred_idx"], case["tgt_idx"])]
    result = criterion(outputs, targets, indices)
    _detr_unchanged(outputs, targets, case)
    names = [n for n in call["outputs"] if n != "carries_grad"]
    if not isinstance(result, dict):
        raise _Returned(result)
    if not all(name in result for name in names):
        raise _Arity()
    has_objects = any(len(labels) for labels in case["labels"])
    connected = [float(bool(getattr(result[n], "requires_grad", False)) or (n != "loss_ce" and not has_objects))
                 for n in names]
    return {**{name: result[name] for name in names}, "carries_grad": torch.tensor(connected)}


def _dpt_readout(tokens_to_map, case, call) -> dict:
    """tokens_to_map(tokens, grid, readout, project) with DPT's project module (Linear(2D, D), GELU) built from the
    case's weights when the readout is "project"."""
    tokens = case["tokens"].clone()
    project = None
    if case["readout"] == "project":
        weight = case["project_weight"]
        project = torch.nn.Sequential(torch.nn.Linear(weight.shape[1], weight.shape[0]), torch.nn.GELU())
        with torch.no_grad():
            project[0].weight.copy_(weight)
            project[0].bias.copy_(case["project_bias"])
    result = tokens_to_map(tokens, tuple(int(v) for v in case["grid"]), case["readout"], project)
    if not _same(tokens, case["tokens"]):
        raise _InPlace("tokens")
    return {"feature_map": result}


def _caption_until_eos(generate, case, call) -> dict:
    """generate(images, max_len), with the weights of the steps after a caption's first <eos> set to 0:
    what a finished caption attends to is left to the student."""
    images = _copy(case["images"])
    result = generate(images, int(case["max_len"]))
    if not _unchanged(images, case["images"]):
        raise _InPlace("images")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise _Arity()
    tokens, weights = result
    if type(tokens) is _Tensor and type(weights) is _Tensor and tokens.dim() == 2 and weights.dim() == 3 \
            and tuple(weights.shape[:2]) == tuple(tokens.shape):
        weights = weights.masked_fill(after_first_eos(tokens)[..., None], 0.0)
    return {"tokens": tokens, "weights": weights}


ADAPTERS = {"detr_matcher": _detr_matcher, "detr_criterion": _detr_criterion, "dpt_readout": _dpt_readout,
            "caption_until_eos": _caption_until_eos}
def _cxcywh_to_xyxy(boxes):
    """(..., 4) centre and size -> corners: chapter 9's first task, given to the tasks after it."""
    centre, size = boxes[..., :2], boxes[..., 2:]
    return torch.cat([centre - size / 2, centre + size / 2], dim=-1)


def _box_iou(boxes1, boxes2):
    """(N, 4), (M, 4) corner boxes -> IoU (N, M) and union (N, M), as chapter 9b gives it."""
    size1, size2 = boxes1[:, 2:] - boxes1[:, :2], boxes2[:, 2:] - boxes2[:, :2]
    overlap = (torch.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
               - torch.maximum(boxes1[:, None, :2], boxes2[None, :, :2])).clamp(min=0)
    shared = overlap[..., 0] * overlap[..., 1]
    union = size1.prod(-1)[:, None] + size2.prod(-1)[None, :] - shared
    return shared / union, union


def _generalized_box_iou(boxes1, boxes2):
    """(N, 4), (M, 4) corner boxes -> (N, M) GIoU: the IoU less the uncovered share of the enclosing box."""
    size1, size2 = boxes1[:, 2:] - boxes1[:, :2], boxes2[:, 2:] - boxes2[:, :2]
    overlap = (torch.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
               - torch.maximum(boxes1[:, None, :2], boxes2[None, :, :2])).clamp(min=0)
    shared = overlap[..., 0] * overlap[..., 1]
    covered = size1.prod(-1)[:, None] + size2.prod(-1)[None, :] - shared
    outer = torch.maximum(boxes1[:, None, 2:], boxes2[None, :, 2:]) - torch.minimum(boxes1[:, None, :2], boxes2[None, :, :2])
    enclosing = outer[..., 0] * outer[..., 1]
    return shared / covered - (enclosing - covered) / enclosing


def _matching_cost(logits, boxes, tgt_labels, tgt_boxes, *, w_class=1.0, w_l1=5.0, w_giou=2.0):
    """DETR's (Q, M) matching cost: -w_class p(c_j) + w_l1 L1 - w_giou GIoU."""
    l1 = (boxes[:, None, :] - tgt_boxes[None, :, :]).abs().sum(-1)
    overlap = _generalized_box_iou(_cxcywh_to_xyxy(boxes), _cxcywh_to_xyxy(tgt_boxes))
    return -w_class * torch.softmax(logits, -1)[:, tgt_labels] + w_l1 * l1 - w_giou * overlap


def _tokens_to_map(tokens, grid, readout, project=None):
    """DPT's readout and the grid: (B, 1 + N, D) -> (B, D, h, w), given to the tasks after chapter 10b's first."""
    patches = tokens[:, 1:]
    if readout == "add":
        patches = patches + tokens[:, :1]
    elif readout == "project":
        patches = project(torch.cat([patches, tokens[:, :1].expand(-1, patches.shape[1], -1)], -1))
    b, n, d = patches.shape
    return patches.permute(0, 2, 1).reshape(b, d, grid[0], grid[1])


def _knn(query, points, k):
    """The k nearest of ``points`` for each query point, nearest first: (B, M, k), given after chapter 11a's task 1."""
    return torch.cdist(query, points).topk(k, dim=-1, largest=False).indices


def _farthest_point_sample(points, m):
    """Farthest point sampling from index 0: (B, m), given after chapter 11a's task 2."""
    b, n, _ = points.shape
    batch = torch.arange(b, device=points.device)
    idx = torch.zeros(b, m, dtype=torch.long, device=points.device)
    nearest = torch.full((b, n), float("inf"), dtype=points.dtype, device=points.device)
    for s in range(1, m):
        nearest = torch.minimum(nearest, ((points - points[batch, idx[:, s - 1]][:, None]) ** 2).sum(-1))
        idx[:, s] = nearest.argmax(-1)
    return idx


def _interpolate(pos_fine, pos_coarse, features, k=3):
    """Inverse-squared-distance interpolation from the k nearest coarse points, given after chapter 11b's task 5."""
    idx = _knn(pos_fine, pos_coarse, k)
    batch = torch.arange(len(idx), device=idx.device)[:, None, None]
    weights = 1.0 / (((pos_fine[:, :, None] - pos_coarse[batch, idx]) ** 2).sum(-1) + 1e-8)
    weights = weights / weights.sum(-1, keepdim=True)
    return (weights[..., None] * features[batch, idx]).sum(2)


def _causal_mask(T):
    """Chapter 2a's causal mask, given to the tasks after it."""
    return torch.ones(T, T, dtype=torch.bool).tril()


def _padding_mask(lengths, T):
    """Chapter 2a's padding mask, given to the tasks after it."""
    return torch.arange(T, device=lengths.device)[None, :] < lengths[:, None]


STAND_INS = {"uniform_spatial_attention": _UniformSpatialAttention, "given_tokens": _GivenTokens,
             "half_dropout": _HalfDropout, "state_spatial_attention": _StateSpatialAttention}
GIVEN = {"unfold_patchify": _unfold_patchify, "space_attention": _space_attention, "time_attention": _time_attention,
         "argsort_masking": _argsort_masking, "box_cxcywh_to_xyxy": _cxcywh_to_xyxy, "box_iou": _box_iou,
         "generalized_box_iou": _generalized_box_iou, "matching_cost": _matching_cost, "tokens_to_map": _tokens_to_map,
         "knn": _knn, "farthest_point_sample": _farthest_point_sample, "interpolate": _interpolate,
         "causal_mask": _causal_mask, "padding_mask": _padding_mask}


def check(name: str, obj) -> None:
    """Record what the student's ``obj`` returns on the grader's inputs for check ``name``."""
    inputs = _load(Path(os.environ["AUTOGRADER_INPUTS"]) / f"{name}.pt", weights_only=True)
    outputs = run_student(inputs["call"], obj, inputs["cases"])
    save_record(Path(os.environ["AUTOGRADER_RECORDS"]) / f"{name}.npz", outputs)
    print(f"{name}: recorded; graded after submission")
