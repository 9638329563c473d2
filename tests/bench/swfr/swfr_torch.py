#!/usr/bin/python3
# swfr_torch.py -- the training iteration of scuot's swfr (src/lib/neural/swfr.c, swfr_train) in PyTorch,
# line by line: the OT-Flow potential with its hand-derived gradient and Laplacian trace, RK4 on the same
# state, (4.11) from rho1 draws, J, autograd for the parameter gradient only, Adam.  Used by run.sh; not a
# test.
#   swfr_torch.py DUMP check                             -> max relative errors against swfr_bench --dump
#   swfr_torch.py DUMP time ITERS REPEATS DTYPE THREADS  -> "ms_per_iteration(median) min max cpu_ms last_J"
# DUMP is the file swfr_bench --dump wrote: configuration, data pools, mixture, initial parameters, and
# scuot's costs, gradients and parameters after one Adam step on the fixed minibatches.
import math
import sys
import time

import torch

LOG2PI = 1.8378770664093454836
NAMES = ["K0", "b0", "K1", "b1", "w", "A", "b", "c"]
SZ, SW, SL, SP, SS, SR, SQ, NSTATE = range(8)


def read_dump(path):
    """{name: list of rows} for every 'mat' record, plus 'opts' and 'gmm' header fields."""
    out = {}
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        t = lines[i].split()
        i += 1
        if not t or t[0].startswith("#"):
            continue
        if t[0] == "opts":
            out["opts"] = t[1:]
        elif t[0] == "gmm":
            out["gmm"] = (int(t[1]), int(t[2]))
        elif t[0] == "mat":
            r, c = int(t[2]), int(t[3])
            out[t[1]] = [[float(v) for v in lines[i + k].split()] for k in range(r)]
            if any(len(row) != c for row in out[t[1]]):
                raise SystemExit("%s: record %s is not %d x %d" % (path, t[1], r, c))
            i += r
        else:
            raise SystemExit("%s: unknown record '%s'" % (path, t[0]))
    return out


def logcosh(a):
    # log cosh x = |x| + log(1 + e^{-2|x|}) - log 2, as nn/ops.c (OT-Flow's antiderivTanh without the log 2)
    ax = torch.abs(a)
    return ax + torch.log1p(torch.exp(-2 * ax)) - math.log(2)


class Model:
    def __init__(s, D, dtype):
        o = D["opts"]
        s.d, s.B, s.NB, s.m, s.r, s.steps = (int(v) for v in o[:6])
        s.alpha, s.gamma1, s.gamma2, s.lr = (float(v) for v in o[6:10])
        s.target = o[10]
        s.dtype = dtype
        s.P = {k: torch.tensor(D["init.phi." + k], dtype=dtype, requires_grad=True) for k in NAMES}
        if s.target == "gmm":
            s.k, s.full = D["gmm"]
            s.mu = torch.tensor(D["gmm.mu"], dtype=dtype)
            s.linv = torch.tensor(D["gmm.linv"], dtype=dtype)
            s.lnorm = [row for row in D["gmm.lnorm"]][0]

    # Phi, grad_x Phi, tr Hess_x Phi at the rows of s (swfr_phi: OT-Flow eq. 12-19 in closed form)
    def phi(s, S, want_lap):
        P, d = s.P, s.d
        K0, b0, K1, b1, w, A, b, c = (P[k] for k in NAMES)
        n = S.shape[0]
        a0 = S @ K0.t() + b0
        u0 = logcosh(a0)
        a1 = u0 @ K1.t() + b1
        u1 = u0 + logcosh(a1)
        As = S @ A.t()
        f = u1 @ w.t() + 0.5 * (As * As).sum(1, keepdim=True)
        f = f + S @ b.t()
        phi = f + c.expand(n, 1)
        t0, t1 = torch.tanh(a0), torch.tanh(a1)
        z1 = (t1 * w) @ K1 + w
        Kx, Ax = K0[:, :d], A[:, :d]
        grad = ((t0 * z1) @ Kx + As @ Ax) + b[:, :d]
        if not want_lap:
            return phi, grad, None
        d0 = -1 * (t0 * t0) + 1
        d1 = -1 * (t1 * t1) + 1
        tr = (d0 * z1) @ (Kx * Kx).sum(1, keepdim=True)
        acc = None
        for j in range(d):
            kj = Kx[:, j:j + 1].t()
            KJ = (t0 * kj) @ K1.t()
            KJ = KJ * KJ
            acc = KJ if acc is None else acc + KJ
        tr = tr + ((d1 * w) * acc).sum(1, keepdim=True)
        lap = tr + (Ax * Ax).sum().expand(n, 1)
        return phi, grad, lap

    # the right-hand side of (4.9) (ode_rhs): NULL entries of y are None
    def rhs(s, t, y, gw0):
        z, w = y[SZ], y[SW]
        n = z.shape[0]
        tc = torch.full((n, 1), t, dtype=s.dtype)
        phi, grad, lap = s.phi(torch.cat([z, tc], 1), y[SL] is not None)
        ia = 1 / s.alpha
        wphi = (w * phi).sum()
        bar = wphi * w.sum() ** -1
        dev = phi - bar.expand(n, 1)
        dy = [None] * NSTATE
        dy[SZ] = -1 * grad
        dy[SW] = -ia * (dev * w)
        if y[SL] is not None:
            dy[SL] = -1 * lap
        if y[SP] is not None:
            dy[SP] = phi
        g2 = (grad * grad).sum(1, keepdim=True) if y[SS] is not None or y[SR] is not None else None
        if y[SS] is not None:
            dy[SS] = w * (g2 + ia * (dev * dev))
        if y[SR] is not None:
            u = grad * w - gw0
            dy[SR] = w * (u * u).sum(1, keepdim=True)
        if y[SQ] is not None:
            dy[SQ] = bar
        return dy

    # classical RK4 from t0 to t1 in steps equal steps (swfr_rk4; a + k b written as in its axpy)
    def rk4(s, y, t0, t1, gw0):
        h = (t1 - t0) / s.steps
        ax = lambda a, k, b: a if b is None else a + k * b
        for st in range(s.steps):
            t = t0 + st * h
            k1 = s.rhs(t, y, gw0)
            stage = lambda k, kq: [None if y[q] is None else ax(y[q], k, kq[q]) for q in range(NSTATE)]
            k2 = s.rhs(t + h / 2, stage(h / 2, k1), gw0)
            k3 = s.rhs(t + h / 2, stage(h / 2, k2), gw0)
            k4 = s.rhs(t + h, stage(h, k3), gw0)
            for q in range(NSTATE):
                if y[q] is not None:
                    sm = ax(ax(ax(k1[q], 2, k2[q]), 2, k3[q]), 1, k4[q])
                    y[q] = ax(y[q], h / 6, sm)
        return y

    def logp(s, z):
        n, d = z.shape
        if s.target == "gauss":
            return -0.5 * (z * z).sum(1, keepdim=True) + (-0.5 * d * LOG2PI)
        cols = []
        for c in range(s.k):
            df = z - s.mu[c:c + 1].expand(n, d)
            if s.full:
                y = df @ s.linv[c].reshape(d, d).t()
            else:
                y = df * s.linv[c:c + 1]
            cols.append(-0.5 * (y * y).sum(1, keepdim=True) + s.lnorm[c])
        cat = torch.cat(cols, 1)
        if s.k == 1:
            return cat
        mx = cat.detach().max(1, keepdim=True).values
        mx = torch.where(torch.isfinite(mx), mx, torch.zeros_like(mx))
        ex = torch.exp(cat - mx.expand(n, s.k))
        return torch.log(ex.sum(1, keepdim=True)) + mx

    # J of one iteration on the minibatch xb (rho0 particles) and yb (rho1 draws), equal weights
    def cost(s, xb, yb):
        k, kb = xb.shape[0], yb.shape[0]
        ia = 1 / s.alpha
        wb = torch.ones(k, 1, dtype=s.dtype)
        vb = torch.ones(kb, 1, dtype=s.dtype)
        _, grad0, _ = s.phi(torch.cat([xb, torch.zeros(k, 1, dtype=s.dtype)], 1), False)
        gw0 = grad0 * wb
        zero = torch.zeros(k, 1, dtype=s.dtype)
        st = [xb, wb, zero, zero, zero, zero, None]
        st = s.rk4(st, 0.0, 1.0, gw0)
        bt = [yb, vb, None, None, None, None, torch.zeros(1, 1, dtype=s.dtype)[0, 0]]
        bt = s.rk4(bt, 1.0, 0.0, gw0)
        hat = -1 * bt[SQ]
        lp = s.logp(st[SZ])
        kl = -1 * (st[SL] + lp) + (-ia) * st[SP]
        kl = (1 / k) * (wb * kl).sum() + ia * hat
        js = (0.5 / k) * st[SS].sum()
        jr = (1 / k) * st[SR].sum()
        J = kl + (s.gamma1 * js + s.gamma2 * jr)
        return J, kl, js, jr


def check(D):
    torch.set_num_threads(1)
    M = Model(D, torch.float64)
    x = torch.tensor(D["x"][:M.B], dtype=torch.float64)
    y = torch.tensor(D["y"][:M.NB], dtype=torch.float64)
    opt = torch.optim.Adam([M.P[k] for k in NAMES], lr=M.lr)
    opt.zero_grad()
    J, kl, js, jr = M.cost(x, y)
    J.backward()
    ref = D["costs"][0]
    worst = 0.0
    for name, v, r in zip(["J", "J_KL", "J_SWFR", "J_R"], [J, kl, js, jr], ref):
        e = abs(v.item() - r) / max(abs(r), 1e-300)
        worst = max(worst, e)
        print("%-7s scuot %.17g torch %.17g rel.err %.2e" % (name, r, v.item(), e))
    # gradients: errors over the largest entry of all of scuot's gradients (the gradients in c and in the
    # t column of b are zero in exact arithmetic -- a constant in Phi cancels in J -- and hold rounding noise)
    refs = {k: torch.tensor(D["grad.phi." + k], dtype=torch.float64) for k in NAMES}
    scale = max(r.abs().max().item() for r in refs.values())
    gerr = 0.0
    for k in NAMES:
        e = (M.P[k].grad - refs[k]).abs().max().item() / scale
        gerr = max(gerr, e)
        print("grad %-3s max |torch - scuot| %.2e (largest entry %.3g)"
              % (k, e * scale, refs[k].abs().max().item()))
    opt.step()
    # the Adam step: errors over the learning rate (the size of a first step), on the entries whose gradient
    # is not rounding noise (a first step is lr g / (|g| + eps): for |g| near eps = 1e-8 it follows the noise)
    serr = 0.0
    for k in NAMES:
        r = torch.tensor(D["step.phi." + k], dtype=torch.float64)
        keep = refs[k].abs() > 1e-6 * scale
        if keep.any():
            serr = max(serr, (M.P[k].detach() - r)[keep].abs().max().item() / M.lr)
    print("parameters after the Adam step: max |torch - scuot| / lr %.2e (entries of gradient above 1e-6 "
          "of the largest)" % serr)
    print("max relative error: costs %.2e, gradients %.2e (of the largest gradient entry), Adam step %.2e "
          "(of lr)" % (worst, gerr, serr))
    ok = worst <= 1e-10 and gerr <= 1e-10 and serr <= 1e-10
    print("check %s (tolerance 1e-10 on each)" % ("passed" if ok else "FAILED"))
    return 0 if ok else 1


def median(v):
    v = sorted(v)
    return v[len(v) // 2] if len(v) % 2 else 0.5 * (v[len(v) // 2 - 1] + v[len(v) // 2])


def bench(D, iters, repeats, dtype, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    M = Model(D, dtype)
    xp = torch.tensor(D["x"], dtype=dtype)
    yp = torch.tensor(D["y"], dtype=dtype)
    opt = torch.optim.Adam([M.P[k] for k in NAMES], lr=M.lr)

    def step():
        # minibatches as swfr_train draws them: B of the source pool, and NB draws of rho1 (N(0, I) draws, or
        # NB of the target pool when rho1 is the fitted mixture)
        xb = xp[torch.randperm(xp.shape[0])[:M.B]]
        if M.target == "gauss":
            yb = torch.randn(M.NB, M.d, dtype=dtype)
        else:
            yb = yp[torch.randperm(yp.shape[0])[:M.NB]]
        opt.zero_grad()
        J = M.cost(xb, yb)[0]
        J.backward()
        opt.step()
        return J.item()

    for _ in range(3):
        step()
    times, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        for _ in range(iters):
            last = step()
        times.append(1000 * (time.perf_counter() - t) / iters)
        cpu.append(1000 * (time.process_time() - c) / iters)
    print("%.4f %.4f %.4f %.4f %.10g" % (median(times), min(times), max(times), median(cpu), last))
    return 0


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[1] == "check":
        return check(read_dump(a[0]))
    if len(a) == 6 and a[1] == "time":
        dt = {"float64": torch.float64, "float32": torch.float32}[a[4]]
        return bench(read_dump(a[0]), int(a[2]), int(a[3]), dt, int(a[5]))
    sys.stderr.write("usage: swfr_torch.py DUMP check | DUMP time ITERS REPEATS float64|float32 THREADS\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
