#!/usr/bin/python3
# report.py -- the Markdown table of the prep benchmark from the results of run.sh: python3 report.py WORK
import os
import platform
import sys

import numpy as np

work = sys.argv[1]
R = os.path.join(work, "results")
GFLOPS, GBS = 97.0, 35.0  # this machine: dgemm rate and memory stream rate


def kv(name):
    out = {}
    for line in open(os.path.join(R, name + ".txt")):
        k, _, v = line.strip().partition(" ")
        out[k] = v
    return out


def model(name):
    return np.loadtxt(os.path.join(R, name + ".model"), ndmin=2)


def meta(kind):
    return [int(x) for x in open(os.path.join(work, kind, "meta.txt")).read().split()]


def acc(m, ref, top=10):
    """largest relative error of the top singular values, and of their summed squares (captured variance)"""
    s, r = m[:top, 0], ref[:top, 0]
    cap = (m[:, 0] ** 2).sum() / (ref[:, 0] ** 2).sum() - 1
    return np.max(np.abs(s - r) / r), cap


cn, pn = kv("c_norm"), kv("py_norm")
cd, pd_, cs, csc, ps = kv("c_dense"), kv("py_dense"), kv("c_sparse"), kv("c_sparse_centred"), kv("py_sparse")
same_hvg = open(os.path.join(R, "c_hvg.sel")).read().split() == open(os.path.join(R, "py_hvg.sel")).read().split()
n1, p1, nnz1 = meta("counts")
n2, p2 = meta("dense")
n3, p3, nnz3 = meta("sparse")
rd, rs = model("ref_dense"), model("ref_sparse")
a_cd, a_pd, a_cs, a_ps = acc(model("c_dense"), rd), acc(model("py_dense"), rd), acc(model("c_sparse"), rs), \
    acc(model("py_sparse"), rs)
f = float


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return "%s (%d cores)" % (line.split(":", 1)[1].strip(), os.cpu_count())
    except OSError:
        pass
    return platform.machine()


def cpu(c, p):
    return "%s / %s" % (c.get("cpu_s", "?"), p.get("cpu_s", "?"))


def ratio(a, b):
    return "%.1fx" % (f(b) / f(a))


print("# Benchmark: scuot prep vs numpy/scipy/scikit-learn\n")
print("Made by `tests/bench/prep/run.sh` (inputs from `gen.py`, Python side `pybench.py`, C side `prepbench.c`).")
print("Machine: %s, %s threads for scuot (OpenMP + OpenBLAS); Python BLAS: %s.  Times are compute only"
      % (cpu_model(), cn["threads"], pn["blas"]))
print("(inputs already in memory); peak RSS is the whole process, data included.  Both sides load the same raw")
print("arrays.  scipy's sparse products are single-threaded; numpy's dense products use the same OpenBLAS.\n")
load = [open(os.path.join(R, f)).read().split()[0] for f in ("load_before.txt", "load_after.txt")]
print("The machine (2 cores) is shared with other jobs: its 1-minute load average was %s before and %s after"
      % tuple(load))
print("this run, so wall times carry noise; process CPU seconds (whole process, loading included) are given")
print("beside them.\n")
print("| task | input | scuot s | Python s | speed-up | scuot / Python CPU s | scuot peak MB | Python peak MB "
      "| accuracy |")
print("|---|---|---|---|---|---|---|---|---|")
print("| normalise + log1p + HVG (seurat, 2000) | %d x %d sparse, %.1f%% nonzero | %s | %s | %s | %s | %s | %s | HVG "
      "selection identical: %s |" % (n1, p1, 100.0 * nnz1 / n1 / p1, cn["total_s"], pn["total_s"],
                                     ratio(cn["total_s"], pn["total_s"]), cpu(cn, pn), cn["peak_rss_mb"],
                                     pn["peak_rss_mb"],
                                     "yes" if same_hvg else "NO"))
print("| PCA %d comps, randomised, 7 power iterations (sklearn PCA svd_solver='randomized') | %d x %d dense | %s | "
      "%s | %s | %s | %s | %s | top-10 s rel. err. %.1e vs %.1e; captured variance %+.1e vs %+.1e |"
      % (50, n2, p2, cd["total_s"], pd_["total_s"], ratio(cd["total_s"], pd_["total_s"]), cpu(cd, pd_),
         cd["peak_rss_mb"],
         pd_["peak_rss_mb"], a_cd[0], a_pd[0], a_cd[1], a_pd[1]))
print("| truncated SVD %d comps, 5 power iterations (sklearn TruncatedSVD) | %d x %d sparse, %.1f%% nonzero | %s | "
      "%s | %s | %s | %s | %s | top-10 s rel. err. %.1e vs %.1e; captured variance %+.1e vs %+.1e |"
      % (50, n3, p3, 100.0 * nnz3 / n3 / p3, cs["total_s"], ps["total_s"], ratio(cs["total_s"], ps["total_s"]),
         cpu(cs, ps), cs["peak_rss_mb"], ps["peak_rss_mb"], a_cs[0], a_ps[0], a_cs[1], a_ps[1]))
print("| PCA %d comps (implicit centring), 5 power iterations | same sparse | %s | - | - | %s / - | %s | - | - |"
      % (50, csc["total_s"], csc["cpu_s"], csc["peak_rss_mb"]))
print("\nAccuracy: relative error of the top 10 singular values against an exact reference (dense: eigenvalues of")
print("the centred covariance; sparse: scipy ARPACK `svds`), and the relative difference of the variance captured")
print("by all 50 components (negative: less than the exact top 50).  scuot first, scikit-learn second.\n")
print("## Hot loops and their bounds\n")
print("Bounds from this machine's dgemm rate (%g GFLOP/s) and memory stream rate (%g GB/s).\n" % (GFLOPS, GBS))
print("| loop | scuot s | bound s | what bounds it |")
print("|---|---|---|---|")
nb = 3 * 4 * nnz1 + 8 * n1
print("| normalise + log1p (row sums, scale) | %s | %.3f | %.2f GB: values read twice, written once |"
      % (cn["normalize_s"], nb / GBS / 1e9, nb / 1e9))
hb = 8 * nnz1
print("| HVG column statistics (expm1, sums of x and x^2) | %s | %.3f | %.2f GB: indices and values read once |"
      % (cn["hvg_s"], hb / GBS / 1e9, hb / 1e9))
passes = 2 * (5 + 1)
l = 60
flop = 2.0 * nnz3 * l
mem = 8.0 * nnz3
per = f(cs["fit_s"]) / passes
print("| sparse product X Q or X^T P (l = %d), mean of %d passes | %.3f | %.3f | %.2f GFLOP at dgemm rate; %.2f GB "
      "streamed: %.3f s |" % (l, passes, per, max(flop / GFLOPS / 1e9, mem / GBS / 1e9), flop / 1e9, mem / 1e9,
                              mem / GBS / 1e9))
gram = float(n2) * p2 * (p2 + 1)
print("| dense PCA fit: Gram matrix A^T A (dsyrk) + 8 products G Q + Rayleigh-Ritz | %s | %.3f | %.1f GFLOP of "
      "dsyrk at dgemm rate |" % (cd["fit_s"], gram / GFLOPS / 1e9, gram / 1e9))
print("\nThe sparse per-pass time is the fit time divided by the 12 passes (it includes the QR factorisations of")
print("the n x l and p x l sketches).  Its dgemm-rate bound is far off: each stored value gathers or scatters a")
print("480-byte row of the 20,000 x 60 sketch at a random position, so the products run at cache, not dgemm,")
print("speed.  The dense fit iterates on the 2,000 x 2,000 Gram matrix, formed once with dsyrk (n p^2 flops),")
print("instead of 16 products with X; its bound is that dsyrk at the dgemm rate.  Normalisation and the HVG")
print("statistics spend their time in log1p and expm1 (in double, so values match numpy's float64 exactly),")
print("not in memory traffic.")
