#!/usr/bin/python3
# emd_pot.py -- POT side of the EMD benchmark (tests/bench/ot/emd.sh): writes the shared inputs, times
# POT's ot.emd on them, and formats the report.
#   emd_pot.py gen DIR N M D SEED     DIR/meta.txt ("n m d"), DIR/x.bin, DIR/y.bin (float64, row-major)
#   emd_pot.py solve DIR              uniform masses, squared Euclidean cost; prints the same "key value"
#                                     lines as emdbench (solve_seconds: ot.emd alone)
#   emd_pot.py report RESULTS SIZES   markdown section from RESULTS/{c,pot}_N.txt
import os
import resource
import sys
import time

import numpy as np


def gen(d, n, m, dim, seed):
    rng = np.random.default_rng(int(seed))
    n, m, dim = int(n), int(m), int(dim)
    os.makedirs(d, exist_ok=True)
    # two Gaussian clouds with different centres and spreads, like two days of a PCA embedding
    x = rng.normal(size=(n, dim))
    y = rng.normal(size=(m, dim)) * 1.2 + 0.3
    x.astype(np.float64).tofile(os.path.join(d, "x.bin"))
    y.astype(np.float64).tofile(os.path.join(d, "y.bin"))
    with open(os.path.join(d, "meta.txt"), "w") as fp:
        fp.write("%d %d %d\n" % (n, m, dim))


def solve(d):
    import ot
    n, m, dim = (int(v) for v in open(os.path.join(d, "meta.txt")).read().split())
    x = np.fromfile(os.path.join(d, "x.bin")).reshape(n, dim)
    y = np.fromfile(os.path.join(d, "y.bin")).reshape(m, dim)
    a, b = np.full(n, 1.0 / n), np.full(m, 1.0 / m)
    t0 = time.perf_counter()
    M = ot.dist(x, y, metric="sqeuclidean")
    t1 = time.perf_counter()
    G, log = ot.emd(a, b, M, numItermax=10**9, log=True)
    t2 = time.perf_counter()
    print("cost_seconds %.6f" % (t1 - t0))
    print("solve_seconds %.6f" % (t2 - t1))
    print("iterations -1")  # POT 0.8 does not report pivots
    print("nnz %d" % int((G > 0).sum()))
    print("cost %.17g" % float(log["cost"]))
    print("optimal %d" % int(log["warning"] is None))
    print("peak_rss_mb %.1f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0))
    print("pot_version %s" % ot.__version__)


def load(path):
    out = {}
    for line in open(path):
        k, v = line.split()
        out[k] = v
    return out


def report(res, sizes):
    lines = ["## Exact OT (network simplex): scuot vs POT ot.emd", "",
             "| points per side | scuot solve (s) | POT solve (s) | scuot / POT | scuot peak RSS (MB) | "
             "POT peak RSS (MB) | scuot pivots | rel. cost difference |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    pot_version = "?"
    for s in sizes.split():
        c, p = load(os.path.join(res, "c_%s.txt" % s)), load(os.path.join(res, "pot_%s.txt" % s))
        pot_version = p.get("pot_version", "?")
        cc, pc = float(c["cost"]), float(p["cost"])
        ct, pt = float(c["solve_seconds"]), float(p["solve_seconds"])
        lines.append("| %s | %.3f | %.3f | %.2f | %.0f | %.0f | %s | %.1e |" % (
            s, ct, pt, ct / pt, float(c["peak_rss_mb"]), float(p["peak_rss_mb"]), c["iterations"],
            abs(cc - pc) / abs(pc)))
    load_b = open(os.path.join(res, "load_before.txt")).read().split()[:3]
    load_a = open(os.path.join(res, "load_after.txt")).read().split()[:3]
    lines += ["",
              "Method: the same random problems (two Gaussian clouds, 30 dimensions, uniform masses, "
              "squared Euclidean cost, unnormalised), written once by emd_pot.py gen and read by both; "
              "scuot's tests/bench/ot/emdbench (scuot_emd) and POT %s ot.emd (LEMON network simplex) in one "
              "run on the same machine, one thread each (OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1)."
              % pot_version,
              "Times are the solve alone: the cost matrix is built before the clock starts on both sides. "
              "Peak RSS is the whole process (cost matrix included; POT's includes the Python interpreter "
              "and its dense n x m plan). Load average before / after: %s / %s."
              % (" ".join(load_b), " ".join(load_a)),
              ""]
    text = "\n".join(lines)
    print(text)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "gen" and len(sys.argv) == 7:
        gen(*sys.argv[2:])
    elif cmd == "solve" and len(sys.argv) == 3:
        solve(sys.argv[2])
    elif cmd == "report" and len(sys.argv) == 4:
        report(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__ if __doc__ else "usage: emd_pot.py gen|solve|report ...")
