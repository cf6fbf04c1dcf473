"""Hidden checks for ``07b_visual_tokens.ipynb``.

The oracles are independent of the solution's code path: nearest codewords by an explicit
float64 loop over the codebook, and the masked-image model as a float64 composition of
``F.unfold`` patches, the state's tensors and PyTorch's own ``nn.TransformerEncoderLayer``
loaded with the state's weights.  The model's cases hold pairs of images that differ only in
hidden pixels, so a model that lets hidden pixels through is named by a property.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from ..core import Spec, register
from ..oracles import (as_torch_layer_state, differ_only_in_hidden, only_when, pair_told_apart, randn,
                       torch_vit_block, vit_block_state)


# ------------------------------------------------------------ visual_tokens
TOKEN_SHAPES = [(2, 5, 3, 7), (3, 49, 16, 64), (1, 4, 2, 3), (2, 6, 8, 10)]


def _token_cases(gen):
    cases = []
    for b, length, d, v in TOKEN_SHAPES:
        # codewords of very different lengths, so that "most similar" and "nearest" disagree
        codebook = randn(gen, v, d) * (0.2 + 3 * torch.rand(v, 1, generator=gen))
        cases.append({"patches": randn(gen, b, length, d), "codebook": codebook})
    return cases


def _tokens(c, *, rule="euclidean"):
    p, book = c["patches"].double(), c["codebook"].double()
    b, length, _ = p.shape
    if rule in ("over_patches", "sum_codewords"):  # a loop over the codebook, vectorised over the patches
        squares = [(p - w) ** 2 for w in book]                      # V tensors (B, L, d)
        distances = torch.stack([sq.sum(-1) for sq in squares], -1)  # (B, L, V)
        if rule == "over_patches":  # for each codeword, the nearest patch of the image: (B, V)
            ids = distances.argmin(1).double()
            only_when(ids.shape != (b, length))
        else:  # squared differences summed over the codewords, argmin over the d coordinates: (B, L)
            ids = sum(squares).argmin(-1).double()
            only_when(not torch.equal(ids, distances.argmin(-1).double()))
        return {"ids": ids}
    ids = torch.zeros(b, length, dtype=torch.float64)
    for i in range(b):
        for j in range(length):
            if rule == "euclidean":
                score = [((p[i, j] - w) ** 2).sum().item() for w in book]
            elif rule == "dot":
                score = [-(p[i, j] @ w).item() for w in book]
            elif rule == "cosine":
                score = [-(F.cosine_similarity(p[i, j], w, dim=0)).item() for w in book]
            elif rule == "l1":
                score = [(p[i, j] - w).abs().sum().item() for w in book]
            else:  # "farthest"
                score = [-((p[i, j] - w) ** 2).sum().item() for w in book]
            ids[i, j] = int(np.argmin(score))
    if rule != "euclidean":
        only_when(not torch.equal(ids, _tokens(c)["ids"]))
    return {"ids": ids}


register(Spec(
    name="ch07.visual_tokens", what="visual_tokens",
    cases=_token_cases,
    call={"args": ["patches", "codebook"], "outputs": ["ids"]},
    reference=_tokens,
    mistakes={
        "picks the codeword with the largest dot product; that favours long codewords: the nearest one minimises "
        "||p - c||^2 = ||p||^2 - 2 p.c + ||c||^2, and the ||c||^2 term matters":
            lambda c: _tokens(c, rule="dot"),
        "picks the codeword with the largest cosine similarity (the direction only); the task asks for the nearest "
        "in Euclidean distance":
            lambda c: _tokens(c, rule="cosine"),
        "uses the L1 (absolute) distance; the task asks for the Euclidean distance":
            lambda c: _tokens(c, rule="l1"),
        "picks the farthest codeword (argmax of the distance); take the argmin":
            lambda c: _tokens(c, rule="farthest"),
        "takes the argmin over the patches (for each codeword, its nearest patch); the nearest codeword of each "
        "patch is the argmin over the codebook axis, the last one of the (B, L, V) distances":
            lambda c: _tokens(c, rule="over_patches"),
        "sums the squared differences over the codewords instead of over a patch's d coordinates (the ids are then "
        "coordinates, not codewords): sum over the last axis of (B, L, V, d), then take the argmin over V":
            lambda c: _tokens(c, rule="sum_codewords"),
    },
))


# ------------------------------------------------------------ masked image model
def _model_config(image_size, patch_size, in_chans, dim, depth, heads, mlp_dim, out_dim):
    return {"image_size": list(image_size), "patch_size": patch_size, "in_chans": in_chans, "dim": dim,
            "depth": depth, "heads": heads, "mlp_dim": mlp_dim, "out_dim": out_dim}


MODEL_CONFIGS = [_model_config((8, 12), 4, 3, 8, 2, 2, 16, 5), _model_config((8, 8), 2, 1, 12, 1, 3, 20, 4),
                 _model_config((6, 9), 3, 2, 6, 2, 1, 12, 7)]

def _model_cases(gen):
    cases = []
    for cfg in MODEL_CONFIGS:
        (h, w), p, ch, d = cfg["image_size"], cfg["patch_size"], cfg["in_chans"], cfg["dim"]
        length = (h // p) * (w // p)
        state = {"patch_embed.weight": randn(gen, d, ch * p * p) / math.sqrt(ch * p * p),
                 "patch_embed.bias": 0.3 * randn(gen, d), "mask_token": randn(gen, d),
                 "cls_token": randn(gen, 1, 1, d), "pos_embed": randn(gen, 1, 1 + length, d)}
        for i in range(cfg["depth"]):
            pre = f"blocks.layers.{i}."
            state.update(as_torch_layer_state(vit_block_state(gen, pre, d, cfg["mlp_dim"]), pre))
        state.update({"norm.weight": 1 + 0.3 * randn(gen, d), "norm.bias": 0.3 * randn(gen, d),
                      "head.weight": randn(gen, cfg["out_dim"], d) / math.sqrt(d),
                      "head.bias": 0.3 * randn(gen, cfg["out_dim"])})
        mask = torch.rand(4, length, generator=gen) < 0.4
        mask[0, :2], mask[0, -1] = True, False  # at least two hidden and one visible patch in the pair's row
        mask[2] = False                          # nothing hidden: a plain ViT
        mask[3] = True                           # everything hidden
        mask[1] = mask[0]
        images = randn(gen, 4, ch, h, w)
        # A pair: image 1 is image 0 with every hidden pixel changed, under the same mask.
        differ_only_in_hidden(images, mask[0], p)
        cases.append({"config": cfg, "state": state, "images": images, "mask": mask})
    return cases


def _model(c, *, replace="replace", pos="after", polarity=True, cls=True, final_norm=True, head="patches"):
    s, cfg, x, mask = c["state"], c["config"], c["images"].double(), c["mask"]
    p, d = cfg["patch_size"], cfg["dim"]
    tokens = F.linear(F.unfold(x, p, stride=p).transpose(1, 2), s["patch_embed.weight"].double(),
                      s["patch_embed.bias"].double())  # (B, L, D)
    hidden = (mask if polarity else ~mask).unsqueeze(-1)
    table = s["pos_embed"].double()
    token = s["mask_token"].double()
    if pos == "before":
        tokens = tokens + table[:, 1:]
    if replace == "replace":
        tokens = torch.where(hidden, token, tokens)
    elif replace == "add":
        tokens = tokens + hidden * token
    else:  # "zero"
        tokens = tokens * ~hidden
    if pos == "patches":  # after the mask tokens, but the class token gets none
        tokens = tokens + table[:, 1:]
    if cls:
        z = torch.cat([s["cls_token"].double().expand(x.shape[0], 1, d), tokens], 1)
        if pos == "after":
            z = z + table
        elif pos == "before":
            z = z + torch.cat([table[:, :1], torch.zeros_like(table[:, 1:])], 1)
    else:
        z = tokens + (table[:, 1:] if pos == "after" else 0)
    for i in range(cfg["depth"]):
        z = torch_vit_block(s, f"blocks.layers.{i}.", dim=d, heads=cfg["heads"], mlp_dim=cfg["mlp_dim"],
                            torch_names=True)(z)
    if final_norm:
        z = F.layer_norm(z, (d,), s["norm.weight"].double(), s["norm.bias"].double(), eps=1e-5)
    if cls and head == "patches":
        z = z[:, 1:]
    elif cls and head == "cls":
        z = z[:, 0]
    return {"out": F.linear(z, s["head.weight"].double(), s["head.bias"].double())}


def _model_properties(case, out) -> str | None:
    if np.ndim(out["out"]) == 3 and pair_told_apart(out["out"]):
        return ("the predictions change when only the pixels of hidden patches change (two images that differ only "
                "there, under the same mask): replace every hidden patch's embedding by the mask token, so nothing "
                "of its pixels remains")
    return None


register(Spec(
    name="ch07.masked_image_model", what="MaskedImageModel.forward",
    cases=_model_cases,
    call={"construct": "config", "state": "state", "mode": "eval", "args": ["images", "mask"], "outputs": ["out"]},
    reference=_model,
    properties=_model_properties,
    mistakes={
        "adds the mask token to the hidden patches' embeddings; it replaces them (torch.where(mask[..., None], "
        "self.mask_token, x)), as [MASK] replaces a word":
            lambda c: _model(c, replace="add"),
        "zeroes the hidden patches' embeddings instead of putting the learned mask token there":
            lambda c: _model(c, replace="zero"),
        "adds the position embeddings before putting in the mask tokens: every [M] token is then the same vector "
        "and cannot know which patch it stands for; replace first, then add self.pos_embed to all 1 + L tokens":
            lambda c: _model(c, pos="before"),
        "adds no position embedding to the class token: prepend it first, then add self.pos_embed (1 + L rows) "
        "to all 1 + L tokens":
            lambda c: _model(c, pos="patches"),
        "adds no position embeddings: add self.pos_embed to all 1 + L tokens, after the mask tokens are in, so "
        "that every [M] token knows which patch it stands for":
            lambda c: _model(c, pos="none"),
        "replaces the visible patches; mask is True where a patch is hidden":
            lambda c: _model(c, polarity=False),
        "has no class token: prepend self.cls_token before adding the position embeddings (1 + L of them)":
            lambda c: _model(c, cls=False),
        "has no final LayerNorm: self.norm after the blocks":
            lambda c: _model(c, final_norm=False),
        "returns a prediction for the class token too; the head reads the L patch tokens only (x[:, 1:])":
            lambda c: _model(c, head="all"),
        "returns one prediction from the class token, as a ViT classifier does; the head reads the L patch tokens "
        "(x[:, 1:]), one prediction per patch":
            lambda c: _model(c, head="cls"),
    },
))
