"""Hidden checks for ``08b_video_text.ipynb``.

The oracle builds every video token by hand from the state's tensors: the frame's patch cut with
``F.unfold``, projected, plus the rows of the temporal, spatial and modality tables for its frame
and patch index; the text half is BERT's embedding sum.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..core import Spec, register
from ..oracles import only_when, randn


def _config(vocab_size, text_len, frames, image_size, patch_size, in_chans, dim, temporal=True):
    return {"vocab_size": vocab_size, "text_len": text_len, "frames": frames, "image_size": image_size,
            "patch_size": patch_size, "in_chans": in_chans, "dim": dim, "temporal": temporal}


CONFIGS = [(_config(7, 3, 3, 8, 4, 3, 8), 2), (_config(9, 5, 4, 8, 4, 1, 6), 2),  # T = N = 4: axes swappable
           (_config(8, 4, 2, 6, 3, 2, 4, temporal=False), 3), (_config(6, 2, 5, 4, 2, 3, 8), 1)]


def _cases(gen):
    cases = []
    for cfg, b in CONFIGS:
        d, p, c = cfg["dim"], cfg["patch_size"], cfg["in_chans"]
        n = (cfg["image_size"] // p) ** 2
        state = {"word_embeddings.weight": randn(gen, cfg["vocab_size"], d),
                 "text_position.weight": randn(gen, cfg["text_len"], d),
                 "text_norm.weight": 1 + 0.3 * randn(gen, d), "text_norm.bias": 0.3 * randn(gen, d),
                 "patch_proj.weight": randn(gen, d, c * p * p) / math.sqrt(c * p * p),
                 "patch_proj.bias": 0.3 * randn(gen, d),
                 "temporal.weight": randn(gen, cfg["frames"], d), "spatial.weight": randn(gen, n, d),
                 "token_type.weight": randn(gen, 2, d)}
        s = cfg["image_size"]
        cases.append({"config": cfg, "state": state,
                      "text_ids": torch.randint(0, cfg["vocab_size"], (b, cfg["text_len"]), generator=gen),
                      "clips": torch.rand(b, c, cfg["frames"], s, s, generator=gen)})
    return cases


def _embed(c, *, temporal="flag", swap_index=False, types=True, swap_types=False,
           text="norm_then_type", order="frame_major", text_first=True):
    s = {k: v.double() for k, v in c["state"].items()}
    cfg, ids, clips = c["config"], c["text_ids"], c["clips"].double()
    d, p = cfg["dim"], cfg["patch_size"]
    b, lt = ids.shape
    t_len = clips.shape[2]
    text_type, video_type = (s["token_type.weight"][1], s["token_type.weight"][0]) if swap_types else \
        (s["token_type.weight"][0], s["token_type.weight"][1])
    words, where = s["word_embeddings.weight"][ids], s["text_position.weight"][:lt]

    def norm(x):
        return F.layer_norm(x, (d,), s["text_norm.weight"], s["text_norm.bias"], eps=1e-5)

    if text == "type_in_norm":  # BERT's order: word + position + type, then the LayerNorm
        text = norm(words + where + text_type)
    elif text == "no_norm":
        text = words + where + text_type
    elif text == "position_after_norm":
        text = norm(words) + where + text_type
    else:
        text = norm(words + where) + (text_type if types else 0)
    use_time = cfg["temporal"] if temporal == "flag" else temporal
    if temporal != "flag":
        only_when(use_time != cfg["temporal"])
    tokens = []
    for t in range(t_len):
        patches = F.linear(F.unfold(clips[:, :, t], p, stride=p).transpose(1, 2), s["patch_proj.weight"],
                           s["patch_proj.bias"])  # (B, N, D)
        n = patches.shape[1]
        for j in range(n):
            tok = patches[:, j] + (video_type if types else 0)
            if swap_index:  # token k = t*N + j given frame k % T, patch k // T: repeat and repeat_interleave swapped
                k = t * n + j
                tok = tok + s["spatial.weight"][k // t_len] + (s["temporal.weight"][k % t_len] if use_time else 0)
            else:
                tok = tok + s["spatial.weight"][j] + (s["temporal.weight"][t] if use_time else 0)
            tokens.append((t, j, tok))
    if order == "patch_major":
        tokens.sort(key=lambda e: (e[1], e[0]))
    video = torch.stack([tok for _, _, tok in tokens], 1)  # (B, T*N, D)
    return {"tokens": torch.cat([text, video], 1) if text_first else torch.cat([video, text], 1)}


register(Spec(
    name="ch08.video_text_embeddings", what="VideoTextEmbeddings.forward",
    cases=_cases,
    call={"construct": "config", "state": "state", "mode": "eval", "args": ["text_ids", "clips"],
          "outputs": ["tokens"]},
    reference=_embed,
    mistakes={
        "adds no temporal embedding: every patch of frame t needs self.temporal.weight[t], or a clip and its time "
        "reversal look the same":
            lambda c: _embed(c, temporal=False),
        "adds the temporal embedding even when config.temporal is False (the ablation leaves it out)":
            lambda c: _embed(c, temporal=True),
        "builds the frame and patch indices of the flattened video the wrong way round: token k = t*N + n is frame "
        "k // N (each frame index repeated N times, as repeat_interleave gives) and patch k % N (0 .. N-1 in every "
        "frame, as repeat gives); yours cycles the frame index and repeats the patch index":
            lambda c: _embed(c, swap_index=True),
        "adds no modality-type embeddings: row 0 of self.token_type for the words, row 1 for the video":
            lambda c: _embed(c, types=False),
        "uses the modality-type rows the wrong way round: row 0 of self.token_type is the words', row 1 the video's":
            lambda c: _embed(c, swap_types=True),
        "adds the text's modality-type row inside the LayerNorm: normalise word + position first, then add "
        "self.token_type.weight[0] (as ViLT adds its modality rows after BERT's embeddings)":
            lambda c: _embed(c, text="type_in_norm"),
        "does not apply self.text_norm to the words: the text is LayerNorm(word + position), then its modality row":
            lambda c: _embed(c, text="no_norm"),
        "adds the text positions after the LayerNorm: the LayerNorm normalises word + position together":
            lambda c: _embed(c, text="position_after_norm"),
        "flattens the video patch by patch; the tokens go frame by frame (frame 0's N patches, then frame 1's)":
            lambda c: _embed(c, order="patch_major"),
        "puts the video before the text; the sequence is [text ; video]":
            lambda c: _embed(c, text_first=False),
    },
))
