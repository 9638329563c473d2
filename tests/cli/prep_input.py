#!/usr/bin/python3
# prep_input.py -- writes the small h5ad inputs of tests/cli/normalize.sh and pca.sh with anndata,
# from the fixture counts in tests/fixtures/prep: python3 prep_input.py FIXTURE_DIR OUT_DIR
import os
import sys

import anndata
import numpy as np
import pandas as pd
import scipy.sparse as sp

fx, out = sys.argv[1], sys.argv[2]
with open(os.path.join(fx, "counts.mtx")) as f:
    n, p, nnz = map(int, f.readline().split())
    t = np.loadtxt(f, dtype=np.int64).reshape(-1, 3)
X = sp.csr_matrix((t[:, 2].astype(np.float32), (t[:, 0], t[:, 1])), shape=(n, p))
cells = pd.read_csv(os.path.join(fx, "cells.tsv"), sep="\t", index_col=0)
genes = [g.strip() for g in open(os.path.join(fx, "genes.tsv"))]


def write(name, X, days=None):
    obs = pd.DataFrame({"day": cells["day"].values.astype(float) if days is None else days},
                       index=list(cells.index))
    a = anndata.AnnData(X=X, obs=obs, var=pd.DataFrame(index=genes))
    a.write_h5ad(os.path.join(out, name))


write("counts.h5ad", X)
Y = X.copy()
Y.data[7] = -3
write("negative.h5ad", Y)
Y = X.copy()
Y.data[7] = np.nan
write("nan.h5ad", Y)
# every cell has the same counts: after normalisation every gene is constant
write("constant.h5ad", sp.csr_matrix(np.tile(np.arange(1, p + 1, dtype=np.float32), (n, 1))))
# the low-count cell 5 alone on day 9
d = cells["day"].values.astype(float).copy()
d[5] = 9
write("loneday.h5ad", X, d)
# log-normalised input with a NaN for scuot-pca
L = X.multiply(1e4 / np.asarray(X.sum(1))).tocsr()
L.data = np.log1p(L.data).astype(np.float32)
L.data[3] = np.nan
write("norm_nan.h5ad", L)
