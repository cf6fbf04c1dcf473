"""Hidden checks for ``08a_vilt.ipynb``.

The oracles are independent of the solution's code path: the embeddings are the ViLT paper's
sum written with the state's tensors and ``F.unfold`` patches, the ITM pairs are labelled by
comparing captions one pair at a time, the heads are formulas on the state's tensors, and
recall@k counts, for each caption, the images that score at least as high, in a loop.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from .. import relations
from ..core import Spec, register
from ..oracles import only_when, randn


# ------------------------------------------------------------ embeddings
def _config(vocab_size, max_text_len, image_size, patch_size, in_chans, dim, dropout=0.0):
    return {"vocab_size": vocab_size, "max_text_len": max_text_len, "image_size": image_size,
            "patch_size": patch_size, "in_chans": in_chans, "dim": dim, "dropout": dropout}


# Each text table holds at least 1+N rows: a submission that reads the image's positions from the text's table
# then runs on every case and gets its diagnosis instead of an IndexError.
EMBED_CONFIGS = [(_config(9, 6, 8, 4, 3, 8), 2), (_config(12, 10, 12, 4, 1, 6, dropout=0.3), 3),
                 (_config(7, 5, 6, 3, 2, 4), 2)]


def _embed_state(gen, cfg):
    d, p, c = cfg["dim"], cfg["patch_size"], cfg["in_chans"]
    n = (cfg["image_size"] // p) ** 2
    return {"word_embeddings.weight": randn(gen, cfg["vocab_size"], d),
            "text_position.weight": randn(gen, cfg["max_text_len"], d),
            "text_norm.weight": 1 + 0.3 * randn(gen, d), "text_norm.bias": 0.3 * randn(gen, d),
            "patch_proj.weight": randn(gen, d, c * p * p) / math.sqrt(c * p * p), "patch_proj.bias": 0.3 * randn(gen, d),
            "image_cls": randn(gen, 1, 1, d), "image_position": randn(gen, 1, 1 + n, d),
            "token_type.weight": randn(gen, 2, d)}


def _embed_cases(gen, configs):
    cases = []
    for cfg, b in configs:
        lt = cfg["max_text_len"] - 1 if cfg["max_text_len"] > 4 else cfg["max_text_len"]  # shorter than the table too
        ids = torch.randint(1, cfg["vocab_size"], (b, lt), generator=gen)
        lengths = torch.randint(2, lt + 1, (b,), generator=gen)
        lengths[0] = lt  # one row without padding
        lengths[-1] = min(int(lengths[-1]), lt - 1)  # and one with: the mask's order shows
        ids[torch.arange(lt)[None, :] >= lengths[:, None]] = 0
        s = cfg["image_size"]
        cases.append({"config": cfg, "state": _embed_state(gen, cfg), "text_ids": ids, "text_mask": ids != 0,
                      "images": torch.rand(b, cfg["in_chans"], s, s, generator=gen)})
    return cases


def _embed(c, *, types=True, norm_after_type=False, image_pos="own", mask_order="text_first", image_mask=True,
           order="text_first", cls=True):
    s, cfg = c["state"], c["config"]
    ids, tmask, x = c["text_ids"], c["text_mask"], c["images"].double()
    d, p = cfg["dim"], cfg["patch_size"]
    b, lt = ids.shape
    w = {k: v.double() for k, v in s.items()}
    text = w["word_embeddings.weight"][ids] + w["text_position.weight"][:lt]
    ln = (lambda t: F.layer_norm(t, (d,), w["text_norm.weight"], w["text_norm.bias"], eps=1e-5))
    if norm_after_type:
        text = ln(text + w["token_type.weight"][0])
    else:
        text = ln(text) + (w["token_type.weight"][0] if types else 0)
    patches = F.linear(F.unfold(x, p, stride=p).transpose(1, 2), w["patch_proj.weight"], w["patch_proj.bias"])
    if cls:
        image = torch.cat([w["image_cls"].expand(b, 1, d), patches], 1)
    else:
        image = patches
    if image_pos == "own":
        image = image + (w["image_position"] if cls else w["image_position"][:, 1:])
    elif image_pos == "text":  # positions from the text table (continuing after the text)
        only_when(cfg["max_text_len"] >= image.shape[1])
        image = image + w["text_position.weight"][:image.shape[1]]
    image = image + (w["token_type.weight"][1] if types else 0)
    seq = torch.cat([text, image], 1) if order == "text_first" else torch.cat([image, text], 1)
    ones = torch.ones(b, image.shape[1], dtype=torch.bool)
    img_mask = ones if image_mask else ~ones
    if mask_order == "text_first":
        mask = torch.cat([tmask, img_mask], 1)
    else:
        mask = torch.cat([img_mask, tmask], 1)
    return {"x": seq, "mask": mask.double()}


EMBED_MISTAKES = {
    "adds no modality-type embeddings: text tokens get self.token_type.weight[0], image tokens row 1, so the "
    "transformer can tell a word from a patch":
        lambda c: _embed(c, types=False),
    "adds the text's type embedding before the LayerNorm; BERT's embedding LayerNorm comes first, then ViLT adds "
    "the modality type":
        lambda c: _embed(c, norm_after_type=True),
    "gives the image tokens positions from the text's table; the image has its own, self.image_position "
    "(1, 1+N, D), for its class token and patches":
        lambda c: _embed(c, image_pos="text"),
    "adds no position embedding to the image tokens (self.image_position)":
        lambda c: _embed(c, image_pos="none"),
    "puts the image before the text; ViLT's sequence is [text ; image]":
        lambda c: _embed(c, order="image_first"),
    "puts the image before the text, in the tokens and in the mask; ViLT's sequence is [text ; image], the text's "
    "[CLS] first (the ITM head reads position 0)":
        lambda c: _embed(c, order="image_first", mask_order="image_first"),
    "has no image class token: prepend self.image_cls to the patches, then add self.image_position (1+N rows)":
        lambda c: _embed(c, cls=False, image_pos="own"),
    "returns the mask with the image part False: every image token is real, True":
        lambda c: _embed(c, image_mask=False),
    "returns the mask in the wrong order: the text's mask first, then the image's, as in the sequence":
        lambda c: _embed(c, mask_order="image_first"),
}


def _embed_dropout_in_eval(case, out) -> str | None:
    return relations.dropout_left_on(out.get("x"), _embed(case)["x"].numpy(), case["config"].get("dropout", 0.0),
                                     "self.drop")


register(Spec(
    name="ch08.vilt_embeddings", what="ViltEmbeddings.forward",
    cases=lambda gen: _embed_cases(gen, EMBED_CONFIGS),
    call={"construct": "config", "state": "state", "mode": "eval", "args": ["text_ids", "text_mask", "images"],
          "outputs": ["x", "mask"]},
    reference=_embed,
    properties=_embed_dropout_in_eval,
    mistakes=EMBED_MISTAKES,
))

DROPOUT_CONFIGS = [(_config(9, 8, 16, 4, 3, 32, dropout=0.5), 8), (_config(9, 8, 16, 4, 3, 24, dropout=0.2), 12)]


def _judge_dropout(c, out) -> str | None:
    x, mask = np.asarray(out["x"]), np.asarray(out["mask"])
    ref = _embed(c)
    p = c["config"]["dropout"]
    if not np.allclose(mask, ref["mask"].numpy()):
        return "in training mode the mask is wrong (see the evaluation-mode check)"
    r = ref["x"].numpy()
    if np.allclose(x, r, atol=1e-4, rtol=1e-4):
        return "applies no dropout in training mode: pass the whole sequence through self.drop"
    kept = ~np.isclose(x, 0, atol=1e-7)
    if not np.allclose(x[kept], r[kept] / (1 - p), atol=1e-4, rtol=1e-4):
        return ("in training mode the tokens are neither the evaluation-mode tokens nor those tokens after dropout "
                "(self.drop on the whole sequence, after the sum)")
    if not abs((~kept).mean() - p) < 0.1:
        return f"drops a share of {(~kept).mean():.2f} of the values; self.drop drops each with probability {p}"
    return None


def _embed_dropped(c):
    """A training-mode output the judge accepts: the tokens after one draw of dropout."""
    out = _embed(c)
    p = c["config"]["dropout"]
    keep = torch.rand(out["x"].shape, generator=torch.Generator().manual_seed(0)) >= p
    return {"x": out["x"] * keep / (1 - p), "mask": out["mask"]}


register(Spec(
    name="ch08.vilt_embeddings_dropout", what="ViltEmbeddings.forward (training mode)",
    cases=lambda gen: _embed_cases(gen, DROPOUT_CONFIGS),
    call={"construct": "config", "state": "state", "args": ["text_ids", "text_mask", "images"],
          "outputs": ["x", "mask"]},
    reference=_embed_dropped,
    judge=_judge_dropout,
))


# ------------------------------------------------------------ ITM pairs
def _pairs_cases(gen):
    cases = []
    for b, lt in [(6, 5), (8, 4), (5, 6), (4, 3)]:
        for _ in range(100):  # drawn until the case tells the labelling rules apart (most draws do)
            kinds = torch.randint(0, 3, (b,), generator=gen)  # few distinct captions: some swaps keep the caption
            table = torch.randint(3, 9, (3, lt), generator=gen)
            table[:, 0] = 1
            captions = table[kinds]
            swap = torch.rand(b, generator=gen) < 0.6
            swap[0], swap[-1] = True, False
            perm = torch.randperm(b, generator=gen)
            if _pairs_telling(captions, swap, perm):
                break
        cases.append({"images": torch.rand(b, 3, 4, 4, generator=gen), "captions": captions, "swap": swap,
                      "perm": perm})
    return cases


def _pairs_telling(captions, swap, perm) -> bool:
    """Whether the case has a swapped row that gets another scene with its own caption (a label by the swap is
    wrong there), a swapped row that draws itself (a label by the image is right there, one by the swap wrong),
    a swapped row that gets another caption (a true negative) and a row left in place whose perm[i] has another
    caption (a label by captions[perm[i]] is wrong there)."""
    same = (captions[perm] == captions).all(dim=1)
    fixed = perm == torch.arange(len(perm))
    return bool((swap & ~fixed & same).any() and (swap & fixed).any() and (swap & ~same).any()
                and (~swap & ~same).any())


def _pairs(c, *, label="content", polarity=1, move="images", ignore_swap=False):
    """label: "content" (the reference: caption of the image row i holds against caption i), "swap" (every
    swapped pair a mismatch), "image" (a match only where row i holds its own image, i.e. not swapped or
    perm[i] = i) or "perm_caption" (captions[perm[i]] against captions[i] in every row, swapped or not)."""
    images, caps, swap, perm = c["images"].double(), c["captions"], c["swap"], c["perm"]
    b = len(swap)
    paired = images.clone()
    labels = torch.zeros(b, dtype=torch.float64)
    for i in range(b):
        src = int(perm[i]) if (swap[i] or ignore_swap) else i
        if move == "images":
            paired[i] = images[src]
        if label == "content":
            labels[i] = float(bool(torch.equal(caps[src], caps[i])))
        elif label == "image":
            labels[i] = float(src == i)
        elif label == "perm_caption":
            labels[i] = float(bool(torch.equal(caps[int(perm[i])], caps[i])))
        else:  # "swap": every swapped pair called a mismatch
            labels[i] = 0.0 if (swap[i] or ignore_swap) else 1.0
    if polarity != 1:
        labels = 1 - labels
    return {"paired_images": paired, "labels": labels}


register(Spec(
    name="ch08.make_itm_pairs", what="make_itm_pairs",
    cases=_pairs_cases,
    call={"args": ["images", "captions", "swap", "perm"], "outputs": ["paired_images", "labels"]},
    reference=_pairs,
    mistakes={
        "labels every swapped pair as a mismatch; a swapped-in image can show a scene with the same caption, and that "
        "pair matches: compare captions[perm[i]] with captions[i]":
            lambda c: _pairs(c, label="swap"),
        "labels the pairs the wrong way round: 1 means the pair matches (ViLT reads itm_logits[:, 1] as the match score)":
            lambda c: _pairs(c, polarity=0),
        "labels every swapped pair as a mismatch, and the wrong way round (1 = match)":
            lambda c: _pairs(c, label="swap", polarity=0),
        "leaves the images in place; ViLT replaces the image of a swapped pair by images[perm[i]] (the caption stays "
        "with row i)":
            lambda c: _pairs(c, move="none"),
        "replaces every image by images[perm[i]], swapped or not; only the rows where swap is True change":
            lambda c: _pairs(c, ignore_swap=True),
        "labels a pair by its image (a match only where row i kept its own image); a swapped-in image can show a "
        "scene with the same caption, and that pair matches: compare captions[perm[i]] with captions[i]":
            lambda c: _pairs(c, label="image"),
        "compares captions[perm[i]] with captions[i] in every row; a row where swap is False keeps its own image "
        "and always matches: compare the caption of the image row i now holds":
            lambda c: _pairs(c, label="perm_caption"),
    },
))


# ------------------------------------------------------------ heads
HEAD_SHAPES = [(3, 11, 8), (2, 7, 6), (4, 5, 12)]


def _head_cases(gen, vocab=False):
    cases = []
    for b, t, d in HEAD_SHAPES:
        v = 9
        state = ({"transform.0.weight": randn(gen, d, d) / math.sqrt(d), "transform.0.bias": 0.3 * randn(gen, d),
                  "transform.2.weight": 1 + 0.3 * randn(gen, d), "transform.2.bias": 0.3 * randn(gen, d),
                  "decoder.weight": randn(gen, v, d) / math.sqrt(d), "decoder.bias": 0.3 * randn(gen, v)} if vocab else
                 {"pooler.weight": randn(gen, d, d) / math.sqrt(d), "pooler.bias": 0.3 * randn(gen, d),
                  "fc.weight": randn(gen, 2, d) / math.sqrt(d), "fc.bias": 0.3 * randn(gen, 2)})
        cases.append({"config": {"dim": d, "vocab_size": v}, "state": state, "x": randn(gen, b, t, d),
                      "n_text": max(2, t // 2)})
    return cases


def _itm(c, *, token="first", act="tanh", pooler=True):
    s = {k: v.double() for k, v in c["state"].items()}
    x = c["x"].double()
    h = {"first": lambda t: t[:, 0], "mean": lambda t: t.mean(1), "last": lambda t: t[:, -1]}[token](x)
    if pooler:
        h = F.linear(h, s["pooler.weight"], s["pooler.bias"])
        h = {"tanh": torch.tanh, "none": lambda t: t, "relu": torch.relu}[act](h)
    return {"logits": F.linear(h, s["fc.weight"], s["fc.bias"])}


register(Spec(
    name="ch08.itm_head", what="ITMHead.forward",
    cases=lambda gen: _head_cases(gen),
    call={"construct": "config", "state": "state", "mode": "eval", "args": ["x"], "outputs": ["logits"]},
    reference=_itm,
    mistakes={
        "averages the tokens; ViLT's pooler reads the first token, the text's [CLS] (x[:, 0])":
            lambda c: _itm(c, token="mean"),
        "reads the last token; the pooler reads the first, the text's [CLS]":
            lambda c: _itm(c, token="last"),
        "has no tanh after the pooler's linear layer (BERT's pooler is tanh(W x + b))":
            lambda c: _itm(c, act="none"),
        "uses ReLU in the pooler; BERT's and ViLT's pooler uses tanh":
            lambda c: _itm(c, act="relu"),
        "skips the pooler: self.fc(torch.tanh(self.pooler(x[:, 0])))":
            lambda c: _itm(c, pooler=False),
    },
))


def _mlm(c, *, where="text", transform=True):
    s = {k: v.double() for k, v in c["state"].items()}
    x, n = c["x"].double(), c["n_text"]
    d = x.shape[-1]
    h = {"text": lambda t: t[:, :n], "shifted": lambda t: t[:, 1:n + 1], "all": lambda t: t,
         "tail": lambda t: t[:, -n:]}[where](x)
    if transform:
        h = F.layer_norm(F.gelu(F.linear(h, s["transform.0.weight"], s["transform.0.bias"])), (d,),
                         s["transform.2.weight"], s["transform.2.bias"], eps=1e-5)
    return {"logits": F.linear(h, s["decoder.weight"], s["decoder.bias"])}


register(Spec(
    name="ch08.mlm_head", what="MLMHead.forward",
    cases=lambda gen: _head_cases(gen, vocab=True),
    call={"construct": "config", "state": "state", "mode": "eval", "args": ["x", "n_text"], "outputs": ["logits"]},
    reference=_mlm,
    mistakes={
        "predicts words at every position, image tokens included; only the first n_text positions are text":
            lambda c: _mlm(c, where="all"),
        "starts one position late (x[:, 1:n_text + 1]); the text is x[:, :n_text], its [CLS] included":
            lambda c: _mlm(c, where="shifted"),
        "reads the last n_text positions; the text comes first in ViLT's sequence":
            lambda c: _mlm(c, where="tail"),
        "skips self.transform: BERT's MLM head is a linear layer, GELU and LayerNorm before the decoder":
            lambda c: _mlm(c, transform=False),
    },
))


# ------------------------------------------------------------ recall@k
def _recall_cases(gen):
    cases = []
    # Each known mistake differs from the reference on a case drawn for it (``must``); the first case separates
    # image-to-text, which cannot apply to the rectangular case, and the rectangular case comes last.
    for nt, ni, k, must in [(6, 6, 1, {"axis": "image"}), (6, 6, 2, {"cmp": "at_most"}), (8, 8, 1, {"ties": "favour"}),
                            (7, 7, 4, {"count_self": True}), (4, 4, 4, None), (5, 8, 3, {"per": "image"})]:
        for _ in range(100):  # about half the draws qualify
            scores = torch.randint(0, 5, (nt, ni), generator=gen).double() / 4  # coarse values: many ties
            case = {"scores": scores, "k": k}
            if _mistakes_apart(case, must):
                break
        cases.append(case)
    return cases


def _mistakes_apart(case, must=None) -> bool:
    """Whether the known mistakes that differ from the reference on this case differ from one another too (and the
    mistake ``must``, _recall's keywords, differs from the reference).  Each case is drawn until they do: a mistake
    is then judged on the first case where it differs, and there it cannot be taken for another (ties in the
    model's favour and rank <= k often give the same recall)."""
    ref = round(float(_recall(case)["recall"]), 9)
    if must is not None and round(float(_recall(case, **must)["recall"]), 9) == ref:
        return False
    values = []
    for fn in RECALL_MISTAKES.values():
        try:
            value = round(float(fn(case)["recall"]), 9)
        except ValueError:  # only_when: this mistake cannot differ here
            continue
        if value != ref:
            values.append(value)
    return len(set(values)) == len(values)


def _recall(c, *, ties="against", cmp="below", axis="text", count_self=False, per="caption"):
    s, k = c["scores"].numpy(), c["k"]
    if axis == "image":
        only_when(s.shape[0] == s.shape[1])
        s = s.T
    hits = 0
    for i in range(s.shape[0]):
        rank = 0
        for j in range(s.shape[1]):
            if j == i and not count_self:
                continue
            if (s[i, j] >= s[i, i]) if ties == "against" else (s[i, j] > s[i, i]):
                rank += 1
        hits += (rank < k) if cmp == "below" else (rank <= k)
    if per == "image":
        only_when(s.shape[0] != s.shape[1])
        return {"recall": torch.tensor(hits / s.shape[1], dtype=torch.float64)}
    return {"recall": torch.tensor(hits / s.shape[0], dtype=torch.float64)}


RECALL_MISTAKES = {
    "counts ties in the model's favour: an image with the same score as the right one ranks above it (>=, not >)":
        lambda c: _recall(c, ties="favour"),
    "counts a hit when the rank is at most k; rank 0 is first, so a hit is rank < k":
        lambda c: _recall(c, cmp="at_most"),
    "ranks along the wrong axis (image-to-text): row i of scores holds caption i's scores for every image":
        lambda c: _recall(c, axis="image"),
    "counts the right image among those that score at least as high (it ties with itself): leave j = i out":
        lambda c: _recall(c, count_self=True),
    "divides the hits by the number of images; recall@k is the share of captions, the rows of scores (Nt)":
        lambda c: _recall(c, per="image"),
}

register(Spec(
    name="ch08.recall_at_k", what="recall_at_k",
    cases=_recall_cases,
    call={"args": ["scores", "k"], "outputs": ["recall"]},
    reference=_recall,
    mistakes=RECALL_MISTAKES,
))
