#!/usr/bin/python3
# uotbench.py -- the Python side of tests/bench/ot/uot.sh: generate the point clouds, and run POT's
# ot.unbalanced.sinkhorn_unbalanced or Waddington-OT's transport_stablev2 on them, printing key=value lines.
#   uotbench.py gen DIR N M D SEED
#   uotbench.py pot DIR N M D EPS LAMBDA ITERS OUT_PREFIX
#   uotbench.py wot DIR N M D EPS LAMBDA1 LAMBDA2 ITERS OUT_PREFIX WOT_SRC
# Problem (all tools): masses a = 1/n, b = 1/m, cost |x - y|^2 / median, entropy relative to 1/(n m) (which is
# Waddington-OT's dx dy; POT's is relative to 1, so POT gets the cost M + eps log(n m), the same minimiser).
import importlib.util
import os
import resource
import sys
import time

import numpy as np


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def load(d, n, m, dim):
    x = np.fromfile(os.path.join(d, "x.bin"), dtype=np.float64).reshape(n, dim)
    y = np.fromfile(os.path.join(d, "y.bin"), dtype=np.float64).reshape(m, dim)
    return x, y


def sqdist_median(x, y):
    # the cost each tool's users compute: squared Euclidean by BLAS, divided by its median
    M = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2 * x @ y.T
    np.maximum(M, 0, out=M)
    med = np.median(M)
    scale = float(os.environ.get("COST_SCALE") or med)  # scuot's (sampled) median when given, see uot.sh
    M /= scale
    return M


def blas_info():
    try:
        import threadpoolctl
        info = threadpoolctl.threadpool_info()
        return ";".join("%s:%s:%s" % (i.get("internal_api"), os.path.basename(i.get("filepath", "")),
                                      i.get("num_threads")) for i in info)
    except Exception as e:  # threadpoolctl missing
        return "unknown (%s)" % e


def save(prefix, pi):
    np.savetxt(prefix + ".rows", pi.sum(1), fmt="%.17g")
    np.savetxt(prefix + ".cols", pi.sum(0), fmt="%.17g")


def main():
    mode = sys.argv[1]
    d = sys.argv[2]
    n, m, dim = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    if mode == "gen":
        rng = np.random.RandomState(int(sys.argv[6]))
        os.makedirs(d, exist_ok=True)
        # two time points: a 6-component mixture that drifts and changes proportions (growth)
        centres = rng.randn(6, dim) * 2.0
        drift = rng.randn(6, dim) * 0.5
        px = np.array([0.3, 0.2, 0.2, 0.1, 0.1, 0.1])
        py = np.array([0.1, 0.3, 0.2, 0.2, 0.1, 0.1])
        kx = rng.choice(6, n, p=px)
        ky = rng.choice(6, m, p=py)
        x = centres[kx] + rng.randn(n, dim)
        y = centres[ky] + drift[ky] + rng.randn(m, dim)
        x.astype(np.float64).tofile(os.path.join(d, "x.bin"))
        y.astype(np.float64).tofile(os.path.join(d, "y.bin"))
        return
    x, y = load(d, n, m, dim)
    print("threads_blas=%s" % blas_info())
    t0 = time.time()
    M = sqdist_median(x, y)
    t1 = time.time()
    if mode == "pot":
        import ot
        eps, lam, iters, out = float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8]), sys.argv[9]
        a, b = np.full(n, 1.0 / n), np.full(m, 1.0 / m)
        M += eps * np.log(n * m)
        # stopThr 0: exactly `iters` iterations (POT stops when err < stopThr)
        pi = ot.unbalanced.sinkhorn_unbalanced(a, b, M, eps, lam, method="sinkhorn", numItermax=iters,
                                               stopThr=0.0)
        t2 = time.time()
        print("tool=pot\nversion=%s" % ot.__version__)
    elif mode == "wot":
        eps, l1, l2, iters, out, src = (float(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8]),
                                        int(sys.argv[9]), sys.argv[10], sys.argv[11])
        # `import wot` needs statsmodels and more (wot/__init__ imports every submodule); the solver file
        # itself needs numpy only, so it is loaded by path from the fetched copy
        path = os.path.join(src, "wot", "ot", "optimal_transport.py")
        spec = importlib.util.spec_from_file_location("wot_optimal_transport", path)
        wot_ot = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(wot_ot)
        # Waddington-OT's problem with G = 1 (p = 1, q = 1, dx = 1/n, dy = 1/m) is scuot's with a = 1/n,
        # b = 1/m; epsilon0 = epsilon and inner_iter_max > iters: no epsilon scaling; tau its default 1e4
        tmap = wot_ot.transport_stablev2(C=M, lambda1=l1, lambda2=l2, epsilon=eps, scaling_iter=iters,
                                         G=np.ones(n), tau=1e4, epsilon0=eps, extra_iter=0,
                                         inner_iter_max=iters + 1)
        pi = tmap / n  # tmap = R / m with R the density w.r.t. dx dy; the coupling is R dx dy
        t2 = time.time()
        print("tool=wot")
    else:
        raise SystemExit("unknown mode " + mode)
    save(out, pi)
    print("iterations=%d\ncost_seconds=%.3f\nsolve_seconds=%.3f\nwall=%.3f\nmass=%.10g\npeak_rss_mb=%.1f"
          % (iters, t1 - t0, t2 - t1, t2 - t0, pi.sum(), rss_mb()))


if __name__ == "__main__":
    main()
