"""Measure what a layer costs: wall time and the memory it keeps for the backward pass.

Memory is measured the same way on every device: the bytes of the distinct
tensors that autograd saves during the forward pass (the activations a
training step has to keep), read through ``torch.autograd.graph.saved_tensors_hooks``.
Parameters are not counted.
"""
from __future__ import annotations

import statistics
import time

import torch


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def saved_bytes(fn, *inputs, params=()) -> int:
    """Bytes of the distinct tensors autograd saves while running ``fn(*inputs)``,
    leaving out those that share storage with ``params`` (the layer's parameters)."""
    seen: dict[tuple, int] = {}
    params = {p.untyped_storage().data_ptr() for p in params}

    def pack(t):
        ptr = t.untyped_storage().data_ptr()
        if ptr not in params:
            seen[(ptr, t.device.type)] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn(*inputs)
    del out
    return sum(seen.values())


def time_and_memory(fn, *inputs, params=(), repeats: int = 3) -> dict:
    """Median seconds of a forward plus backward pass of ``fn(*inputs)`` (its first
    output summed), and the MiB autograd saved for the backward pass (``params``,
    the layer's parameters, are not counted)."""
    params = list(params)
    device = inputs[0].device

    def step():
        out = fn(*inputs)
        out = out[0] if isinstance(out, (tuple, list)) else out
        out.float().sum().backward()

    step()  # warm-up: first calls allocate and pick kernels
    times = []
    for _ in range(repeats):
        _sync(device)
        start = time.perf_counter()
        step()
        _sync(device)
        times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times), "mib": saved_bytes(fn, *inputs, params=params) / 2**20}
