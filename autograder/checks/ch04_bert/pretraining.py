"""Hidden checks for ``04b_pretraining_and_finetuning.ipynb``.

Two tasks draw random numbers, so their outputs cannot equal an oracle's: their
specs carry a ``judge`` that tests the outputs' structure exactly and their
statistics on a large sample (z-scores within ±4.5 standard deviations, so a
correct solution fails about once in 10⁵ runs), and names the known mistakes
from the statistics they leave.  The embeddings and the MLM head are compared
with formulas written here with their weights copied in.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from .. import relations
from ..core import Spec, register
from ..oracles import randn as _randn

Z = 4.5  # how many standard deviations a sampled share may stray


def _z(count: float, n: float, p: float) -> float:
    """How many standard deviations ``count`` successes of ``n`` lie from the expected ``n p``."""
    if n == 0:
        return 0.0
    sd = math.sqrt(max(n * p * (1 - p), 1e-12))
    return (count - n * p) / sd


# ------------------------------------------------------ NSP examples
def _nsp_cases(gen):
    cases = []
    for n_docs, largest in [(60, 40), (2, 900), (200, 12)]:
        sizes = torch.randint(1, largest + 1, (n_docs,), generator=gen).tolist()
        sizes[0] = max(sizes[0], 2)
        doc_ids = [d for d, n in enumerate(sizes) for _ in range(n)]
        # document ids need not be sorted or contiguous numbers: relabel them at random
        relabel = torch.randperm(10 * n_docs, generator=gen)[:n_docs].tolist()
        cases.append({"doc_ids": [relabel[d] for d in doc_ids], "seed": int(torch.randint(2**31, (1,), generator=gen))})
    return cases


def _nsp_reference(c):
    """A correct sample (the task is random: ``_judge_nsp`` decides; this gives the shapes and a valid answer)."""
    d, g = c["doc_ids"], torch.Generator().manual_seed(c["seed"])
    others = {doc: [j for j, e in enumerate(d) if e != doc] for doc in set(d)}
    rows = []
    for i in range(len(d) - 1):
        if d[i + 1] != d[i]:
            continue
        if torch.rand((), generator=g) < 0.5:
            rows.append([i, i + 1, 0])
        else:
            pool = others[d[i]]
            rows.append([i, pool[int(torch.randint(len(pool), (), generator=g))], 1])
    t = torch.tensor(rows, dtype=torch.long).reshape(-1, 3)
    return {"examples": t, "again": t}


def _judge_nsp(c, out) -> str | None:
    ex, again = out["examples"], out["again"]
    d = np.asarray(c["doc_ids"])
    n = len(d)
    eligible = np.flatnonzero(d[1:] == d[:-1])
    if ex.shape != (len(eligible), 3):
        if ex.ndim == 2 and ex.shape[1] == 3 and len(ex) == n - 1:
            return ("makes an example for the last sentence of a document too; only a sentence whose successor is in "
                    "the same document (doc_ids[i + 1] == doc_ids[i]) gets one")
        return f"returns {ex.shape[0] if ex.ndim else 0} examples; there should be one per sentence with a successor in its document"
    if not np.array_equal(ex, again):
        return "gives different examples for the same seed: draw every random number from `generator`"
    a, b, y = ex[:, 0].astype(int), ex[:, 1].astype(int), ex[:, 2]
    if not np.isin(y, (0, 1)).all():
        return "labels must be 0 (IsNext) or 1 (NotNext)"
    if ((a < 0) | (a >= n) | (b < 0) | (b >= n)).any():
        return "returns sentences that are not in the input"
    consecutive = b == a + 1
    swapped = (a == b + 1) & (d[b] == d[a])
    if (swapped & (y == 0)).any() and not (consecutive & (y == 0)).any():
        return "A and B are swapped: A is the earlier sentence, B the one after it (or the random one)"
    if not np.array_equal(a, eligible):
        return "the examples must come one per sentence with a successor in its document, in the order of the sentences, with that sentence as A"
    same_doc = d[b] == d[a]
    if (y == 1).any() and consecutive[y == 1].mean() > 0.5 and (y == 0).any() and not consecutive[y == 0].any():
        return ("the labels are inverted: 0 means IsNext (B is the next sentence), 1 means NotNext (B is random), "
                "as in Google's code")
    if (~consecutive & (y == 0)).any():
        return "a pair labelled 0 (IsNext) must have B = the sentence right after A"
    if (same_doc & (y == 1)).any():
        return ("a NotNext pair (label 1) takes B from A's own document; draw B from another document "
                "(again while it falls in A's), or the 'random' sentence can be a real continuation")
    if abs(_z(int((y == 1).sum()), len(y), 0.5)) > Z:
        return f"{(y == 1).mean():.1%} of the pairs are NotNext; each pair should be NotNext with probability 1/2"
    random_b = b[y == 1]
    pool = n - np.bincount(np.unique(d, return_inverse=True)[1]).max()  # the smallest pool B can come from
    if len(random_b) >= 50 and len(np.unique(random_b)) < 0.1 * min(len(random_b), pool):
        return "the random sentences B repeat a few sentences; draw B at random over the other documents' sentences"
    return None


register(Spec(
    name="ch04.make_nsp_examples", what="make_nsp_examples",
    cases=_nsp_cases,
    call={"args": ["doc_ids", "seed"], "outputs": ["examples", "again"]},
    reference=_nsp_reference,
    judge=_judge_nsp,
    atol=0.0,
))


# ------------------------------------------------------------ masking
def _mask_cases(gen):
    cases = []
    for b, l, vocab, mask_id, first, p, split in [
            (400, 250, 60, 4, 5, 0.15, (0.8, 0.1, 0.1)),
            (300, 200, 40, 1, 7, 0.3, (0.5, 0.3, 0.2)),
            (200, 120, 140, 103, 104, 0.15, (1.0, 0.0, 0.0)),
            (300, 160, 50, 2, 3, 0.2, (0.0, 0.2, 0.8))]:
        ids = torch.randint(first, vocab, (b, l), generator=gen)
        lengths = torch.randint(l // 3, l + 1, (b,), generator=gen)
        pad = torch.arange(l)[None] >= lengths[:, None]
        ids[:, 0] = 0 if first > 1 else mask_id + 1  # a [CLS]-like special at the start
        ids[pad] = 0                                 # padding (id 0, a special id)
        seps = torch.randint(1, l, (b,), generator=gen)
        ids[torch.arange(b), seps] = first - 1 if first - 1 != mask_id else 0
        special = ids < first
        cases.append({"input_ids": ids, "special_mask": special, "vocab_size": vocab, "mask_id": mask_id,
                      "first_normal_id": first, "p": p, "split": list(split),
                      "seed": int(torch.randint(2**31, (1,), generator=gen))})
    return cases


def _mask_reference(c):
    """A correct sample (the task is random: ``_judge_mask`` decides; this gives the shapes and a valid answer)."""
    ids, g = c["input_ids"], torch.Generator().manual_seed(c["seed"])
    m, r, _ = c["split"]
    chosen = (torch.rand(ids.shape, generator=g) < c["p"]) & ~c["special_mask"]
    u = torch.rand(ids.shape, generator=g)
    random_ids = torch.randint(c["first_normal_id"], c["vocab_size"], ids.shape, generator=g)
    corrupted = torch.where(chosen & (u < m), c["mask_id"], ids)
    corrupted = torch.where(chosen & (u >= m) & (u < m + r), random_ids, corrupted)
    return {"corrupted": corrupted, "labels": torch.where(chosen, ids, -100), "again": corrupted}


def _judge_mask(c, out) -> str | None:
    ids = c["input_ids"].numpy()
    special = c["special_mask"].numpy()
    corrupted, labels, again = out["corrupted"], out["labels"], out["again"]
    p, (m, r, k) = c["p"], c["split"]
    mask_id, first, vocab = c["mask_id"], c["first_normal_id"], c["vocab_size"]
    chosen = labels != -100
    normal = ~special
    if chosen.all() or (chosen[normal].all() and p < 0.9):
        return ("has a label at every position; labels are -100 except at the chosen positions, so that the loss "
                "counts only those")
    if (chosen & special).any():
        return "chooses special tokens or padding; positions where special_mask is True are never chosen"
    if not np.array_equal(labels[chosen], ids[chosen]):
        return "the labels at the chosen positions must be the original (uncorrupted) ids"
    if not np.array_equal(corrupted[~chosen], ids[~chosen]):
        return "changes tokens that were not chosen; only chosen positions are corrupted"
    if not np.array_equal(corrupted, again):
        return "gives a different result for the same seed: draw every random number from `generator`"
    n_normal, n_chosen = int(normal.sum()), int(chosen.sum())
    if abs(_z(n_chosen, n_normal, p)) > Z:
        share = n_chosen / n_normal
        if abs(_z(n_chosen, int(special.size), p)) <= Z or abs(share - p * n_normal / special.size) < 0.01:
            return "the share of chosen tokens is p of all positions; choose each normal token with probability p"
        return f"chooses {share:.3f} of the normal tokens; each should be chosen independently with probability p = {p}"
    # Bernoulli draws: the per-sequence counts scatter with variance n p (1 - p); a fixed count per
    # sequence (round(p n) positions, d2l's recipe) scatters far less.
    rows, per_row = normal.sum(1), chosen.sum(1)
    used = rows > 0
    dispersion = float((((per_row - p * rows) ** 2)[used] / (rows[used] * p * (1 - p))).sum())
    if (dispersion - used.sum()) / math.sqrt(2 * used.sum()) < -Z:
        return ("chooses a fixed number of tokens in each sequence; choose each normal token independently with "
                "probability p (one Bernoulli draw per token), so the count varies from sequence to sequence")
    got = corrupted[chosen]
    orig = ids[chosen]
    is_mask = got == mask_id
    rnd = ~is_mask & (got != orig)
    if (got[rnd] < first).any() or (got[rnd] >= vocab).any():
        return ("a random replacement is a special token or outside the vocabulary; draw it uniformly from the normal "
                "ids first_normal_id .. vocab_size - 1")
    n_vocab = vocab - first
    p_rnd = r * (1 - 1 / n_vocab)  # a random draw can give back the same token
    z_mask, z_rnd = _z(int(is_mask.sum()), n_chosen, m), _z(int(rnd.sum()), n_chosen, p_rnd)
    if abs(z_mask) <= Z and m < 1 and r > 0 and abs(_z(int(rnd.sum()), n_chosen, r * (1 - m) * (1 - 1 / n_vocab))) <= Z \
            and abs(z_rnd) > Z:
        return ("replaces split[1] of the tokens *left after masking* by random ones (10% of the remaining 20% = 2%); "
                "split[1] is the share of all chosen tokens (10%)")
    if abs(z_mask) > Z or abs(z_rnd) > Z:
        return (f"of the chosen tokens, {is_mask.mean():.1%} became [MASK] and {rnd.mean():.1%} random tokens; "
                f"expected {m:.0%} and {r:.0%} (the rest, {k:.0%}, unchanged)")
    if rnd.sum() >= 200:
        counts = np.bincount(got[rnd].astype(int) - first, minlength=n_vocab)
        expected = rnd.sum() / n_vocab
        chi2 = float(((counts - expected) ** 2 / expected).sum())
        from scipy.stats import chi2 as chi2_dist
        if chi2_dist.sf(chi2, n_vocab - 1) < 1e-6:
            return "the random tokens are not uniform over the normal ids first_normal_id .. vocab_size - 1"
    return None


register(Spec(
    name="ch04.mask_tokens", what="mask_tokens",
    cases=_mask_cases,
    call={"args": ["input_ids", "special_mask", "vocab_size", "mask_id", "first_normal_id", "p", "split", "seed"],
          "outputs": ["corrupted", "labels", "again"]},
    reference=_mask_reference,
    judge=_judge_mask,
    atol=0.0,
))


# --------------------------------------------------------- embeddings
EMB_CONFIGS = [dict(vocab_size=23, hidden=8, max_position=12, type_vocab_size=2, dropout=0.0),
               dict(vocab_size=31, hidden=6, max_position=9, type_vocab_size=3, dropout=0.3)]


def _emb_cases(gen):
    cases = []
    # L < max_position everywhere (positions shifted by one still exist), and B L <= max_position in the
    # second case (positions running on across the batch still exist)
    for cfg, (b, l) in [(EMB_CONFIGS[0], (3, 11)), (EMB_CONFIGS[0], (2, 5)), (EMB_CONFIGS[1], (4, 7))]:
        h = cfg["hidden"]
        state = {"word_embeddings.weight": _randn(gen, cfg["vocab_size"], h),
                 "position_embeddings.weight": _randn(gen, cfg["max_position"], h),
                 "token_type_embeddings.weight": _randn(gen, cfg["type_vocab_size"], h),
                 "LayerNorm.weight": 1 + 0.3 * _randn(gen, h), "LayerNorm.bias": 0.3 * _randn(gen, h)}
        ids = torch.randint(cfg["vocab_size"], (b, l), generator=gen)
        types = torch.randint(cfg["type_vocab_size"], (b, l), generator=gen)
        cases.append({"config": cfg, "state": state, "input_ids": ids, "token_type_ids": types})
    return cases


def _emb(c, *, segments=True, start=0, norm="after", scale=False, eps=1e-12, flat_positions=False):
    s, ids, types = c["state"], c["input_ids"], c["token_type_ids"]
    b, l = ids.shape
    h = s["word_embeddings.weight"].shape[1]
    words = s["word_embeddings.weight"][ids]
    if scale:
        words = words * math.sqrt(h)
    pos_index = torch.arange(b * l).reshape(b, l) if flat_positions else torch.arange(start, start + l).expand(b, l)
    x = words + s["position_embeddings.weight"][pos_index]
    if segments:
        x = x + s["token_type_embeddings.weight"][types]

    def ln(t):
        return F.layer_norm(t, (h,), s["LayerNorm.weight"], s["LayerNorm.bias"], eps=eps)

    if norm == "before":
        x = ln(words) + (x - words)
    elif norm == "after":
        x = ln(x)
    return {"embeddings": x}


def _emb_properties(case, out):
    return relations.dropout_left_on(out.get("embeddings"), _emb(case)["embeddings"].double().numpy(),
                                     case["config"]["dropout"], "self.dropout")


register(Spec(
    name="ch04.bert_embeddings", what="BertEmbeddings",
    cases=_emb_cases,
    call={"construct": "config", "state": "state", "mode": "eval", "args": ["input_ids", "token_type_ids"],
          "outputs": ["embeddings"]},
    reference=_emb,
    properties=_emb_properties,
    mistakes={
        "the segment (token type) embedding is missing: add token_type_embeddings(token_type_ids)":
            lambda c: _emb(c, segments=False),
        "positions start at 1; the first position ([CLS]) is 0: torch.arange(L)":
            lambda c: _emb(c, start=1),
        "the positions run on across the batch; every sequence's positions are 0 .. L-1":
            lambda c: _emb(c, flat_positions=True),
        "the LayerNorm is applied to the word embeddings only, before the sum; normalise the sum of the three":
            lambda c: _emb(c, norm="before"),
        "the LayerNorm is missing: BERT normalises the sum of the three embeddings":
            lambda c: _emb(c, norm=None),
        "the word embeddings are scaled by sqrt(H); BERT adds them unscaled (the scaling was the original "
        "Transformer's, chapter 3)":
            lambda c: _emb(c, scale=True),
    },
))


# ------------------------------------------------------------ MLM head
def _head_cases(gen):
    cases = []
    for v, h, b, l, p in [(29, 8, 2, 9, 4), (17, 6, 3, 5, 5), (40, 8, 1, 12, 3)]:
        state = {"dense.weight": _randn(gen, h, h) / math.sqrt(h), "dense.bias": 0.3 * _randn(gen, h),
                 "LayerNorm.weight": 1 + 0.3 * _randn(gen, h), "LayerNorm.bias": 0.3 * _randn(gen, h),
                 "decoder.weight": _randn(gen, v, h), "bias": _randn(gen, v)}
        positions = torch.randint(l, (b, p), generator=gen)
        cases.append({"state": state, "hidden": _randn(gen, b, l, h), "positions": positions,
                      "vocab_size": v, "width": h})
    return cases


def _head(c, *, gather=True, transform=True, act="gelu", bias=True, norm_first=False):
    s, hidden, positions = c["state"], c["hidden"], c["positions"]
    h = hidden.shape[-1]
    x = torch.stack([hidden[i, positions[i]] for i in range(hidden.shape[0])]) if gather else hidden
    if transform:
        x = F.linear(x, s["dense.weight"], s["dense.bias"])
        ln = (lambda t: F.layer_norm(t, (h,), s["LayerNorm.weight"], s["LayerNorm.bias"], eps=1e-12))
        a = {"gelu": F.gelu, "tanh_gelu": lambda t: F.gelu(t, approximate="tanh"), "relu": F.relu}[act]
        x = a(ln(x)) if norm_first else ln(a(x))
    logits = x @ s["decoder.weight"].T
    if bias:
        logits = logits + s["bias"]
    return {"logits": logits}


register(Spec(
    name="ch04.mlm_head", what="MLMHead",
    cases=_head_cases,
    call={"args": ["state", "hidden", "positions", "vocab_size", "width"], "outputs": ["logits"]},
    reference=_head,
    mistakes={
        "computes logits at every position (B, L, V); gather the chosen positions first: (B, P, V)":
            lambda c: _head(c, gather=False),
        "the transform (dense, GELU, LayerNorm) before the decoder is missing":
            lambda c: _head(c, transform=False),
        "the output bias is missing: the decoder is tied to the word embeddings and has its own bias (self.bias)":
            lambda c: _head(c, bias=False),
        "the transform applies the LayerNorm before the GELU; it is LayerNorm(GELU(dense(h)))":
            lambda c: _head(c, norm_first=True),
        "uses ReLU in the transform; BERT's MLM head uses GELU":
            lambda c: _head(c, act="relu"),
        "uses the tanh approximation of GELU; apply the given self.act, the exact nn.GELU()":
            lambda c: _head(c, act="tanh_gelu"),
    },
))


# ------------------------------------------------------ pre-training loss
def _loss_cases(gen):
    cases = []
    for b, p, v in [(3, 4, 11), (5, 3, 7), (2, 6, 13)]:
        labels = torch.randint(v, (b, p), generator=gen)
        labels[torch.rand(b, p, generator=gen) < 0.4] = -100
        labels[0, 0] = 1  # at least one prediction
        cases.append({"mlm_logits": 2 * _randn(gen, b, p, v), "mlm_labels": labels,
                      "nsp_logits": 2 * _randn(gen, b, 2), "nsp_labels": torch.randint(2, (b,), generator=gen)})
    return cases


def _loss(c, *, mlm_mean="chosen", nsp_mean=True, weight=1.0):
    logits, labels = c["mlm_logits"].flatten(0, 1), c["mlm_labels"].flatten()
    chosen = labels != -100
    per_token = F.cross_entropy(logits[chosen], labels[chosen], reduction="none")
    if mlm_mean == "per_sequence":
        rows = [F.cross_entropy(lg[lb != -100], lb[lb != -100]) for lg, lb in zip(c["mlm_logits"], c["mlm_labels"])
                if (lb != -100).any()]
        mlm = torch.stack(rows).mean()
    else:
        mlm = {"chosen": per_token.mean(), "all": per_token.sum() / labels.numel(), "sum": per_token.sum()}[mlm_mean]
    nsp_all = F.cross_entropy(c["nsp_logits"], c["nsp_labels"], reduction="none")
    nsp = nsp_all.mean() if nsp_mean else nsp_all.sum()
    return {"total": mlm + weight * nsp, "mlm": mlm, "nsp": nsp}


register(Spec(
    name="ch04.pretraining_loss", what="pretraining_loss",
    cases=_loss_cases,
    call={"args": ["mlm_logits", "mlm_labels", "nsp_logits", "nsp_labels"], "outputs": ["total", "mlm", "nsp"]},
    reference=_loss,
    mistakes={
        "the MLM loss is averaged over all P slots, -100 included; average over the chosen positions only "
        "(labels != -100)":
            lambda c: _loss(c, mlm_mean="all"),
        "the MLM loss is a mean of per-sequence means; take one mean over all chosen positions of the batch "
        "(sequences with more predictions weigh more)":
            lambda c: _loss(c, mlm_mean="per_sequence"),
        "the MLM loss is summed over the chosen positions; BERT takes their mean":
            lambda c: _loss(c, mlm_mean="sum"),
        "the NSP loss is summed over the batch; take its mean":
            lambda c: _loss(c, nsp_mean=False),
        "the total is not the sum of the two means: total = mlm + nsp":
            lambda c: _loss(c, weight=0.5),
    },
))
