#!/usr/bin/python3
"""gen.py -- make the inputs of the ingest benchmark: a sparse h5ad written by anndata and a 10x
Matrix Market directory, with random counts at a given density, plus a cell_days.tsv.

Usage: /usr/bin/python3 gen.py OUTDIR [--cells N] [--genes G] [--density P] [--mtx-cells N] [--seed S]
"""
import argparse, gzip, os, sys
import numpy as np
import scipy.sparse as sp


def random_csr(n, g, density, rng):
    # per-row Poisson number of nonzeros around density * g, columns sampled without replacement
    nnz_row = rng.binomial(g, density, size=n).astype(np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(nnz_row, out=indptr[1:])
    indices = np.empty(indptr[-1], dtype=np.int32)
    block = 2000
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        # random keys per (row, gene) then take the k smallest: vectorised sampling without replacement
        keys = rng.random((hi - lo, g), dtype=np.float32)
        for i in range(lo, hi):
            k = nnz_row[i]
            idx = np.argpartition(keys[i - lo], k)[:k] if k < g else np.arange(g)
            idx.sort()
            indices[indptr[i]:indptr[i + 1]] = idx
    data = (rng.geometric(0.5, size=indptr[-1])).astype(np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(n, g))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--cells", type=int, default=100000)
    ap.add_argument("--genes", type=int, default=20000)
    ap.add_argument("--density", type=float, default=0.05)
    ap.add_argument("--mtx-cells", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mtx-only", action="store_true",
                    help="write only the 10x directory (all --cells cells), gzip-compressed as Cell Ranger does")
    a = ap.parse_args()
    if a.mtx_only:
        return write_tenx_only(a)
    import anndata
    import pandas as pd
    os.makedirs(a.outdir, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    X = random_csr(a.cells, a.genes, a.density, rng)
    cells = [f"c{i:07d}" for i in range(a.cells)]
    genes = [f"g{j:05d}" for j in range(a.genes)]
    days = rng.integers(0, 5, size=a.cells) * 2
    obs = pd.DataFrame({"day": days.astype(float)}, index=cells)
    var = pd.DataFrame(index=genes)
    anndata.AnnData(X=X, obs=obs, var=var).write_h5ad(os.path.join(a.outdir, "bench.h5ad"))
    with open(os.path.join(a.outdir, "cell_days.tsv"), "w") as f:
        f.write("id\tday\n")
        f.writelines(f"{c}\t{d}\n" for c, d in zip(cells, days))
    # 10x directory of the first mtx_cells cells: genes x cells, sorted by cell (as Cell Ranger)
    d10 = os.path.join(a.outdir, "tenx")
    os.makedirs(d10, exist_ok=True)
    m = X[: a.mtx_cells].tocoo()
    order = np.lexsort((m.col, m.row))
    with open(os.path.join(d10, "matrix.mtx"), "w") as f:
        f.write("%%MatrixMarket matrix coordinate integer general\n")
        f.write(f"{a.genes} {a.mtx_cells} {m.nnz}\n")
        chunk = 5_000_000
        for lo in range(0, m.nnz, chunk):
            o = order[lo:lo + chunk]
            block = np.column_stack((m.col[o] + 1, m.row[o] + 1, m.data[o].astype(np.int64)))
            np.savetxt(f, block, fmt="%d")
    with open(os.path.join(d10, "features.tsv"), "w") as f:
        f.writelines(f"{g}\t{g}\tGene Expression\n" for g in genes)
    with open(os.path.join(d10, "barcodes.tsv"), "w") as f:
        f.writelines(f"{c}\n" for c in cells[: a.mtx_cells])
    print(f"gen.py: {a.cells} x {a.genes} h5ad with {X.nnz} nonzeros; 10x dir {a.mtx_cells} cells, {m.nnz} nonzeros",
          file=sys.stderr)


def write_tenx_only(a):
    """A Cell Ranger-like directory: matrix.mtx.gz (genes x cells, sorted by cell), features, barcodes."""
    rng = np.random.default_rng(a.seed)
    d10 = os.path.join(a.outdir, "tenx_large")
    os.makedirs(d10, exist_ok=True)
    nnz_total = 0
    block = 5000
    # first pass: per-cell nonzero counts, so the size line can be written first
    counts = rng.binomial(a.genes, a.density, size=a.cells)
    nnz_total = int(counts.sum())
    with gzip.open(os.path.join(d10, "matrix.mtx.gz"), "wt", compresslevel=1) as f:
        f.write("%%MatrixMarket matrix coordinate integer general\n")
        f.write(f"{a.genes} {a.cells} {nnz_total}\n")
        for lo in range(0, a.cells, block):
            hi = min(a.cells, lo + block)
            rows, cols = [], []
            for i in range(lo, hi):
                g = np.sort(rng.choice(a.genes, size=counts[i], replace=False))
                rows.append(g + 1)
                cols.append(np.full(counts[i], i + 1))
            r = np.concatenate(rows)
            c = np.concatenate(cols)
            v = rng.geometric(0.5, size=r.size)
            np.savetxt(f, np.column_stack((r, c, v)), fmt="%d")
    with gzip.open(os.path.join(d10, "features.tsv.gz"), "wt") as f:
        f.writelines(f"g{j:05d}\tG{j:05d}\tGene Expression\n" for j in range(a.genes))
    with gzip.open(os.path.join(d10, "barcodes.tsv.gz"), "wt") as f:
        f.writelines(f"c{i:07d}-1\n" for i in range(a.cells))
    print(f"gen.py: 10x directory {a.cells} cells x {a.genes} genes, {nnz_total} nonzeros", file=sys.stderr)


if __name__ == "__main__":
    main()
