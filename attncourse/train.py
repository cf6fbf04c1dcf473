"""The training loop every chapter shares.

Models follow one convention (as in nanoGPT): ``model(*batch)`` returns
``(outputs, loss)``.  The loop knows nothing else about them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
from torch.utils.data import DataLoader
from tqdm.auto import tqdm

from .scale import SMOKE, SMOKE_STEPS


@dataclass
class History:
    """Mean training loss per epoch, and the wall time the loop took."""
    loss: list[float] = field(default_factory=list)
    seconds: float = 0.0


def fit(model: torch.nn.Module, loader: DataLoader, *, epochs: int, lr: float = 3e-3,
        weight_decay: float = 0.0, clip_grad: float | None = 1.0,
        device: torch.device | str = "cpu", max_seconds: float | None = None,
        desc: str = "train") -> History:
    """Train with AdamW and a cosine learning-rate schedule; show a progress bar.

    ``max_seconds`` stops early (at the end of a batch) once the budget is
    spent, which keeps CPU runs inside their time limits.  Under the suite's smoke
    test of a full configuration (``ATTNCOURSE_SMOKE=1``) the loop stops after two steps.
    """
    model.to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    total_steps = max(1, epochs * len(loader))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=total_steps, pct_start=0.1)
    history, start = History(), time.perf_counter()
    bar = tqdm(total=total_steps, desc=desc, leave=False, mininterval=1.0)
    out_of_time, steps = False, 0
    for _ in range(epochs):
        total, count = 0.0, 0
        for batch in loader:
            batch = [t.to(device) for t in batch]
            _, loss = model(*batch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if clip_grad:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad)
            opt.step()
            sched.step()
            total, count, steps = total + loss.item(), count + 1, steps + 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
            if (max_seconds is not None and time.perf_counter() - start > max_seconds) or \
                    (SMOKE and steps >= SMOKE_STEPS):
                out_of_time = True
                break
        history.loss.append(total / max(count, 1))
        if out_of_time:
            break
    bar.close()
    history.seconds = time.perf_counter() - start
    model.eval()
    return history
