#!/usr/bin/python3
# uotreport.py -- the markdown section of tests/bench/ot/uot.sh from its results folder (key=value outputs,
# /usr/bin/time -v logs): wall time, iterations, time per iteration, peak RSS, the memory-bandwidth bound.
import os
import re
import sys

import numpy as np

BW = 35e9  # bytes/s: measured streaming bandwidth of the benchmark machine (STREAM-like triad)
R = sys.argv[1]


def kv(name):
    p = os.path.join(R, name + ".txt")
    if not os.path.exists(p):
        return None
    out = {}
    for line in open(p):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            out[k] = v
    err = os.path.join(R, name + ".err")
    if os.path.exists(err):
        txt = open(err).read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt)
        if m:
            out["time_rss_mb"] = "%.1f" % (int(m.group(1)) / 1e3)
        m = re.search(r"kernel \d+ x \d+ (stored as \w+|recomputed on the fly)", txt)
        if m:
            out["mode"] = m.group(1)
    return out


def rel(a, b):
    x, y = np.loadtxt(os.path.join(R, a)), np.loadtxt(os.path.join(R, b))
    return np.abs(x - y).max() / np.abs(y).max()


setup = dict(kv_.split("=") for kv_ in open(os.path.join(R, "setup.txt")).read().split())
n, iters = int(setup["n"]), int(setup["iters"])
print("## Unbalanced Sinkhorn: scuot vs POT vs Waddington-OT\n")
print("Inputs: %d x %d points in %s dimensions (two drifting Gaussian mixtures, seeded), masses 1/n and 1/m, "
      "squared Euclidean cost divided by its median, epsilon %s, lambda1 %s, lambda2 %s, %s threads "
      "(OMP_NUM_THREADS = OPENBLAS_NUM_THREADS). Load average before / after: %s / %s.\n"
      % (n, n, setup["d"], setup["eps"], setup["lambda1"], setup["lambda2"], setup["threads"],
         open(os.path.join(R, "load_before.txt")).read().split()[0],
         open(os.path.join(R, "load_after.txt")).read().split()[0]))
print("Stopping rule: every tool runs exactly %d scaling iterations at the target epsilon, without epsilon "
      "scaling (scuot tol 0 and epsilon0 0; POT stopThr 0; Waddington-OT epsilon0 = epsilon), so each does "
      "the "
      "same work; the marginals of the results are compared. Wall time includes the cost matrix (and, for "
      "scuot, the kernel build); time per iteration for scuot is (wall(%d) - wall(1)) / (%d - 1), for the "
      "Python tools the solver's time / iterations. Bandwidth bound = kernel bytes read per iteration / "
      "35 GB/s: scuot reads the kernel once per iteration (8 or 4 bytes per entry), POT and Waddington-OT "
      "twice (K v and "
      "K^T u, 8 bytes). The Python tools compute their own median (timed) but divide the cost by scuot's "
      "(sampled over 2^18 entries above that size) so that all solve the same problem.\n"
      % (iters, iters, iters))
rows = []
d1, f1 = kv("scuot_double1"), kv("scuot_float1")
nm = float(n) * n


def add(label, name, passes, bytes_, per_iter, note):
    r = kv(name)
    if r is None:
        return
    bound = passes * bytes_ * nm / BW
    rss = r.get("time_rss_mb", r.get("peak_rss_mb"))
    rows.append((label, r.get("mode", "-"), float(r["wall"]), int(r["iterations"]), per_iter(r), bound,
                 float(rss), note(r)))


def scuot_iter(one):
    return lambda r: (float(r["wall"]) - float(one["wall"])) / max(int(r["iterations"]) - 1, 1)


def py_iter(r):
    return float(r["solve_seconds"]) / int(r["iterations"])


add("scuot uot, double kernel", "scuot_double", 1, 8, scuot_iter(d1), lambda r: "reference")
add("scuot uot, float kernel", "scuot_float", 1, 4, scuot_iter(f1),
    lambda r: "marginals vs double: %.1e" % max(rel("scuot_float.rows", "scuot_double.rows"),
                                                 rel("scuot_float.cols", "scuot_double.cols")))
if kv("pot"):
    add("scuot uot, double, lambda2 = lambda1", "scuot_double_pot", 1, 8, scuot_iter(d1),
        lambda r: "as POT's problem")
    add("scuot uot, float, lambda2 = lambda1", "scuot_float_pot", 1, 4, scuot_iter(f1),
        lambda r: "as POT's problem; marginals vs double: %.1e"
        % max(rel("scuot_float_pot.rows", "scuot_double_pot.rows"),
              rel("scuot_float_pot.cols", "scuot_double_pot.cols")))
    add("POT %s sinkhorn_unbalanced" % kv("pot").get("version", ""), "pot", 2, 8, py_iter,
        lambda r: "marginals vs scuot: %.1e" % max(rel("pot.rows", "scuot_double_pot.rows"),
                                                   rel("pot.cols", "scuot_double_pot.cols")))
if kv("wot"):
    add("Waddington-OT transport_stablev2", "wot", 2, 8, py_iter,
        lambda r: "marginals vs scuot: %.1e" % max(rel("wot.rows", "scuot_double.rows"),
                                                   rel("wot.cols", "scuot_double.cols")))
print("| run | kernel | wall s | iterations | ms / iteration | bandwidth bound ms / iteration | "
      "peak RSS MB | notes |")
print("|---|---|---|---|---|---|---|---|")
for lab, mode, wall, it, pit, bound, rss, note in rows:
    print("| %s | %s | %.2f | %d | %.2f | %.2f | %.0f | %s |"
          % (lab, mode, wall, it, pit * 1e3, bound * 1e3, rss, note))
if not kv("wot"):
    p = os.path.join(R, "wot.skipped")
    print("| Waddington-OT transport_stablev2 | - | - | - | - | - | - | not run: %s |"
          % (open(p).read().strip() if os.path.exists(p) else "missing"))
print()
pot, sd, sf = kv("pot"), kv("scuot_double_pot"), kv("scuot_float")
if pot and sd:
    print("Speed-up over POT (wall, same problem): double kernel %.2fx, float kernel %.2fx (float runs "
          "lambda2 = %s). Peak RSS: POT %.0f MB, scuot double %.0f MB, float %.0f MB.\n"
          % (float(pot["wall"]) / float(sd["wall"]), float(pot["wall"]) / float(sf["wall"]), setup["lambda2"],
             float(pot.get("time_rss_mb", pot["peak_rss_mb"])),
             float(sd.get("time_rss_mb", sd["peak_rss_mb"])),
             float(sf.get("time_rss_mb", sf["peak_rss_mb"]))))
fp = kv("scuot_float_pot")
if pot and sd and fp:
    pit = py_iter(pot)
    print("Same problem as POT (lambda2 = lambda1): wall speed-up double kernel %.2fx, float kernel %.2fx; "
          "per-iteration speed-up double %.2fx, float %.2fx.\n"
          % (float(pot["wall"]) / float(sd["wall"]), float(pot["wall"]) / float(fp["wall"]),
             pit / scuot_iter(d1)(sd), pit / scuot_iter(f1)(fp)))
dd = kv("scuot_default")
if dd:
    print("scuot with its defaults (epsilon scaling from 1 in 5 steps, tol 1e-6 on the relative "
          "column-marginal error): %.2f s, %s iterations, converged %s, peak RSS %s MB.\n"
          % (float(dd["wall"]), dd["iterations"], dd["converged"], dd.get("time_rss_mb", dd["peak_rss_mb"])))
big = kv("scuot_50k")
if big:
    print("50,000 x 50,000 (30-D), float32 requested, memory budget %s GB (half the physical memory), "
          "defaults otherwise: kernel %s, %.1f s, %s iterations, converged %s, peak RSS %s MB.\n"
          % (big["max_memory_gb"], big.get("mode", "?"), float(big["wall"]), big["iterations"],
             big["converged"], big.get("time_rss_mb", big["peak_rss_mb"])))
