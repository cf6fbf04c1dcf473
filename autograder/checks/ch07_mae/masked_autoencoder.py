"""Hidden checks for ``07a_masked_autoencoder.ipynb``.

The oracles are independent of the solution's code path: ``F.fold`` puts patches back,
random masking is a stable sort of the noise read one image at a time with the inverse
permutation built by a loop, the restored sequence is filled position by position, the
loss is a float64 formula, and the encoder is PyTorch's own
``nn.TransformerEncoderLayer(norm_first=True)`` with the state's weights copied in.  The
encoder is judged with a reference ``random_masking`` in place of the student's, so a
masking mistake costs points once; its cases hold pairs of images that differ only in
hidden pixels, the property MAE's compute saving rests on.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from ..core import Spec, register
from ..oracles import differ_only_in_hidden, only_when, pair_told_apart, randn, torch_vit_block, vit_block_state

# "Write it yourself": what unpatchify may not call (read from the solution cell's source).
UNPATCHIFY_FORBIDDEN = ("fold", "Fold", "unfold", "Unfold", "conv_transpose2d", "ConvTranspose2d", "pixel_shuffle",
                        "PixelShuffle", "rearrange", "einops")


# ------------------------------------------------------------ unpatchify
def _unpatchify_cases(gen):
    cases = []
    for b, c, h, w, p in [(2, 3, 8, 12, 4), (3, 1, 6, 6, 2), (1, 2, 10, 15, 5), (2, 3, 4, 4, 4), (2, 1, 3, 6, 3)]:
        n = (h // p) * (w // p)
        cases.append({"patches": randn(gen, b, n, c * p * p), "patch": p, "size": [h, w], "chans": c})
    return cases


def _unpatchify(c, *, permute=True, layout="cpp", order="rows", swap_hw=False, split="grid_patch"):
    x, p, (h, w), ch = c["patches"], c["patch"], c["size"], c["chans"]
    b = x.shape[0]
    if not permute:  # the flat vectors poured back row after row: strips, not squares
        return {"images": x.reshape(b, ch, h, w)}
    if swap_hw:
        only_when(h != w)
        h, w = w, h
    gh, gw = h // p, w // p
    if order == "columns":
        only_when(gh > 1 and gw > 1)
        x = x.reshape(b, gw, gh, -1).transpose(1, 2)  # read the patches as if numbered column by column
    if layout == "ppc":
        only_when(ch > 1)
        t = x.reshape(b, gh, gw, p, p, ch).permute(0, 5, 1, 3, 2, 4)
    elif layout == "cpp_t":
        t = x.reshape(b, gh, gw, ch, p, p).permute(0, 3, 1, 5, 2, 4)
    elif split == "patch_grid":  # image row = patch row * gh + grid row: the patches interleaved
        only_when(gh > 1 or gw > 1)
        t = x.reshape(b, gh, gw, ch, p, p).permute(0, 3, 4, 1, 5, 2)
    else:
        t = x.reshape(b, gh, gw, ch, p, p).permute(0, 3, 1, 4, 2, 5)
    return {"images": t.reshape(b, ch, h, w)}  # swapped: (B, C, W, H), as the code that swaps them returns


def _unpatchify_reference(c):
    return {"images": F.fold(c["patches"].transpose(1, 2), tuple(c["size"]), c["patch"], stride=c["patch"])}


register(Spec(
    name="ch07.unpatchify", what="unpatchify",
    cases=_unpatchify_cases,
    call={"args": ["patches", "patch", "size"], "outputs": ["images"]},
    reference=_unpatchify_reference,
    mistakes={
        "reshapes (B, N, C·P·P) straight to (B, C, H, W): that pours the patches back as strips of rows; reshape "
        "to (B, H/P, W/P, C, P, P) and permute to (B, C, H/P, P, W/P, P) before the last reshape":
            lambda c: _unpatchify(c, permute=False),
        "reads each patch as (P, P, C), channel last (MAE's own code does); patchify in this course writes (C, P, P), "
        "and unpatchify must undo exactly that":
            lambda c: _unpatchify(c, layout="ppc"),
        "transposes each patch: its values are (C, row, column)":
            lambda c: _unpatchify(c, layout="cpp_t"),
        "places the patches column by column; patchify numbers them row by row (patch i * W/P + j is grid row i, "
        "column j)":
            lambda c: _unpatchify(c, order="columns"),
        "swaps H and W (a square image hides it): the grid has H/P rows and W/P columns, with size = (H, W)":
            lambda c: _unpatchify(c, swap_hw=True),
        "puts each image axis together as (P, H/P) rather than (H/P, P): the patches come back interleaved, pixels "
        "of one patch H/P rows apart; permute to (B, C, H/P, P, W/P, P), the grid axis before the patch axis":
            lambda c: _unpatchify(c, split="patch_grid"),
    },
    forbidden=UNPATCHIFY_FORBIDDEN,
))


# ------------------------------------------------------------ random masking
def _noise(gen, b, length):
    """Distinct noise values in every row (a random permutation, scaled), so the sort has no ties."""
    return torch.stack([torch.randperm(length, generator=gen) for _ in range(b)]).float() / length + \
        0.01 * torch.rand(b, length, generator=gen) / length


MASKING_SHAPES = [(2, 10, 3, 0.6), (3, 49, 4, 0.75), (2, 7, 2, 0.5), (2, 16, 5, 0.9), (1, 6, 3, 0.0), (4, 5, 1, 0.3)]


def _masking_cases(gen):
    return [{"x": randn(gen, b, length, d), "mask_ratio": r, "noise": _noise(gen, b, length)}
            for b, length, d, r in MASKING_SHAPES]


def _masking(c, *, keep="floor", largest=False, polarity=1, restore="inverse", visible_order="noise",
             mask_order="patch", first_feature=False):
    x, noise, r = c["x"].double(), c["noise"], c["mask_ratio"]
    b, length, d = x.shape
    k = {"floor": int(length * (1 - r)), "round": round(length * (1 - r)), "ceil": length - int(length * r)}[keep]
    if keep != "floor":
        only_when(k != int(length * (1 - r)))
    visible = torch.zeros(b, k, d, dtype=torch.float64)
    mask = torch.ones(b, length, dtype=torch.float64)
    ids_restore = torch.zeros(b, length, dtype=torch.float64)
    for i in range(b):
        order = sorted(range(length), key=lambda j: noise[i, j].item(), reverse=largest)  # kept first
        kept = order[:k] if visible_order == "noise" else sorted(order[:k])
        if visible_order != "noise":
            only_when(kept != order[:k])
        for pos, j in enumerate(kept):
            visible[i, pos] = x[i, j]
        for rank, j in enumerate(order):  # ids_restore[j] = where patch j sits in the sorted order
            ids_restore[i, j] = rank if restore == "inverse" else order[j]
            mask[i, j] = (0.0 if rank < k else 1.0) if mask_order == "patch" else (0.0 if j < k else 1.0)
    if restore != "inverse":
        only_when(not torch.equal(ids_restore, _masking(c)["ids_restore"]))
    if mask_order != "patch":
        only_when(not torch.equal(mask, _masking(c)["mask"]))
    if polarity != 1:
        only_when(0 < k < length)
        mask = 1 - mask
    if first_feature:  # gather with a (B, K, 1) index: the output takes the index's shape
        only_when(d > 1 and k > 0)
        visible = visible[..., :1]
    return {"x_visible": visible, "mask": mask, "ids_restore": ids_restore}


register(Spec(
    name="ch07.random_masking", what="random_masking",
    cases=_masking_cases,
    call={"args": ["x", "mask_ratio", "noise"], "outputs": ["x_visible", "mask", "ids_restore"]},
    reference=_masking,
    mistakes={
        "returns the mask the wrong way round: in MAE's convention 1 = removed (hidden) and 0 = kept, the opposite "
        "of chapters 2-3's attention masks":
            lambda c: _masking(c, polarity=0),
        "returns the sorting permutation (argsort of the noise) as ids_restore; ids_restore is its inverse, the "
        "argsort of that argsort: ids_restore[b, i] is where patch i landed in the sorted order":
            lambda c: _masking(c, restore="forward"),
        "rounds the number kept to the nearest integer; keep exactly int(L * (1 - mask_ratio)) tokens (rounding down)":
            lambda c: _masking(c, keep="round"),
        "keeps L - int(L * mask_ratio) tokens, one too many when L * mask_ratio is not whole; keep "
        "int(L * (1 - mask_ratio))":
            lambda c: _masking(c, keep="ceil"),
        "keeps the tokens with the largest noise; keep the smallest (argsort is ascending: the first K)":
            lambda c: _masking(c, largest=True),
        "returns the visible tokens in patch order; x_visible is in the order of increasing noise (the order "
        "restore_sequence un-sorts with ids_restore)":
            lambda c: _masking(c, visible_order="patch"),
        "returns the mask in sorted order (the first K zeros, then ones); gather it with ids_restore to bring it "
        "back to patch order":
            lambda c: _masking(c, mask_order="sorted"),
        "gathers the tokens with an index of shape (B, K, 1): gather's output has its index's shape, so only the "
        "first feature of each token comes back; expand the index over D first (.expand(-1, -1, D))":
            lambda c: _masking(c, first_feature=True),
    },
))


# ------------------------------------------------------------ restore_sequence
RESTORE_SHAPES = [(2, 4, 10, 3), (3, 12, 49, 4), (2, 1, 6, 2), (1, 5, 5, 3), (2, 3, 8, 6)]


def _restore_cases(gen):
    cases = []
    for b, k, length, d in RESTORE_SHAPES:
        ids_restore = torch.stack([torch.randperm(length, generator=gen) for _ in range(b)])
        cases.append({"x_visible": randn(gen, b, k, d), "mask_token": randn(gen, d), "ids_restore": ids_restore})
    return cases


def _restore(c, *, unshuffle="inverse", tokens="after", first_feature=False):
    xv, token, ids_restore = c["x_visible"].double(), c["mask_token"].double(), c["ids_restore"]
    b, k, d = xv.shape
    length = ids_restore.shape[1]
    if tokens == "zeros":
        only_when(k < length)
        token = torch.zeros(d, dtype=torch.float64)
    out = torch.zeros(b, length, d, dtype=torch.float64)
    for i in range(b):
        sorted_seq = [xv[i, j] for j in range(k)] + [token] * (length - k)
        if tokens == "before":
            only_when(0 < k < length)
            sorted_seq = [token] * (length - k) + [xv[i, j] for j in range(k)]
        for pos in range(length):
            if unshuffle == "inverse":    # patch pos takes sorted element ids_restore[pos]
                out[i, pos] = sorted_seq[ids_restore[i, pos]]
            elif unshuffle == "forward":  # sorted element pos sent to patch ids_restore[pos] (scatter)
                out[i, ids_restore[i, pos]] = sorted_seq[pos]
            else:                         # no un-shuffle
                out[i, pos] = sorted_seq[pos]
    if unshuffle != "inverse":
        only_when(not torch.allclose(out, _restore(c)["restored"]))
    if first_feature:  # gather with a (B, L, 1) index: the output takes the index's shape
        only_when(d > 1)
        out = out[..., :1]
    return {"restored": out}


register(Spec(
    name="ch07.restore_sequence", what="restore_sequence",
    cases=_restore_cases,
    call={"args": ["x_visible", "mask_token", "ids_restore"], "outputs": ["restored"]},
    reference=_restore,
    mistakes={
        "does not un-sort: the visible tokens stay in noise order with the mask tokens at the end; gather the "
        "(B, L, D) sequence along dim 1 with ids_restore, expanded over D":
            lambda c: _restore(c, unshuffle="none"),
        "applies the permutation the wrong way (a scatter with ids_restore, or a gather with its inverse): gather "
        "with ids_restore, so that position i takes element ids_restore[b, i] of the sorted sequence":
            lambda c: _restore(c, unshuffle="forward"),
        "puts the mask tokens before the visible tokens; random_masking kept the first K of the sorted order, so "
        "the visible tokens come first and the L - K mask tokens after them":
            lambda c: _restore(c, tokens="before"),
        "fills the hidden patches with zeros: every hidden patch holds the mask_token, (D,) expanded to (B, L - K, D), "
        "the learned placeholder the decoder reads":
            lambda c: _restore(c, tokens="zeros"),
        "gathers with an index of shape (B, L, 1): gather's output has its index's shape, so only the first feature "
        "of each token comes back; expand the index over D first (.expand(-1, -1, D))":
            lambda c: _restore(c, first_feature=True),
    },
))


# ------------------------------------------------------------ loss
LOSS_SHAPES = [(2, 1, 8, 8, 4, False), (2, 1, 8, 8, 4, True), (3, 3, 6, 9, 3, True), (2, 2, 4, 6, 2, False),
               (1, 1, 12, 4, 4, True)]


def _loss_cases(gen):
    cases = []
    for b, ch, h, w, p, norm in LOSS_SHAPES:
        length = (h // p) * (w // p)
        mask = (torch.rand(b, length, generator=gen) < 0.6).float()
        mask[:, 0], mask[:, -1] = 1.0, 0.0  # at least one removed and one kept patch per image
        if b > 1:
            mask[0, 1:-1] = 1.0  # images with different numbers of removed patches
        images = torch.rand(b, ch, h, w, generator=gen) * 2 + torch.rand(b, ch, 1, 1, generator=gen)
        cases.append({"pred": randn(gen, b, length, ch * p * p), "images": images, "mask": mask, "patch": p,
                      "norm_pix": norm})
    # Faint images: each patch's variance (about 3e-7) is near the 1e-6 inside the root, where std + 1e-6 and
    # the biased variance differ from the task's formula by far more than the tolerance (values near 0, so
    # float32 keeps them exact enough).
    b, ch, h, w, p = 2, 2, 8, 8, 4
    length = (h // p) * (w // p)
    mask = torch.tensor([[1.0, 1.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.0]])
    images = 2e-3 * torch.rand(b, ch, h, w, generator=gen)
    cases.append({"pred": randn(gen, b, length, ch * p * p), "images": images, "mask": mask, "patch": p,
                  "norm_pix": True})
    return cases


def _loss(c, *, over="removed", var="unbiased", norm_pred=False, reduce="mean", average="patches"):
    pred, x, mask, p = c["pred"].double(), c["images"].double(), c["mask"].double(), c["patch"]
    target = F.unfold(x, p, stride=p).transpose(1, 2)  # (B, L, C*P*P)
    if var != "unbiased" or norm_pred:
        only_when(c["norm_pix"])
    if c["norm_pix"]:
        mean = target.mean(-1, keepdim=True)
        if var == "std_eps":
            target = (target - mean) / (target.var(-1, keepdim=True).sqrt() + 1e-6)
        else:
            target = (target - mean) / (target.var(-1, keepdim=True, unbiased=(var == "unbiased")) + 1e-6).sqrt()
        if norm_pred:
            pm = pred.mean(-1, keepdim=True)
            pred = (pred - pm) / (pred.var(-1, keepdim=True) + 1e-6).sqrt()
    per = ((pred - target) ** 2)
    per = per.mean(-1) if reduce == "mean" else per.sum(-1)
    weight = {"removed": mask, "kept": 1 - mask, "all": torch.ones_like(mask)}[over]
    if average == "all_count":  # the removed patches' sum over the number of all patches
        only_when(bool((mask == 0).any()))
        return {"loss": (per * weight).sum() / weight.numel()}
    if average == "images":  # the mean over each image's removed patches, then over the images
        only_when(len(set(mask.sum(1).tolist())) > 1)
        return {"loss": ((per * weight).sum(1) / weight.sum(1)).mean()}
    return {"loss": (per * weight).sum() / weight.sum()}


register(Spec(
    name="ch07.mae_loss", what="mae_loss",
    cases=_loss_cases,
    call={"args": ["pred", "images", "mask", "patch", "norm_pix"], "outputs": ["loss"]},
    reference=_loss,
    mistakes={
        "averages over every patch; the loss counts the removed patches only (mask 1): sum(loss * mask) / sum(mask)":
            lambda c: _loss(c, over="all"),
        "averages over the visible patches (mask 0); mask 1 means removed, and the loss is on those":
            lambda c: _loss(c, over="kept"),
        "normalises the target with the biased variance (unbiased=False); the task (and MAE's code) uses "
        "torch.var's default, the unbiased one":
            lambda c: _loss(c, var="biased"),
        "divides by std + 1e-6; the target is (t - mean) / sqrt(var + 1e-6), the epsilon inside the root":
            lambda c: _loss(c, var="std_eps"),
        "normalises the prediction too; only the target patches are normalised, the decoder learns to predict them":
            lambda c: _loss(c, norm_pred=True),
        "sums the squared errors over a patch's values; the loss of a patch is their mean":
            lambda c: _loss(c, reduce="sum"),
        "averages each image's removed patches and then the images; the loss is one mean over all removed patches "
        "of the batch, sum(loss * mask) / sum(mask)":
            lambda c: _loss(c, average="images"),
        "divides the removed patches' summed loss by the number of all patches, B·L (as (loss * mask).mean() "
        "does); divide by mask.sum(), the number of removed patches":
            lambda c: _loss(c, average="all_count"),
    },
))


# ------------------------------------------------------------ encoder
def _encoder_config(image_size, patch_size, in_chans, dim, depth, heads, mlp_dim):
    return {"image_size": list(image_size), "patch_size": patch_size, "in_chans": in_chans, "dim": dim,
            "depth": depth, "heads": heads, "mlp_dim": mlp_dim}


ENCODER_CONFIGS = [(_encoder_config((8, 12), 4, 3, 8, 2, 2, 16), 0.5),
                   (_encoder_config((8, 8), 2, 1, 12, 1, 3, 20), 0.75),
                   (_encoder_config((6, 9), 3, 2, 8, 2, 4, 8), 0.34),
                   (_encoder_config((8, 8), 4, 1, 4, 1, 1, 12), 0.0)]


def _encoder_cases(gen):
    cases = []
    for cfg, ratio in ENCODER_CONFIGS:
        (h, w), p, ch, d = cfg["image_size"], cfg["patch_size"], cfg["in_chans"], cfg["dim"]
        length = (h // p) * (w // p)
        state = {"patch_embed.weight": randn(gen, d, ch * p * p) / math.sqrt(ch * p * p),
                 "patch_embed.bias": 0.3 * randn(gen, d), "cls_token": randn(gen, 1, 1, d),
                 "pos_embed": randn(gen, 1, 1 + length, d)}  # random, so every position mistake shows
        for i in range(cfg["depth"]):
            state.update(vit_block_state(gen, f"blocks.{i}.", d, cfg["mlp_dim"]))
        state.update({"norm.weight": 1 + 0.3 * randn(gen, d), "norm.bias": 0.3 * randn(gen, d)})
        noise = _noise(gen, 2, length)
        images = randn(gen, 2, ch, h, w)
        # A pair: image 1 is image 0 with every hidden pixel changed, under the same noise.
        keep = int(length * (1 - ratio))
        hidden = torch.ones(length)
        hidden[torch.argsort(noise[0])[:keep]] = 0
        noise[1] = noise[0]
        differ_only_in_hidden(images, hidden, p)
        cases.append({"config": cfg, "state": state, "images": images, "mask_ratio": ratio, "noise": noise})
    return cases


def _encoder(c, *, pos="before", cls_pos=True, cls="first", final_norm=True, masking="drop"):
    s, cfg, x, noise, r = c["state"], c["config"], c["images"].double(), c["noise"], c["mask_ratio"]
    p, d = cfg["patch_size"], cfg["dim"]
    tokens = F.linear(F.unfold(x, p, stride=p).transpose(1, 2), s["patch_embed.weight"].double(),
                      s["patch_embed.bias"].double())  # (B, L, D)
    b, length, _ = tokens.shape
    table = s["pos_embed"][0].double()  # (1 + L, D)
    keep = int(length * (1 - r))
    order = torch.argsort(noise, dim=1, stable=True)
    if masking != "drop" or pos not in ("before", "shifted"):
        only_when(keep < length)
    if masking == "drop":
        if pos == "before":
            tokens = tokens + table[1:]
        elif pos == "shifted":  # rows 0 .. L-1: the class token's row given to patch 0, every row one off
            tokens = tokens + table[:-1]
        seq = torch.stack([tokens[i, order[i, :keep]] for i in range(b)])  # (B, K, D)
        if pos == "after":  # the first K rows of the table, whatever patches were kept
            seq = seq + table[1:1 + keep]
    elif masking == "none":  # every patch, in patch order
        seq = tokens + table[1:]
    else:  # "zero": hidden patches zeroed but kept in the sequence
        hidden = torch.ones(b, length, dtype=torch.float64)
        for i in range(b):
            hidden[i, order[i, :keep]] = 0
        seq = tokens * (1 - hidden)[..., None] + table[1:]
    cls_tok = s["cls_token"].double()[0].expand(b, 1, d) + (table[:1] if cls_pos else 0)
    z = torch.cat([cls_tok, seq], 1) if cls == "first" else torch.cat([seq, cls_tok], 1)
    for i in range(cfg["depth"]):
        z = torch_vit_block(s, f"blocks.{i}.", dim=d, heads=cfg["heads"], mlp_dim=cfg["mlp_dim"])(z)
    if final_norm:
        z = F.layer_norm(z, (d,), s["norm.weight"].double(), s["norm.bias"].double(), eps=1e-5)
    mask = torch.ones(b, length, dtype=torch.float64)
    for i in range(b):
        mask[i, order[i, :keep]] = 0
    ids_restore = torch.argsort(order, dim=1).double()
    return {"latent": z, "mask": mask, "ids_restore": ids_restore}


def _encoder_properties(case, out) -> str | None:
    if np.ndim(out["latent"]) == 3 and pair_told_apart(out["latent"]):
        return ("the latent changes when only the pixels of hidden patches change (two images that differ only "
                "there, with the same noise): the encoder must read the visible patches only; mask before the "
                "blocks, and mask the tokens, not the pixels")
    return None


register(Spec(
    name="ch07.mae_encoder", what="MAEEncoder.forward",
    cases=_encoder_cases,
    call={"construct": "config", "state": "state", "mode": "eval", "given": {"random_masking": "argsort_masking"},
          "args": ["images", "mask_ratio", "noise"], "outputs": ["latent", "mask", "ids_restore"]},
    reference=_encoder,
    properties=_encoder_properties,
    mistakes={
        "adds the position embeddings after masking: token k of x_visible then gets row k's position, not its own "
        "patch's; add self.pos_embed[:, 1:] to all L tokens first, then mask":
            lambda c: _encoder(c, pos="after"),
        "adds rows 0 .. L-1 of the position table to the patches (one row off): row 0 is the class token's; the "
        "L patches take self.pos_embed[:, 1:]":
            lambda c: _encoder(c, pos="shifted"),
        "gives the class token no position: prepend self.cls_token + self.pos_embed[:, :1]":
            lambda c: _encoder(c, cls_pos=False),
        "puts the class token last; it comes first (token 0)":
            lambda c: _encoder(c, cls="last"),
        "has no final LayerNorm: return self.norm of the blocks' output":
            lambda c: _encoder(c, final_norm=False),
        "runs the encoder on every patch: MAE's encoder sees only the visible ones, (B, 1+K, D), which is where its "
        "compute saving comes from; call random_masking on the tokens before the blocks":
            lambda c: _encoder(c, masking="none"),
        "zeroes the hidden patches but keeps them in the sequence (B, 1+L, D): MAE's encoder drops them; "
        "x_visible from random_masking is what the blocks read":
            lambda c: _encoder(c, masking="zero"),
    },
))


def _judge_default_noise(c, out) -> str | None:
    """noise=None: the encoder draws its own; judge the structure, that it did draw (not a fixed order), and the
    latent for what it drew."""
    latent, mask, ids = (np.asarray(out[k]) for k in ("latent", "mask", "ids_restore"))
    cfg, r = c["config"], c["mask_ratio"]
    (h, w), p = cfg["image_size"], cfg["patch_size"]
    length = (h // p) * (w // p)
    keep = int(length * (1 - r))
    if latent.shape != (c["images"].shape[0], 1 + keep, cfg["dim"]):
        return f"with noise=None, latent has shape {latent.shape} but should have shape {(c['images'].shape[0], 1 + keep, cfg['dim'])}"
    if not np.allclose(mask.sum(1), length - keep):
        return "with noise=None, each row of the mask should hold L - K ones (the removed patches)"
    if not all(sorted(row) == list(range(length)) for row in ids.astype(int).tolist()):
        return "with noise=None, each row of ids_restore should be a permutation of 0 .. L-1"
    if len({tuple(row) for row in mask.astype(int).tolist()}) == 1:
        return ("with noise=None, every image hides the same patches: draw noise = torch.rand(B, L) per call, so "
                "each image gets its own random subset")
    # The latent for the subsets the encoder drew: ids_restore, read as noise, sorts the patches the same way.
    with torch.no_grad():
        expected = _encoder({**c, "noise": torch.as_tensor(ids, dtype=torch.float64)})["latent"].numpy()
    if not np.allclose(latent, expected, atol=1e-4, rtol=1e-4):
        return "with noise=None, the latent is not the encoder's output for the patches it kept"
    return None


register(Spec(
    name="ch07.mae_encoder_default_noise", what="MAEEncoder.forward (noise=None)",
    cases=lambda gen: [{**case, "images": randn(gen, 16, *case["images"].shape[1:]),
                        "noise": _noise(gen, 16, case["noise"].shape[1])}  # the oracle's own draw
                       for case in _encoder_cases(gen)[:2]],
    call={"construct": "config", "state": "state", "mode": "eval", "given": {"random_masking": "argsort_masking"},
          "args": ["images", "mask_ratio"], "outputs": ["latent", "mask", "ids_restore"]},
    reference=_encoder,
    judge=_judge_default_noise,
))
