#!/usr/bin/python3
# tests/bench/neural/critic_torch.py -- time per update of the USD critic in PyTorch (Debian python3-torch, CPU):
# the IBM/USD reference critic (D_mlp) and loss (D_forward_weights, with each particle's own gradient as
# NOTES.md states), AMSGrad with weight decay, the same architecture, batch and update count as
# critic_bench.c.  Used by critic.sh; not a test.
#   critic_torch.py D WIDTH HIDDEN LAST BATCHNORM BATCH UPDATES DTYPE THREADS -> "seconds_per_update gap con"
import sys
import time

import torch

d, width, hidden, last, bn, batch, updates = (int(v) for v in sys.argv[1:8])
dtype = {"float64": torch.float64, "float32": torch.float32}[sys.argv[8]]
torch.set_num_threads(int(sys.argv[9]))
torch.manual_seed(1)
torch.set_default_dtype(dtype)
n = 4 * batch
x, y = torch.randn(n, d), 0.5 + torch.randn(n, d)
w = torch.ones(n, 1)
layers = [torch.nn.Linear(d, width), torch.nn.ReLU(), torch.nn.Linear(width, hidden)]
if bn:
    layers.append(torch.nn.BatchNorm1d(hidden, track_running_stats=False))
layers += [torch.nn.ReLU(), torch.nn.Linear(hidden, last), torch.nn.ReLU(), torch.nn.Linear(last, 1, bias=False)]
D = torch.nn.Sequential(*layers)
opt = torch.optim.Adam(D.parameters(), lr=1e-4, weight_decay=1e-5, amsgrad=True)
lam = torch.tensor([1e-5], requires_grad=True)
alpha, rho = 0.6, 1e-6


def update():
    opt.zero_grad()
    ip, iq = torch.randperm(n)[:batch], torch.randperm(n)[:batch]
    xp, xq, wp, wq = y[ip], x[iq].clone().requires_grad_(True), w[ip], w[iq]
    fp, fq = D(xp), D(xq)
    ep, eq = (wp * fp).mean(), (wq * fq).mean()
    fisher = (wq * fq ** 2).mean() - eq ** 2
    g = torch.autograd.grad(fq.sum(), xq, create_graph=True)[0]
    sob = (wq * (g ** 2).sum(1, keepdim=True)).mean()
    c = sob + alpha * fisher - 1
    loss = -(ep - eq - lam * c - rho / 2 * c ** 2)
    loss.backward()
    opt.step()
    lam.data += rho * lam.grad  # the multiplier's step, as the reference's manual_sgd_
    lam.grad.zero_()
    return (ep - eq).item(), c.item()


for _ in range(3):
    update()
t = time.perf_counter()
for _ in range(updates):
    gap, con = update()
t = (time.perf_counter() - t) / updates
print("%.6f %.6g %.6g" % (t, gap, con))
