# tests/bench/neural/uotgan_bench.py -- one UOT-GAN iteration in PyTorch with scuot's architecture and step
# (src/lib/neural/uotgan.c): T(x, z) = x + MLP([x, z]), xi = softplus(MLP(x)), f = MLP(y) (3 hidden ReLU layers
# each), KL divergence and KL c2, f step with the gradient penalty at interpolates (create_graph), then the T/xi
# step with Appendix C's T update; Adam.  Prints milliseconds per iteration.
# usage: uotgan_bench.py PCA_H5AD DAY0 DAY1 BATCH WIDTH ZDIM ITERS THREADS DTYPE(float64|float32)
import sys, time
import h5py, numpy as np, torch

path, d0, d1, nb, width, zdim, iters, threads, dt = sys.argv[1:10]
nb, width, zdim, iters, threads = int(nb), int(width), int(zdim), int(iters), int(threads)
torch.set_num_threads(threads)
dtype = getattr(torch, dt)
with h5py.File(path, "r") as f:
    X = f["obsm/X_pca"][()]
    day = f["obs/day"][()]
x, y = X[day == float(d0)], X[day == float(d1)]
c = np.vstack([x, y]).mean(0)
sq = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
sig = np.sqrt(np.median(sq))
x, y = torch.tensor((x - c) / sig, dtype=dtype), torch.tensor((y - c) / sig, dtype=dtype)
d = x.shape[1]

def mlp(i, o):
    return torch.nn.Sequential(torch.nn.Linear(i, width), torch.nn.ReLU(), torch.nn.Linear(width, width),
                               torch.nn.ReLU(), torch.nn.Linear(width, width), torch.nn.ReLU(),
                               torch.nn.Linear(width, o)).to(dtype)

torch.manual_seed(1)
T, XI, F = mlp(d + zdim, d), mlp(d, 1), mlp(d, 1)
og = torch.optim.Adam(list(T.parameters()) + list(XI.parameters()), lr=1e-3, betas=(0.5, 0.999))
of = torch.optim.Adam(F.parameters(), lr=1e-3, betas=(0.5, 0.999))
wc, wm, zeta, gpf = 1.0, 1.0, 10.0, 1.0

def step():
    xb = x[torch.randint(0, x.shape[0], (nb,))]
    yb = y[torch.randint(0, y.shape[0], (nb,))]
    z = torch.randn(nb, zdim, dtype=dtype)
    t = xb + T(torch.cat([xb, z], 1))
    xi = torch.nn.functional.softplus(XI(xb))
    c1 = wc * ((t - xb) ** 2).sum(1, keepdim=True)
    # f step: T and xi fixed
    tc, xic = t.detach(), xi.detach()
    fobj = (xic * F(tc)).mean() - (torch.exp(F(yb)) - 1).mean()
    u = torch.rand(nb, 1, dtype=dtype)
    yh = (u * yb + (1 - u) * tc).requires_grad_(True)
    gy, = torch.autograd.grad(F(yh).sum(), yh, create_graph=True)
    gp = ((torch.sqrt((gy ** 2).sum(1) + 1e-12) - 1) ** 2).mean()
    floss = -zeta * fobj + gpf * gp
    of.zero_grad()
    floss.backward()
    of.step()
    # T and xi step against the updated f
    h = c1 + zeta * F(t)
    gl = (xi * h.detach()).mean() + h.mean() + wm * (xi * torch.log(xi) - xi + 1).mean()
    og.zero_grad()
    gl.backward()
    og.step()

for _ in range(min(20, iters)):
    step()
t0 = time.perf_counter()
for _ in range(iters):
    step()
print("%.4f" % (1000 * (time.perf_counter() - t0) / iters))
