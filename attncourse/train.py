"""The training loop every chapter shares.

Models follow one convention (as in nanoGPT): ``model(*batch)`` returns
``(outputs, loss)``.  The loop knows nothing else about them.

The same loop runs on one device or, unchanged, on many under ``torchrun --nproc_per_node N``:
it then joins the process group that torchrun describes (NCCL on GPUs, gloo on CPUs), wraps the
model in DistributedDataParallel, and gives each process every N-th example of the order the
caller's loader would have used (so N processes with batch B train exactly as one process with
batch N B).  Only rank 0 shows progress; :class:`attncourse.results.Run` records on rank 0 only.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader
from tqdm.auto import tqdm

from .scale import SMOKE, SMOKE_STEPS


@dataclass
class History:
    """Mean training loss per epoch, and the wall time the loop took."""
    loss: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def final(self) -> float:
        """The last epoch's mean loss (nan when nothing was trained, as while autograding)."""
        return self.loss[-1] if self.loss else float("nan")

    def __str__(self) -> str:
        if not self.loss:
            return "not trained"
        return f"loss {self.loss[0]:.4g} -> {self.loss[-1]:.4g} in {self.seconds:.0f} s"


def world() -> tuple[int, int]:
    """(rank, world size): (0, 1) unless torchrun started several processes."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    return (dist.get_rank(), dist.get_world_size()) if size > 1 else (0, 1)


class _Share(torch.utils.data.Sampler):
    """This rank's share of the order another sampler gives, drawn afresh each epoch: every
    ``size``-th index from ``rank`` on (all ranks draw the same order: their RNGs are seeded alike)."""

    def __init__(self, sampler, rank: int, size: int):
        self.sampler, self.rank, self.size = sampler, rank, size

    def __iter__(self):
        return iter(list(self.sampler)[self.rank::self.size])

    def __len__(self):
        return len(self.sampler) // self.size


def fit(model: torch.nn.Module, loader: DataLoader, *, epochs: int, lr: float = 3e-3,
        weight_decay: float = 0.0, clip_grad: float | None = 1.0,
        device: torch.device | str = "cpu", max_seconds: float | None = None,
        desc: str = "train") -> History:
    """Train with AdamW and a cosine learning-rate schedule; show a progress bar.

    ``max_seconds`` stops early (at the end of a batch) once the budget is
    spent, which keeps CPU runs inside their time limits (single process only: processes that
    stopped at different steps would wait for each other forever).  Under the suite's smoke
    test of a full configuration (``ATTNCOURSE_SMOKE=1``) the loop stops after two steps.
    """
    if epochs == 0:  # autograding, with graded cells that need no training: skip even the optimizer,
        model.eval()  # whose first construction imports torch._dynamo (over a second)
        return History()
    rank, size = world()
    net = model
    if size > 1:  # one process per device: each takes its share of every global batch
        if torch.cuda.is_available():
            device = torch.device("cuda", torch.cuda.current_device())
        # the caller's generator too: a DataLoader draws its workers' base seed from it before each epoch
        loader = DataLoader(loader.dataset, batch_size=loader.batch_size, sampler=_Share(loader.sampler, rank, size),
                            drop_last=loader.drop_last, num_workers=loader.num_workers, collate_fn=loader.collate_fn,
                            generator=loader.generator)
        model.to(device)
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device] if torch.cuda.is_available() else None)
    model.to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    total_steps = max(1, epochs * len(loader))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=total_steps, pct_start=0.1)
    history, start = History(), time.perf_counter()
    bar = tqdm(total=total_steps, desc=desc, leave=False, mininterval=1.0, **({"disable": True} if rank else {}))
    out_of_time, steps = False, 0
    for _ in range(epochs):
        total, count = 0.0, 0
        for batch in loader:
            batch = [t.to(device) for t in batch]
            _, loss = net(*batch)
            opt.zero_grad(set_to_none=True)
            loss.backward()  # under DDP the gradients arrive averaged over the processes
            if clip_grad:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad)
            opt.step()
            sched.step()
            total, count, steps = total + loss.item(), count + 1, steps + 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
            if (max_seconds is not None and size == 1 and time.perf_counter() - start > max_seconds) or \
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
