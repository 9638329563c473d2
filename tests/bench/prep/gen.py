#!/usr/bin/python3
# gen.py -- inputs of the prep benchmark, as raw little-endian arrays that the C driver and the
# Python side both load without conversion:  python3 gen.py KIND DIR [n p]
#   counts  n x p sparse counts (default 100000 x 20000, ~7% nonzero): the normalise + HVG input
#   sparse  n x p sparse log1p values with low-rank structure (default 50000 x 20000, ~7% nonzero)
#   dense   n x p dense float64 with a decaying spectrum (default 20000 x 2000)
# A sparse matrix is DIR/meta.txt ("n p nnz"), indptr.bin (int64), indices.bin (int32), data.bin (float32);
# a dense one is DIR/meta.txt ("n p") and dense.bin (float64, row-major).
import os
import sys

import numpy as np

kind, out = sys.argv[1], sys.argv[2]
defaults = {"counts": (100000, 20000), "sparse": (50000, 20000), "dense": (20000, 2000)}
n, p = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else defaults[kind]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(1)

if kind == "dense":
    r = 60
    U = rng.normal(size=(n, r))
    V = np.linalg.qr(rng.normal(size=(p, r)))[0]
    s = 40.0 * np.exp(-np.arange(r) / 12.0)
    with open(os.path.join(out, "dense.bin"), "wb") as f:
        for b in range(0, n, 2000):
            X = (U[b:b + 2000] * s) @ V.T + rng.normal(size=(min(2000, n - b), p))
            f.write(np.ascontiguousarray(X, dtype=np.float64).tobytes())
    with open(os.path.join(out, "meta.txt"), "w") as f:
        f.write("%d %d\n" % (n, p))
    sys.exit(0)

# sparse: Poisson counts with rates exp(cell size + low-rank programs) tuned to ~7% nonzero
r = 10
gene = rng.normal(-3.8, 1.0, p)
V = rng.normal(0, 0.5, (p, r))
indptr = [np.zeros(1, np.int64)]
total = 0
fi = open(os.path.join(out, "indices.bin"), "wb")
fd = open(os.path.join(out, "data.bin"), "wb")
for b in range(0, n, 1000):
    m = min(1000, n - b)
    U = rng.normal(0, 1, (m, r))
    size = rng.normal(0, 0.3, m)
    rate = np.exp(gene[None, :] + size[:, None] + U @ V.T)
    C = rng.poisson(rate).astype(np.float32)
    rows, cols = np.nonzero(C)
    vals = C[rows, cols]
    if kind == "sparse":
        tot = C.sum(1)
        vals = np.log1p(vals / tot[rows] * 1e4).astype(np.float32)
    counts = np.bincount(rows, minlength=m)
    indptr.append(total + np.cumsum(counts))
    total += len(rows)
    fi.write(cols.astype(np.int32).tobytes())
    fd.write(vals.astype(np.float32).tobytes())
fi.close()
fd.close()
np.concatenate(indptr).astype(np.int64).tofile(os.path.join(out, "indptr.bin"))
with open(os.path.join(out, "meta.txt"), "w") as f:
    f.write("%d %d %d\n" % (n, p, total))
print("%s: %d x %d, %d nonzero (%.1f%%)" % (kind, n, p, total, 100.0 * total / n / p), file=sys.stderr)
