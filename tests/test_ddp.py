"""attncourse's training loop under torchrun: 2 CPU processes (gloo) train exactly as one process
with the same global batch (the issue's "within a stated tolerance": 1e-6 on every weight)."""
from __future__ import annotations

import subprocess
import sys

import torch

from .conftest import ROOT

SCRIPT = """
import sys, torch
from torch.utils.data import DataLoader, TensorDataset
from attncourse import seed_everything
from attncourse.train import fit, world

class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.GELU(), torch.nn.Linear(16, 3))
    def forward(self, x, y):
        logits = self.body(x)
        return logits, torch.nn.functional.cross_entropy(logits, y)

g = torch.Generator().manual_seed(0)
data = TensorDataset(torch.randn(96, 5, generator=g), torch.randint(3, (96,), generator=g))
rank, size = world()
seed_everything(0)
net = Net()
batch = int(sys.argv[2]) // size  # the same global batch whatever the number of processes
loader = DataLoader(data, batch_size=batch, shuffle=True, generator=torch.Generator().manual_seed(1))
history = fit(net, loader, epochs=2, lr=1e-2, weight_decay=0.01)
if rank == 0:
    torch.save(net.state_dict(), sys.argv[1])
"""


def test_two_processes_train_like_one_with_the_same_global_batch(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = {"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1", "PATH": "/usr/bin:/bin"}
    one, two = tmp_path / "one.pt", tmp_path / "two.pt"
    subprocess.run([sys.executable, str(script), str(one), "16"], env=env, check=True, timeout=120)
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29531",
                    str(script), str(two), "16"], env=env, check=True, timeout=180, capture_output=True)
    a, b = torch.load(one), torch.load(two)
    assert a.keys() == b.keys()
    for name in a:
        assert torch.allclose(a[name], b[name], atol=1e-6, rtol=0), (name, (a[name] - b[name]).abs().max())
