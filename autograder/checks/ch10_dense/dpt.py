"""Hidden checks for ``10b_dpt.ipynb``.

The oracles index tokens one by one into the grid, and build every layer from its weights with
PyTorch's functional convolutions in float64.  ``Reassemble`` is judged with the grader's own
``tokens_to_map`` in place of the student's; its weights are loaded by the names the task fixes, so a
layer of the wrong kind (a bilinear upsampling in place of the transposed convolution) is named in
the verdict on the layers.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..core import Spec, register
from ..oracles import only_when, randn


# ----------------------------------------------------------------- task 3
def _readout_cases(gen):
    cases = []
    for b, (h, w), d, readout in [(2, (2, 3), 4, "ignore"), (2, (3, 2), 5, "add"), (1, (2, 2), 6, "project"),
                                  (3, (4, 3), 3, "project"), (2, (1, 4), 4, "add")]:
        cases.append({"tokens": randn(gen, b, 1 + h * w, d), "grid": (h, w), "readout": readout,
                      "project_weight": randn(gen, d, 2 * d) / math.sqrt(2 * d), "project_bias": 0.3 * randn(gen, d)})
    return cases


def _readout(c, *, order="row", cls_first=False, add="cls", keep_cls=False, mode=None, no_transpose=False):
    tokens = c["tokens"].double()
    b, _, d = tokens.shape
    h, w = (int(v) for v in c["grid"])
    readout = mode or c["readout"]
    cls = tokens[:, 0]
    out = torch.zeros(b, d, h, w, dtype=torch.float64)
    patches = tokens[:, 1:]
    if keep_cls:  # the class token taken as the first cell of the grid: the last patch token falls off
        patches = tokens[:, :-1]
    if no_transpose:  # (B, N, D) read as (B, D, h, w): the memory as it lies
        return {"feature_map": patches.reshape(b, d, h, w)}
    for n in range(h * w):
        row, col = (n // w, n % w) if order == "row" else (n % h, n // h)
        tok = patches[:, n]
        if readout == "add":
            tok = tok + (cls if add == "cls" else patches.mean(1))
        elif readout == "project":
            both = torch.cat([cls, tok], -1) if cls_first else torch.cat([tok, cls], -1)
            tok = F.gelu(both @ c["project_weight"].double().T + c["project_bias"].double())
        out[:, :, row, col] = tok
    return {"feature_map": out}


def _only(readout):
    def mistake(c, **kw):
        only_when(c["readout"] == readout)
        return _readout(c, **kw)
    return mistake


register(Spec(
    name="ch10.tokens_to_map", what="tokens_to_map",
    cases=_readout_cases,
    call={"adapter": "dpt_readout", "args": ["tokens"], "outputs": ["feature_map"]},
    reference=_readout,
    mistakes={
        "reshapes the (B, N, D) tokens straight to (B, D, h, w): the channels must come first, move them with a "
        "transpose (or permute) before the reshape":
            lambda c: _readout(c, no_transpose=True),
        "returns the map channels last, (B, h, w, D); convolutions want the channels first, (B, D, h, w): move "
        "them with a transpose (or permute)":
            lambda c: {"feature_map": _readout(c)["feature_map"].permute(0, 2, 3, 1)},
        "fills the grid column by column; token n is row n // w, column n % w (row by row, as patches are cut)":
            lambda c: _readout(_needs_rect(c), order="column"),
        "keeps the class token in the grid (it has no cell): drop tokens[:, 0] and read the grid from tokens[:, 1:]":
            lambda c: _readout(c, keep_cls=True),
        "adds the mean patch token for readout 'add'; DPT adds the class token, tokens[:, 0]":
            lambda c: _only("add")(c, add="mean"),
        "concatenates [class token ; patch token]; DPT's project readout concatenates [patch token ; class token]":
            lambda c: _only("project")(c, cls_first=True),
        "ignores the class token for every readout: 'add' adds it to each patch token, 'project' concatenates and "
        "projects":
            lambda c: _readout(_needs(c, c["readout"] != "ignore"), mode="ignore"),
    },
))


def _needs(c, condition):
    only_when(condition)
    return c


def _needs_rect(c):
    only_when(int(c["grid"][0]) > 1 and int(c["grid"][1]) > 1)
    return c


# ----------------------------------------------------------------- task 4
def _reassemble_cases(gen):
    cases = []
    for b, (h, w), dim, channels, scale, readout in [(2, (4, 4), 8, 6, 4, "project"), (2, (3, 2), 6, 5, 2, "add"),
                                                     (1, (4, 4), 6, 6, 1, "ignore"), (2, (4, 3), 8, 8, 0.5, "project"),
                                                     (2, (3, 3), 6, 6, 2, "ignore"), (1, (5, 5), 4, 3, 0.5, "add")]:
        state = {"project.weight": randn(gen, channels, dim, 1, 1) / math.sqrt(dim), "project.bias": 0.3 * randn(gen, channels)}
        if readout == "project":
            state.update({"readout_project.0.weight": randn(gen, dim, 2 * dim) / math.sqrt(2 * dim),
                          "readout_project.0.bias": 0.3 * randn(gen, dim)})
        if scale in (4, 2):
            state.update({"resample.weight": randn(gen, channels, channels, scale, scale) / channels,
                          "resample.bias": 0.3 * randn(gen, channels)})
        elif scale == 0.5:
            state.update({"resample.weight": randn(gen, channels, channels, 3, 3) / (3 * math.sqrt(channels)),
                          "resample.bias": 0.3 * randn(gen, channels)})
        cases.append({"tokens": randn(gen, b, 1 + h * w, dim), "dim": dim, "channels": channels, "scale": scale,
                      "grid": (h, w), "readout": readout, "state": state})
    return cases


def _grid_of(c):
    tokens, (h, w) = c["tokens"].double(), c["grid"]
    s = {k: v.double() for k, v in c["state"].items()}
    patches = tokens[:, 1:]
    if c["readout"] == "add":
        patches = patches + tokens[:, :1]
    elif c["readout"] == "project":
        both = torch.cat([patches, tokens[:, :1].expand_as(patches)], -1)
        patches = F.gelu(both @ s["readout_project.0.weight"].T + s["readout_project.0.bias"])
    return patches.transpose(1, 2).reshape(len(tokens), -1, h, w), s


def _resample(x, s, scale, *, padding=1, channels_from=None):
    if scale in (4, 2):
        return F.conv_transpose2d(x, s["resample.weight"], s["resample.bias"], stride=scale)
    if scale == 0.5:
        return F.conv2d(x, s["resample.weight"], s["resample.bias"], stride=2, padding=padding)
    return x


def _reassemble(c, *, order="project_first", padding=1, relu=False):
    x, s = _grid_of(c)
    if order == "resample_first":  # only possible when the resampling's channels fit the tokens' width
        only_when(c["dim"] == c["channels"] and c["scale"] != 1)
        return {"feature_map": F.conv2d(_resample(x, s, c["scale"]), s["project.weight"], s["project.bias"])}
    x = F.conv2d(x, s["project.weight"], s["project.bias"])
    if relu:  # an activation the task does not have, between the two layers
        x = F.relu(x)
    return {"feature_map": _resample(x, s, c["scale"], padding=padding)}


register(Spec(
    name="ch10.reassemble", what="Reassemble",
    cases=_reassemble_cases,
    call={"construct": {}, "construct_kwargs": ["dim", "channels", "scale", "grid", "readout"], "state": "state",
          "mode": "eval", "args": ["tokens"], "outputs": ["feature_map"], "given": {"tokens_to_map": "tokens_to_map"},
          "init_changed": "has layers whose names or shapes differ from the task's: self.project = nn.Conv2d(dim, "
                          "channels, 1); self.resample = nn.ConvTranspose2d(channels, channels, kernel_size=scale, "
                          "stride=scale) for scale 4 or 2, nn.Identity() for 1, nn.Conv2d(channels, channels, 3, "
                          "stride=2, padding=1) for 0.5; self.readout_project = nn.Sequential(nn.Linear(2 * dim, dim), "
                          "nn.GELU()) for readout 'project', else None"},
    reference=_reassemble,
    mistakes={
        "resamples before the 1 x 1 projection; DPT projects to the level's channels first, then resamples":
            lambda c: _reassemble(c, order="resample_first"),
        "downsamples with a stride-2 convolution without padding: the map must halve exactly (padding=1)":
            lambda c: _reassemble(_needs(c, c["scale"] == 0.5), padding=0),
        "applies a ReLU between the 1 x 1 projection and the resampling; Reassemble has no activation: project, then "
        "resample":
            lambda c: _reassemble(c, relu=True),
    },
))


# ----------------------------------------------------------------- task 5
def _fusion_cases(gen):
    cases = []
    for b, f, h, w, with_skip in [(2, 4, 3, 4, True), (1, 3, 2, 2, False), (2, 5, 4, 3, True), (1, 4, 5, 5, True)]:
        state = {}
        for unit in ("rcu1", "rcu2"):
            for conv in ("conv1", "conv2"):
                state[f"{unit}.{conv}.weight"] = randn(gen, f, f, 3, 3) / (3 * math.sqrt(f))
                state[f"{unit}.{conv}.bias"] = 0.3 * randn(gen, f)
        state["out_conv.weight"], state["out_conv.bias"] = randn(gen, f, f, 1, 1) / math.sqrt(f), 0.3 * randn(gen, f)
        cases.append({"features": f, "state": state, "x": randn(gen, b, f, h, w),
                      "skip": randn(gen, b, f, h, w) if with_skip else None})
    return cases


def _rcu(x, s, unit, kind="pre"):
    def conv(y, name):
        return F.conv2d(y, s[f"{unit}.{name}.weight"], s[f"{unit}.{name}.bias"], padding=1)
    if kind == "pre":
        return x + conv(F.relu(conv(F.relu(x), "conv1")), "conv2")
    if kind == "no_residual":  # the unit's branch alone, without "x +"
        return conv(F.relu(conv(F.relu(x), "conv1")), "conv2")
    if kind == "conv_first":  # conv -> relu -> conv -> relu, then the residual
        return x + F.relu(conv(F.relu(conv(x, "conv1")), "conv2"))
    return F.relu(x + conv(F.relu(conv(x, "conv1")), "conv2"))  # ResNet's: relu after the sum


def _fusion(c, *, rcu="pre", align_corners=True, mode="bilinear", skip_rcu=True, up_first=False, rcu1_on="skip",
            rcu2="always", out_conv_used=True):
    s = {k: v.double() for k, v in c["state"].items()}
    x = c["x"].double()
    skip = None if c["skip"] is None else c["skip"].double()

    def up(y):
        if mode == "nearest":
            return F.interpolate(y, scale_factor=2, mode="nearest")
        return F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=align_corners)

    def out_conv(y):
        return F.conv2d(y, s["out_conv.weight"], s["out_conv.bias"]) if out_conv_used else y

    if up_first:
        x, skip = up(x), (None if skip is None else up(skip))
    if skip is not None:
        if rcu1_on == "x":  # the running features refined in place of this level's map
            x = _rcu(x, s, "rcu1", rcu) + skip
        else:
            x = x + (_rcu(skip, s, "rcu1", rcu) if skip_rcu else skip)
    if rcu2 == "always" or skip is not None:
        x = _rcu(x, s, "rcu2", rcu)
    if up_first:
        return {"out": out_conv(x)}
    # out_conv is 1 x 1 and bilinear weights sum to 1: applying it before the upsampling is the same map
    return {"out": out_conv(up(x))}


def _with_skip(c):
    only_when(c["skip"] is not None)
    return c


register(Spec(
    name="ch10.fusion_block", what="FusionBlock",
    cases=_fusion_cases,
    call={"construct": {}, "construct_kwargs": ["features"], "state": "state", "mode": "eval", "args": ["x", "skip"],
          "outputs": ["out"]},
    reference=_fusion,
    mistakes={
        "applies each convolution before its ReLU: DPT's unit is pre-activation, x + conv2(relu(conv1(relu(x))))":
            lambda c: _fusion(c, rcu="conv_first"),
        "puts a ReLU after the residual sum (ResNet's unit); DPT's is pre-activation, x + conv2(relu(conv1(relu(x))))":
            lambda c: _fusion(c, rcu="post"),
        "upsamples with align_corners=False; DPT's bilinear upsampling uses align_corners=True":
            lambda c: _fusion(c, align_corners=False),
        "upsamples with nearest neighbours; DPT's upsampling is bilinear (align_corners=True)":
            lambda c: _fusion(c, mode="nearest"),
        "adds the skip without its residual unit: x + self.rcu1(skip)":
            lambda c: _fusion(_with_skip(c), skip_rcu=False),
        "leaves out the residual connection of ResidualConvUnit: it returns x + conv2(relu(conv1(relu(x))))":
            lambda c: _fusion(c, rcu="no_residual"),
        "applies rcu1 to the running features x; it refines this level's map: x + self.rcu1(skip)":
            lambda c: _fusion(_with_skip(c), rcu1_on="x"),
        "skips rcu2 when there is no skip; rcu2 refines the features at every level, the coarsest included":
            lambda c: _fusion(_needs(c, c["skip"] is None), rcu2="with_skip"),
        "never applies self.out_conv; the block ends with the 1 x 1 convolution after the upsampling":
            lambda c: _fusion(c, out_conv_used=False),
        "upsamples the inputs before fusing them; fuse and refine at the input's size, then upsample":
            lambda c: _fusion(c, up_first=True),
    },
))
