"""Hidden checks for ``06a_space_time_attention.ipynb``.

The oracles never regroup tokens: space and time attention are one attention over
the whole flattened clip, (B, T·N, D), with a boolean block mask (same frame, or
same location), computed in float64 from the module's weights.  A regrouping
mistake (the classic ``x.reshape(B * N, T, D)`` without moving T next to D) is
its own oracle, written the student's way.  The divided block is judged with the
kernel's own space and time attention in place of the student's, so that a
mistake there costs points in that task only.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..core import Spec, register
from ..oracles import only_when, randn as _randn
from .. import ch05_vit

# ------------------------------------------------------------ patches
def _vtp_cases(gen):
    return [{"video": _randn(gen, b, c, t, h, w), "patch": p}
            for b, c, t, h, w, p in [(2, 3, 4, 8, 12, 4), (1, 2, 3, 6, 6, 2), (2, 3, 5, 10, 5, 5), (1, 1, 2, 4, 4, 4)]]


def _vtp(c, *, layout="cpp", order="rows", input_btchw=False, permute=True, tn_swapped=False, swap_hw=False,
         split="outer"):
    v, p = c["video"], c["patch"]
    if input_btchw:  # the student reads (B, C, T, H, W) as (B, T, C, H, W)
        v = v.transpose(1, 2)
    b, ch, t, h, w = v.shape
    if swap_hw:  # the frame size unpacked as (W, H): the grid is then read as W/P rows of H/P
        if h == w:
            raise ValueError("square frames: the swap changes nothing")
        h, w = w, h
    gh, gw = h // p, w // p
    if not permute:
        return {"patches": v.reshape(b, t, gh * gw, ch * p * p)}
    if split == "inner":  # H split as (P, H/P), W as (P, W/P): a "patch" takes pixels H/P rows apart
        if p in (1, h, w):
            raise ValueError("the two splits agree here")
        x = v.reshape(b, ch, t, p, gh, p, gw).permute(0, 2, 4, 6, 1, 3, 5)
        return {"patches": x.reshape(b, t, gh * gw, ch * p * p)}
    x = v.reshape(b, ch, t, gh, p, gw, p)
    dims = {"cpp": (0, 2, 3, 5, 1, 4, 6), "ppc": (0, 2, 3, 5, 4, 6, 1)}[layout]
    if order == "columns":
        dims = dims[:2] + (dims[3], dims[2]) + dims[4:]
    out = x.permute(*dims).reshape(b, t, gh * gw, ch * p * p)
    if tn_swapped:
        if t == gh * gw:
            raise ValueError("T = N: the swap keeps the shape")
        out = out.transpose(1, 2)
    return {"patches": out}


def _vtp_reference(c):
    """F.unfold's patches of each frame, stacked along T."""
    v, p = c["video"], c["patch"]
    return {"patches": torch.stack([F.unfold(v[:, :, t], p, stride=p).transpose(1, 2) for t in range(v.shape[2])], 1)}


register(Spec(
    name="ch06.video_to_patches", what="video_to_patches",
    cases=_vtp_cases,
    call={"args": ["video", "patch"], "outputs": ["patches"]},
    reference=_vtp_reference,
    mistakes={
        "reads the clip as (B, T, C, H, W); PyTorch's video layout, the input here, is (B, C, T, H, W)":
            lambda c: _vtp(c, input_btchw=True),
        "reshapes (B, C, T, H, W) straight to (B, T, N, C·P·P): that mixes channels, frames and rows; split H and "
        "W into (grid, P) and permute to (B, T, H/P, W/P, C, P, P) first":
            lambda c: _vtp(c, permute=False),
        "orders the values inside a patch as (P, P, C), channel last; this course uses (C, P, P), as chapter 5's "
        "patchify":
            lambda c: _vtp(c, layout="ppc"),
        "orders the patches of a frame column by column; number them row by row":
            lambda c: _vtp(c, order="columns"),
        "returns (B, N, T, C·P·P): the frame axis comes before the patch axis, (B, T, N, C·P·P)":
            lambda c: _vtp(c, tn_swapped=True),
        "swaps H and W (square frames hide it): each frame's grid has H/P rows and W/P columns":
            lambda c: _vtp(c, swap_hw=True),
        "splits H into (P, H/P) rather than (H/P, P) (and W likewise): each patch then gathers pixels H/P apart; "
        "reshape to (B, C, T, H/P, P, W/P, P), the grid index before the index inside the patch":
            lambda c: _vtp(c, split="inner"),
    },
    # chapter 5's list, and the 3-D convolutions a video invites (a one-hot (1, P, P) kernel cuts patches too)
    forbidden=ch05_vit.vision_transformer.PATCHIFY_FORBIDDEN + ("conv3d", "Conv3d", "conv_transpose3d"),
))


# -------------------------------------------------- space and time attention
def _attention_state(gen, d):
    return {"qkv.weight": _randn(gen, 3 * d, d) / math.sqrt(d), "qkv.bias": 0.3 * _randn(gen, 3 * d),
            "proj.weight": _randn(gen, d, d) / math.sqrt(d), "proj.bias": 0.3 * _randn(gen, d)}


def _masked_attention(x, state, heads, mask):
    """Multi-head attention over the flattened sequence x (B, L, D), token i seeing token j where mask[i, j]."""
    x = x.double()
    b, l, d = x.shape
    s = {k: v.double() for k, v in state.items()}
    q, k, v = F.linear(x, s["qkv.weight"], s["qkv.bias"]).reshape(b, l, 3, heads, d // heads).permute(2, 0, 3, 1, 4)
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(d // heads)
    y = scores.masked_fill(~mask, float("-inf")).softmax(-1) @ v  # (B, nh, L, hs)
    return F.linear(y.transpose(1, 2).reshape(b, l, d), s["proj.weight"], s["proj.bias"])


def _grid(t, n):
    frame = torch.arange(t).repeat_interleave(n)  # token (t, n) of the flattened clip sits in frame t
    location = torch.arange(n).repeat(t)          # ... and at location n
    return frame, location


def _factorised(x, state, heads, kind):
    """Space or time attention (or joint), by a block mask over the flattened clip: no regrouping."""
    b, t, n, d = x.shape
    frame, location = _grid(t, n)
    mask = {"space": frame[:, None] == frame[None], "time": location[:, None] == location[None],
            "joint": torch.ones(t * n, t * n, dtype=torch.bool)}[kind]
    return _masked_attention(x.reshape(b, t * n, d), state, heads, mask).reshape(b, t, n, d)


def _grouped(x, state, heads, groups, length, *, back="reshape"):
    """The student's way with a wrong regrouping: the flat memory cut into sequences of ``length``."""
    b, t, n, d = x.shape
    seqs = x.double().reshape(groups, length, d)
    y = _masked_attention(seqs, state, heads, torch.ones(length, length, dtype=torch.bool))
    return y.reshape(b, t, n, d)


def _time_not_back(x, state, heads):
    """Time attention on (B, N, T, D), left in that memory order and reshaped to (B, T, N, D)."""
    b, t, n, d = x.shape
    seqs = x.double().transpose(1, 2).reshape(b * n, t, d)
    y = _masked_attention(seqs, state, heads, torch.ones(t, t, dtype=torch.bool))
    return y.reshape(b, t, n, d)


def _attention_cases(gen):
    cases = []
    for b, t, n, d, heads in [(2, 3, 4, 8, 2), (1, 4, 6, 6, 3), (2, 5, 2, 4, 1), (1, 2, 7, 8, 4)]:
        cases.append({"x": _randn(gen, b, t, n, d), "state": _attention_state(gen, d), "heads": heads})
    return cases


register(Spec(
    name="ch06.space_attention", what="space_attention",
    cases=_attention_cases,
    call={"args": ["x", "state", "heads"], "outputs": ["y"]},
    reference=lambda c: {"y": _factorised(c["x"], c["state"], c["heads"], "space")},
    mistakes={
        "attends over all T·N tokens of the clip (joint space-time); space attention keeps each frame to itself: "
        "one sequence per frame, (B·T, N, D)":
            lambda c: {"y": _factorised(c["x"], c["state"], c["heads"], "joint")},
        "attends over the frames at each location (that is time attention); space attention attends within each "
        "frame":
            lambda c: {"y": _factorised(c["x"], c["state"], c["heads"], "time")},
        "cuts the clip into sequences of T consecutive tokens (a reshape to (B·N, T, D)): a frame is the N "
        "tokens x[:, t], one sequence per frame: (B·T, N, D)":
            lambda c: (only_when(c["x"].shape[1] != c["x"].shape[2]),
                       {"y": _grouped(c["x"], c["state"], c["heads"], c["x"].shape[0] * c["x"].shape[2],
                                      c["x"].shape[1])})[1],
        "returns (B·T, N, D), the attention's batch of sequences; put the frames back: (B, T, N, D), each token "
        "in its place":
            lambda c: {"y": _factorised(c["x"], c["state"], c["heads"], "space").flatten(0, 1)},
        "groups the frames as (T, B) but puts them back as (B, T): each frame's output lands in another frame's "
        "place; undo the grouping the way it was made":
            lambda c: (only_when(c["x"].shape[0] > 1 and c["x"].shape[1] > 1),
                       {"y": _factorised(c["x"], c["state"], c["heads"], "space").transpose(0, 1)
                        .reshape(c["x"].shape)})[1],
    },
))

register(Spec(
    name="ch06.time_attention", what="time_attention",
    cases=_attention_cases,
    call={"args": ["x", "state", "heads"], "outputs": ["y"]},
    reference=lambda c: {"y": _factorised(c["x"], c["state"], c["heads"], "time")},
    mistakes={
        "reshapes (B, T, N, D) straight to (B·N, T, D): the sequences are then T consecutive tokens of one frame, "
        "not one location over the frames; move T next to D first: x.transpose(1, 2).reshape(B * N, T, D)":
            lambda c: (only_when(c["x"].shape[1] > 1 and c["x"].shape[2] > 1),
                       {"y": _grouped(c["x"], c["state"], c["heads"], c["x"].shape[0] * c["x"].shape[2],
                                      c["x"].shape[1])})[1],
        "leaves the output in (B, N, T, D) order: transpose it back to (B, T, N, D) before returning, not a "
        "reshape":
            lambda c: (only_when(c["x"].shape[1] > 1 and c["x"].shape[2] > 1),
                       {"y": _time_not_back(c["x"], c["state"], c["heads"])})[1],
        "attends over all T·N tokens of the clip (joint space-time); time attention keeps each location to "
        "itself: one sequence per location, (B·N, T, D)":
            lambda c: {"y": _factorised(c["x"], c["state"], c["heads"], "joint")},
        "attends within each frame (that is space attention); time attention attends over the frames at one "
        "location":
            lambda c: {"y": _factorised(c["x"], c["state"], c["heads"], "space")},
    },
))


# ------------------------------------------------------- divided block
def _divided_cases(gen):
    cases = []
    for b, t, n, d, heads, m in [(2, 3, 4, 8, 2, 16), (1, 4, 3, 6, 3, 12), (2, 2, 5, 4, 1, 8)]:
        state = {}
        for prefix in ("temporal_attn.", "attn."):
            state.update({prefix + k: v for k, v in _attention_state(gen, d).items()})
        for name in ("temporal_norm1", "norm1", "norm2"):
            state[name + ".weight"], state[name + ".bias"] = 1 + 0.2 * _randn(gen, d), 0.2 * _randn(gen, d)
        state.update({"temporal_fc.weight": _randn(gen, d, d) / math.sqrt(d), "temporal_fc.bias": 0.2 * _randn(gen, d),
                      "mlp.fc1.weight": _randn(gen, m, d) / math.sqrt(d), "mlp.fc1.bias": 0.2 * _randn(gen, m),
                      "mlp.fc2.weight": _randn(gen, d, m) / math.sqrt(m), "mlp.fc2.bias": 0.2 * _randn(gen, d)})
        cases.append({"x": _randn(gen, b, 1 + t * n, d), "state": state, "T": t, "N": n, "heads": heads,
                      "mlp_dim": m})
    return cases


def _sub(state, prefix):
    return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}


def _divided(c, *, order="time_first", cls="mean", temporal_fc=True, temporal_norm=True, mlp=True,
             sequential=True, cls_in_time=False, cls_residual=True, time_modules="temporal"):
    s, heads, t, n = c["state"], c["heads"], c["T"], c["N"]
    x = c["x"].double()
    b, _, d = x.shape
    sd = {k: v.double() for k, v in s.items()}

    def ln(name, v):
        return F.layer_norm(v, (d,), sd[name + ".weight"], sd[name + ".bias"])

    def time_step(patches):
        if cls_in_time:  # the paper's equations: each location's sequence is [cls, its T patches]
            patches_in = torch.cat([x[:, :1, None].expand(b, 1, n, d), patches], 1)  # (B, 1 + T, N, D)
        else:
            patches_in = patches
        norm, attn = ("temporal_norm1", "temporal_attn.") if time_modules == "temporal" else ("norm1", "attn.")
        h = ln(norm, patches_in) if temporal_norm else patches_in
        y = _factorised(h, _sub(s, attn), heads, "time")
        if cls_in_time:  # the class token's own outputs dropped
            y = y[:, 1:]
        if temporal_fc:
            y = F.linear(y, sd["temporal_fc.weight"], sd["temporal_fc.bias"])
        return patches + y

    def space_step(cls_token, patches):
        frames = torch.cat([cls_token[:, None].expand(b, t, 1, d), patches], 2)  # (B, T, 1 + N, D)
        out = _factorised(ln("norm1", frames), _sub(s, "attn."), heads, "space")
        reduce = {"mean": out[:, :, 0].mean(1, keepdim=True), "sum": out[:, :, 0].sum(1, keepdim=True),
                  "first": out[:, :1, 0]}[cls]
        return (cls_token + reduce if cls_residual else reduce), patches + out[:, :, 1:]

    cls_token, patches = x[:, :1], x[:, 1:].reshape(b, t, n, d)
    if order == "time_first":
        timed = time_step(patches)
        cls_token, patches = space_step(cls_token, timed if sequential else patches)
        if not sequential:  # both steps read the block's input; their updates are summed
            patches = patches + (timed - x[:, 1:].reshape(b, t, n, d))
    else:
        cls_token, patches = space_step(cls_token, patches)
        patches = time_step(patches)
    out = torch.cat([cls_token, patches.reshape(b, t * n, d)], 1)
    if mlp:
        h = ln("norm2", out)
        out = out + F.linear(F.gelu(F.linear(h, sd["mlp.fc1.weight"], sd["mlp.fc1.bias"])),
                             sd["mlp.fc2.weight"], sd["mlp.fc2.bias"])
    return {"y": out}


register(Spec(
    name="ch06.divided_block", what="DividedBlock.forward",
    cases=_divided_cases,
    call={"args": ["x", "state", "T", "N", "heads", "mlp_dim"], "outputs": ["y"],
          "given": {"space_attention": "space_attention", "time_attention": "time_attention"}},
    reference=_divided,
    mistakes={
        "attends in space first, then in time; TimeSformer's divided block attends in time first (on the patch "
        "tokens), then in space":
            lambda c: _divided(c, order="space_first"),
        "takes the class token's update from frame 0; it is the mean of its T copies' outputs, one per frame":
            lambda c: _divided(c, cls="first"),
        "sums the class token's T outputs; take their mean over the frames":
            lambda c: _divided(c, cls="sum"),
        "adds the time attention's output without temporal_fc: x_p + temporal_fc(time_attention(LN_t(x_p)))":
            lambda c: _divided(c, temporal_fc=False),
        "skips temporal_norm1: the time step is pre-norm too, time_attention(temporal_norm1(x_p))":
            lambda c: _divided(c, temporal_norm=False),
        "leaves out the MLP: after the space step, x = x + mlp(norm2(x)) on every token":
            lambda c: _divided(c, mlp=False),
        "lets the space step read the block's input instead of the time step's output; the steps run one after "
        "the other":
            lambda c: _divided(c, sequential=False),
        "lets the class token take part in the time attention (the paper's equations); the official code, which "
        "the task follows, attends over each location's T patch tokens only":
            lambda c: _divided(c, cls_in_time=True),
        "replaces the class token by the mean of its space-attention outputs; it is a residual update too: cls + "
        "the mean over the frames":
            lambda c: _divided(c, cls_residual=False),
        "attends in time with the space step's norm1 and attn; the time step has its own modules, "
        "temporal_norm1 and temporal_attn":
            lambda c: _divided(c, time_modules="space"),
    },
))


# -------------------------------------------------------------- FLOPs
def _flops(c, *, per_mac=2, joint="full", divided_time="per_location", cls=True, products=2, divided_space=True,
           projections=False):
    variant, t, n, d = c["variant"], c["T"], c["N"], c["D"]
    one = 1 if cls else 0

    def cost(sequences, length):
        value = sequences * products * per_mac * length * length * d
        if projections:  # Q, K, V and the output projection: 4 products of (L x D) by (D x D)
            value += sequences * 4 * 2 * length * d * d
        return value

    space = cost(t, one + n)
    if variant == "space":
        value = space
    elif variant == "joint":
        value = {"full": cost(1, one + t * n), "per_frame": cost(t, one + n),
                 "cls_per_frame": cost(1, t * (one + n))}[joint]
    else:
        time = {"per_location": cost(n, t), "once": cost(1, t), "with_cls": cost(n, 1 + t)}[divided_time]
        value = time + (space if divided_space else 0)
    return {"flops": torch.tensor(float(value), dtype=torch.float64)}


def _flops_cases(gen):
    return [{"variant": v, "T": t, "N": n, "D": d}
            for v, t, n, d in [("space", 8, 196, 768), ("joint", 8, 196, 768), ("divided", 8, 196, 768),
                               ("joint", 3, 5, 12), ("divided", 16, 49, 64), ("space", 2, 7, 10), ("divided", 1, 4, 6)]]


def _if_variant(*variants):
    def wrap(fn):
        def run(c):
            only_when(c["variant"] in variants)
            return fn(c)
        return run
    return wrap


register(Spec(
    name="ch06.attention_flops", what="attention_flops",
    cases=_flops_cases,
    call={"args": ["variant", "T", "N", "D"], "outputs": ["flops"]},
    reference=_flops,
    atol=0.5,
    mistakes={
        "counts one FLOP per multiply-add (or one of the two products); a product of (L x D) and (D x L') costs "
        "2 L L' D, and there are two, Q K^T and A V":
            lambda c: _flops(c, per_mac=1),
        "counts joint attention as T separate frames, the space model's cost; in joint attention all 1 + T·N "
        "tokens attend to each other":
            _if_variant("joint")(lambda c: _flops(c, joint="per_frame")),
        "counts the time step as one sequence of T tokens; there is one sequence per location, N of them":
            _if_variant("divided")(lambda c: _flops(c, divided_time="once")),
        "leaves out the class token; the space step's sequences are 1 + N tokens long, the joint sequence 1 + T·N":
            _if_variant("space", "joint", "divided")(lambda c: _flops(c, cls=False)),
        "counts Q K^T and A V twice over; each costs 2 L L' D once per sequence":
            lambda c: _flops(c, per_mac=4),
        "counts a class token per frame in the joint sequence; joint attention has one class token among its "
        "1 + T·N tokens":
            _if_variant("joint")(lambda c: _flops(c, joint="cls_per_frame")),
        "counts the class token in the time step's sequences; in this course's divided block (the official code) "
        "the time step attends over the T patch tokens of each location only":
            _if_variant("divided")(lambda c: _flops(c, divided_time="with_cls")),
        "counts only the time step of the divided block; the block also attends in space, T sequences of 1 + N "
        "tokens":
            _if_variant("divided")(lambda c: _flops(c, divided_space=False)),
        "counts the projections too (Q, K, V and the output); the task counts the two attention products only, "
        "Q K^T and A V":
            lambda c: _flops(c, projections=True),
    },
))
