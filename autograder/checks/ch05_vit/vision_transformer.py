"""Hidden checks for ``05a_vision_transformer.ipynb``.

The oracles are independent of the solution's code path: ``F.unfold`` cuts the
patches, the patch embedding is the ViT paper's Eq. (1) written with the state
dict's tensors, the forward pass runs PyTorch's own
``nn.TransformerEncoderLayer(norm_first=True)`` with the given blocks' weights
copied in, and rollout and the similarity map are explicit float64 loops and
formulas.  The patch embedding is judged with ``F.unfold``'s patches in place of
the student's ``patchify``, and the forward pass with a stand-in patch embedding
that returns fixed tokens, so that each mistake costs points in one task only.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .. import relations
from ..core import Spec, register
from ..oracles import randn as _randn, torch_vit_block, vit_block_state

# "Write it yourself": what patchify may not call (read from the solution cell's source).
PATCHIFY_FORBIDDEN = ("unfold", "Unfold", "conv2d", "Conv2d", "conv_transpose2d", "rearrange", "einops", "fold",
                      "pixel_unshuffle", "PixelUnshuffle")


# ------------------------------------------------------------ patchify
def _patchify_cases(gen):
    cases = []
    for b, c, h, w, p in [(2, 3, 8, 12, 4), (3, 1, 6, 6, 2), (1, 2, 10, 15, 5), (2, 3, 4, 4, 4), (2, 2, 3, 5, 1)]:
        cases.append({"images": _randn(gen, b, c, h, w), "patch": p})
    return cases


def _patchify(c, *, permute=True, layout="cpp", order="rows", swap_hw=False, unfold_layout=False, split="outer"):
    x, p = c["images"], c["patch"]
    b, ch, h, w = x.shape
    if not permute:  # strips of rows: consecutive memory, not square patches
        return {"patches": x.reshape(b, (h // p) * (w // p), ch * p * p)}
    if split == "inner":  # H split as (P, H/P): a "patch" takes every (H/P)-th row and every (W/P)-th column
        if p == 1 or p == h or p == w:
            raise ValueError("the two splits agree here")
        t = x.reshape(b, ch, p, h // p, p, w // p).permute(0, 3, 5, 1, 2, 4)
        return {"patches": t.reshape(b, (h // p) * (w // p), ch * p * p)}
    if swap_hw:
        h, w = w, h
    gh, gw = h // p, w // p
    dims = {"cpp": (0, 2, 4, 1, 3, 5), "ppc": (0, 2, 4, 3, 5, 1), "cpp_t": (0, 2, 4, 1, 5, 3)}[layout]
    if order == "columns":
        dims = (dims[0], dims[2], dims[1]) + dims[3:]
    t = x.reshape(b, ch, gh, p, gw, p).permute(*dims).reshape(b, gh * gw, ch * p * p)
    if unfold_layout:
        t = t.transpose(1, 2)
    return {"patches": t}


def _patchify_reference(c):
    return {"patches": F.unfold(c["images"], c["patch"], stride=c["patch"]).transpose(1, 2)}


register(Spec(
    name="ch05.patchify", what="patchify",
    cases=_patchify_cases,
    call={"args": ["images", "patch"], "outputs": ["patches"]},
    reference=_patchify_reference,
    mistakes={
        "reshapes (B, C, H, W) straight to (B, N, C·P·P): that cuts strips of whole rows, not P x P squares; "
        "split H and W into (H/P, P) and (W/P, P) and permute before flattening":
            lambda c: _patchify(c, permute=False),
        "orders the values inside a patch as (P, P, C), channel last (MAE's and vit-pytorch's convention); this "
        "course uses (C, P, P), the order of F.unfold and of a Conv2d weight":
            lambda c: _patchify(c, layout="ppc"),
        "orders the values inside a patch as (C, column, row): the patch is transposed; keep (C, row, column)":
            lambda c: _patchify(c, layout="cpp_t"),
        "orders the patches column by column; number them row by row (patch (i, j) is number i * W/P + j)":
            lambda c: _patchify(c, order="columns"),
        "swaps H and W (a square image hides it): the grid has H/P rows and W/P columns":
            lambda c: _patchify(c, swap_hw=True),
        "returns (B, C·P·P, N), F.unfold's own layout; patchify returns one row per patch: (B, N, C·P·P)":
            lambda c: _patchify(c, unfold_layout=True),
        "splits H into (P, H/P) rather than (H/P, P) (and W likewise): each patch then gathers pixels H/P apart; "
        "reshape to (B, C, H/P, P, W/P, P), the grid index before the index inside the patch":
            lambda c: _patchify(c, split="inner"),
    },
    forbidden=PATCHIFY_FORBIDDEN,
))


# ------------------------------------------------------ patch embedding
def _config(image_size, patch_size, in_chans, dim, dropout=0.0, **more):
    return {"image_size": list(image_size), "patch_size": patch_size, "in_chans": in_chans, "dim": dim,
            "dropout": dropout, **more}


def _embedding_state(gen, cfg, prefix=""):
    (h, w), p, c, d = cfg["image_size"], cfg["patch_size"], cfg["in_chans"], cfg["dim"]
    n = (h // p) * (w // p)
    return {prefix + "proj.weight": _randn(gen, d, c * p * p) / math.sqrt(c * p * p),
            prefix + "proj.bias": 0.5 * _randn(gen, d),
            prefix + "cls_token": _randn(gen, 1, 1, d),
            prefix + "pos_embed": _randn(gen, 1, n + 1, d)}


def _embed_cases(gen, configs):
    cases = []
    for cfg, b in configs:
        h, w = cfg["image_size"]
        cases.append({"config": cfg, "state": _embedding_state(gen, cfg),
                      "images": _randn(gen, b, cfg["in_chans"], h, w)})
    return cases


EMBED_CONFIGS = [(_config((8, 12), 4, 3, 6), 2), (_config((6, 6), 2, 1, 5, dropout=0.3), 3),
                 (_config((10, 5), 5, 2, 4), 1)]


def _embed(c, *, cls="first", cls_pos=True, use_pos=True, scale=False):
    s, x = c["state"], c["images"]
    p = c["config"]["patch_size"]
    tokens = F.linear(F.unfold(x, p, stride=p).transpose(1, 2), s["proj.weight"], s["proj.bias"])  # (B, N, D)
    b, n, d = tokens.shape
    if scale:
        tokens = tokens * math.sqrt(d)
    pos = s["pos_embed"][0]  # (N + 1, D)
    cls_token = s["cls_token"].expand(b, 1, d)
    if cls is None:
        return {"tokens": tokens + (pos[1:] if use_pos else 0)}
    if not cls_pos:  # the class token without a position: only the patches get pos[1:]
        return {"tokens": torch.cat([cls_token, tokens + pos[1:]], 1)}
    seq = torch.cat([cls_token, tokens] if cls == "first" else [tokens, cls_token], 1)
    return {"tokens": seq + pos if use_pos else seq}


def _dropout_in_eval(case, out, reference) -> str | None:
    return relations.dropout_left_on(out.get("tokens"), reference(case)["tokens"].double().numpy(),
                                     case["config"].get("dropout", 0.0), "self.pos_drop")


EMBED_MISTAKES = {
    "appends the class token after the patches; it comes first (token 0), as [CLS] in BERT":
        lambda c: _embed(c, cls="last"),
    "adds no position embedding to the class token: add the whole pos_embed, (1, N+1, D), to the N+1 tokens "
    "after prepending the class token":
        lambda c: _embed(c, cls_pos=False),
    "adds no position embedding":
        lambda c: _embed(c, use_pos=False),
    "does not prepend the class token: return N+1 tokens, the class token first":
        lambda c: _embed(c, cls=None),
    "scales the patch embeddings by sqrt(D) (a habit from chapter 3's token embeddings); ViT adds them unscaled":
        lambda c: _embed(c, scale=True),
}

register(Spec(
    name="ch05.patch_embedding", what="PatchEmbedding",
    cases=lambda gen: _embed_cases(gen, EMBED_CONFIGS),
    call={"construct": "config", "state": "state", "mode": "eval", "given": {"patchify": "unfold_patchify"},
          "args": ["images"], "outputs": ["tokens"]},
    reference=_embed,
    properties=lambda case, out: _dropout_in_eval(case, out, _embed),
    mistakes=EMBED_MISTAKES,
))


# Training mode: the outputs are random, so a judge decides from their structure.
DROPOUT_CONFIGS = [(_config((16, 16), 4, 2, 32, dropout=0.5), 16), (_config((12, 8), 4, 1, 24, dropout=0.2), 24)]


def _judge_dropout(c, out) -> str | None:
    x = out["tokens"]
    ref = _embed(c)["tokens"].double().numpy()
    p = c["config"]["dropout"]
    if x.shape == ref.shape:
        message = _dropout_of_reference(c, x, ref, p)
        if message is not False:
            return message
    # The tokens before dropout are wrong: the evaluation-mode check names how; say only whether dropout is right.
    for mistake in EMBED_MISTAKES.values():
        wrong = mistake(c)["tokens"].double().numpy()
        if wrong.shape != x.shape:
            continue
        if np.allclose(x, wrong, atol=1e-4, rtol=1e-4):
            return ("applies no dropout in training mode (and the tokens are wrong as in evaluation mode): pass the "
                    "tokens through self.pos_drop after adding the position embeddings")
        kept = ~np.isclose(x, 0, atol=1e-6)
        if np.allclose(x[kept], wrong[kept] / (1 - p), atol=1e-4, rtol=1e-4):
            return ("the dropout is right, but the tokens it drops are wrong as in evaluation mode (see that "
                    "check's verdict)")
    return None if x.shape != ref.shape else (
        "in training mode the tokens are neither the evaluation-mode tokens nor those tokens after dropout")


def _dropout_of_reference(c, x, ref, p) -> str | None | bool:
    """The verdict on training-mode tokens of the right shape, or False when they are not the right tokens
    (before dropout) at all."""
    if np.allclose(x, ref, atol=1e-4, rtol=1e-4):
        return ("applies no dropout in training mode: pass the tokens through self.pos_drop after adding the "
                "position embeddings")
    zero = np.isclose(x, 0, atol=1e-6)
    kept = ~zero
    share = zero.mean()
    if np.allclose(x[kept], ref[kept] / (1 - p), atol=1e-4, rtol=1e-4):
        sd = math.sqrt(p * (1 - p) / zero.size)
        if abs(share - p) > 5 * sd:
            return f"drops {share:.1%} of the values in training mode; self.pos_drop drops p = {p:.0%}"
        return None
    # Dropout at another rate (F.dropout's default p = 0.5, a rate typed in): the kept values are scaled
    # by one constant, 1 / (1 - rate), and about that share of the values is zero.
    sure = kept & (np.abs(ref) > 1e-2)
    scale = float(np.median(x[sure] / ref[sure])) if sure.any() else 1.0
    if scale > 1 + 1e-3 and np.allclose(x[kept], ref[kept] * scale, atol=1e-4, rtol=1e-4):
        return (f"drops {share:.1%} of the values in training mode and scales the others by {scale:.3g}, dropout at "
                f"a rate of {1 - 1 / scale:.2g}; self.pos_drop drops p = {p:.0%}, the config's dropout")
    pos = np.broadcast_to(c["state"]["pos_embed"].double().numpy(), ref.shape)
    if np.isclose(x, pos, atol=1e-5).mean() > 0.5 * p:  # a dropped token-value leaves its position embedding
        return ("applies dropout before adding the position embeddings; drop the sum (timm's pos_drop comes after "
                "the position embeddings are added)")
    return False


def _embed_dropped(c):
    """One training-mode draw (a fixed mask, rate p, the kept values scaled by 1 / (1 - p)): an output the
    judge accepts, which gives the outputs' shapes.  The judge itself compares with ``_embed``."""
    tokens, p = _embed(c)["tokens"], c["config"]["dropout"]
    keep = torch.rand(tokens.shape, generator=torch.Generator().manual_seed(0), dtype=tokens.dtype) >= p
    return {"tokens": tokens * keep / (1 - p)}


register(Spec(
    name="ch05.patch_embedding_dropout", what="PatchEmbedding (training mode)",
    cases=lambda gen: _embed_cases(gen, DROPOUT_CONFIGS),
    call={"construct": "config", "state": "state", "given": {"patchify": "unfold_patchify"},
          "args": ["images"], "outputs": ["tokens"]},
    reference=_embed_dropped,
    judge=_judge_dropout,
))


# ------------------------------------------------------------ forward
def _vit_config(image_size, patch_size, in_chans, dim, depth, heads, mlp_dim, num_classes, pool, dropout=0.0):
    return _config(image_size, patch_size, in_chans, dim, dropout, depth=depth, heads=heads, mlp_dim=mlp_dim,
                   num_classes=num_classes, pool=pool)


VIT_CONFIGS = [_vit_config((8, 8), 4, 1, 8, 2, 2, 16, 5, "cls"),
               _vit_config((8, 12), 4, 3, 12, 1, 3, 20, 4, "mean"),
               _vit_config((6, 6), 2, 2, 8, 3, 4, 8, 3, "mean", dropout=0.3),
               _vit_config((10, 5), 5, 1, 6, 2, 1, 12, 7, "cls", dropout=0.3)]


def _vit_cases(gen):
    cases = []
    for cfg in VIT_CONFIGS:
        d, m = cfg["dim"], cfg["mlp_dim"]
        state = _embedding_state(gen, cfg, prefix="patch_embed.")
        for i in range(cfg["depth"]):
            state.update(vit_block_state(gen, f"blocks.{i}.", d, m))
        state.update({"norm.weight": 1 + 0.3 * _randn(gen, d), "norm.bias": 0.3 * _randn(gen, d),
                      "head.weight": _randn(gen, cfg["num_classes"], d) / math.sqrt(d),
                      "head.bias": 0.3 * _randn(gen, cfg["num_classes"])})
        h, w = cfg["image_size"]
        n = (h // cfg["patch_size"]) * (w // cfg["patch_size"])
        b = 3
        cases.append({"config": cfg, "state": state, "images": _randn(gen, b, cfg["in_chans"], h, w),
                      "tokens": _randn(gen, b, n + 1, d)})  # what the stand-in patch embedding returns
    return cases


def _torch_block(state, i, cfg) -> nn.TransformerEncoderLayer:
    """PyTorch's own pre-norm encoder layer, loaded with the given block's weights."""
    return torch_vit_block(state, f"blocks.{i}.", dim=cfg["dim"], heads=cfg["heads"], mlp_dim=cfg["mlp_dim"])


def _vit(c, *, final_norm=True, pool=None, norm_after_pool=False, blocks="all", residual_around=False):
    s, cfg = c["state"], c["config"]
    d = cfg["dim"]
    x = c["tokens"].double()  # (B, N+1, D)
    depth = cfg["depth"]
    if blocks in ("reversed", "first", "last") and depth == 1:
        raise ValueError("with one block, the order of the blocks cannot be wrong")
    order = {"all": range(depth), "none": [], "reversed": reversed(range(depth)), "first": [0],
             "last": [depth - 1]}[blocks]
    for i in order:
        x = x + _torch_block(s, i, cfg)(x) if residual_around else _torch_block(s, i, cfg)(x)
    ln = (lambda t: F.layer_norm(t, (d,), s["norm.weight"].double(), s["norm.bias"].double(), eps=1e-5))
    if final_norm and not norm_after_pool:
        x = ln(x)
    pool = pool or cfg["pool"]
    y = {"cls": lambda t: t[:, 0], "mean": lambda t: t[:, 1:].mean(1), "all": lambda t: t.mean(1),
         "last": lambda t: t[:, -1]}[pool](x)
    if norm_after_pool:
        y = ln(y)
    return {"logits": F.linear(y, s["head.weight"].double(), s["head.bias"].double())}


register(Spec(
    name="ch05.vit_forward", what="ViT.forward",
    cases=_vit_cases,
    call={"construct": "config", "state": "state", "mode": "eval", "swap": {"patch_embed": "given_tokens"},
          "args": ["images"], "outputs": ["logits"]},
    reference=_vit,
    mistakes={
        "has no final LayerNorm: the head reads LN(z_L), Eq. (4); apply self.norm to the tokens before pooling":
            lambda c: _vit(c, final_norm=False),
        "averages over all N+1 tokens, the class token included; pool='mean' averages the N patch tokens only "
        "(tokens 1 .. N)":
            lambda c: _vit(c, pool="all"),
        "reads the last token; the class token is token 0":
            lambda c: _vit(c, pool="last"),
        "ignores config.pool: pool='cls' reads the class token, pool='mean' averages the patch tokens":
            lambda c: _vit(c, pool={"cls": "mean", "mean": "cls"}[c["config"]["pool"]]),
        "applies the final LayerNorm after pooling; with pool='mean' normalise every token (self.norm), then average":
            lambda c: _vit(c, norm_after_pool=True),
        "never applies the blocks: run the tokens through every block of self.blocks, in order":
            lambda c: _vit(c, blocks="none"),
        "applies the blocks in reverse order: block 0 reads the patch embedding, the last block feeds the final "
        "LayerNorm":
            lambda c: _vit(c, blocks="reversed"),
        "applies only the first block: run the tokens through every block of self.blocks, in order":
            lambda c: _vit(c, blocks="first"),
        "applies only the last block: each block reads the previous block's output (x = block(x) for every "
        "block, in order), not the patch embedding":
            lambda c: _vit(c, blocks="last"),
        "adds a residual around each block, x + block(x): Block.forward already adds its own residuals; "
        "x = block(x)":
            lambda c: _vit(c, residual_around=True),
    },
))


# ----------------------------------------------------- attention rollout
def _softmax_rows(gen, *shape):
    return (2 * _randn(gen, *shape)).softmax(-1)


def _rollout_cases(gen):
    cases = []
    for layers, b, h, t, residual in [(3, 2, 4, 6, True), (1, 1, 2, 5, True), (4, 2, 3, 9, False), (2, 3, 1, 4, True)]:
        cases.append({"attentions": [_softmax_rows(gen, b, h, t, t) for _ in range(layers)], "residual": residual})
    return cases


def _rollout(c, *, identity=True, order="last_left", heads="mean", renorm=True, transpose=False, cls_row=False,
             always_identity=False):
    residual = c["residual"] or always_identity
    rollout = None
    for a in c["attentions"]:
        a = a.double()
        a = {"mean": a.mean(1), "max": a.amax(1), "sum": a.sum(1)}[heads]  # (B, T, T)
        if transpose:
            a = a.transpose(-2, -1)
        if residual and identity:
            a = a + torch.eye(a.shape[-1], dtype=a.dtype)
            a = a / a.sum(-1, keepdim=True) if renorm else a
        elif heads == "max" and renorm:
            a = a / a.sum(-1, keepdim=True)
        if rollout is None:
            rollout = a
        else:
            rollout = a @ rollout if order == "last_left" else rollout @ a
    return {"rollout": rollout[:, 0] if cls_row else rollout}


register(Spec(
    name="ch05.attention_rollout", what="attention_rollout",
    cases=_rollout_cases,
    call={"args": ["attentions", "residual"], "outputs": ["rollout"]},
    reference=_rollout,
    mistakes={
        "ignores the residual connections: with residual=True each layer's map is (mean_h A + I) / 2 "
        "(Abnar and Zuidema's identity term)":
            lambda c: _rollout(c, identity=False),
        "multiplies the layers in the wrong order: R = A_L ... A_2 A_1, the last layer on the left "
        "(rollout = A_l @ rollout as you go up)":
            lambda c: _rollout(c, order="first_left"),
        "takes the maximum over the heads; rollout averages them":
            lambda c: _rollout(c, heads="max"),
        "adds the identity without renormalising: each row of mean_h A + I sums to 2; divide by 2 (or by the row "
        "sums)":
            lambda c: _rollout(c, renorm=False),
        "transposes the attention maps: A[b, i, j] is how much query i attends to key j, and rows are queries":
            lambda c: _rollout(c, transpose=True),
        "returns the class token's row only; return the whole (B, T, T) rollout (the caller takes row 0)":
            lambda c: _rollout(c, cls_row=True),
        "sums the heads; rollout averages them (mean over the head axis, dim 1)":
            lambda c: _rollout(c, heads="sum"),
        "adds the identity even with residual=False; then each layer's map is mean_h A as it is":
            lambda c: _rollout(c, always_identity=True),
    },
))


# ------------------------------------------ position-embedding similarity
def _similarity_cases(gen):
    cases = []
    for gh, gw, d in [(3, 5, 8), (4, 4, 6), (2, 7, 5)]:
        cases.append({"pos_embed": _randn(gen, gh * gw + 1, d) + 0.5, "grid": [gh, gw]})  # offset: Pearson differs
    return cases


def _similarity(c, *, skip_cls=True, measure="cosine", grid_order="hw", norm_dim=-1):
    pos = c["pos_embed"].double()
    pos = pos[1:] if skip_cls else pos[:-1]
    gh, gw = c["grid"]
    if measure == "dot":
        sim = pos @ pos.T
    else:
        if measure == "pearson":
            pos = pos - pos.mean(-1, keepdim=True)
        unit = pos / pos.norm(dim=norm_dim, keepdim=True)
        sim = unit @ unit.T
    shape = (gh, gw, gh, gw) if grid_order == "hw" else (gw, gh, gw, gh)
    return {"similarity": sim.reshape(shape)}


register(Spec(
    name="ch05.pos_embed_similarity", what="pos_embed_similarity",
    cases=_similarity_cases,
    call={"args": ["pos_embed", "grid"], "outputs": ["similarity"]},
    reference=lambda c: {"similarity": F.cosine_similarity(c["pos_embed"][1:, None].double(),
                                                           c["pos_embed"][None, 1:].double(), dim=-1)
                         .reshape(*c["grid"], *c["grid"])},
    mistakes={
        "includes the class token's row (row 0) and drops the last patch: every map is shifted by one patch; "
        "use pos_embed[1:]":
            lambda c: _similarity(c, skip_cls=False),
        "uses dot products; cosine similarity divides by both vectors' norms":
            lambda c: _similarity(c, measure="dot"),
        "subtracts each vector's mean (a Pearson correlation); cosine similarity uses the vectors as they are":
            lambda c: _similarity(c, measure="pearson"),
        "reshapes to (gw, gh, gw, gh): the grid has gh rows and gw columns, patches numbered row by row":
            lambda c: _similarity(c, grid_order="wh"),
        "normalises each column of the table (dim 0), not each patch's vector; normalise the rows (dim=-1), "
        "one embedding each":
            lambda c: _similarity(c, norm_dim=0),
    },
))
