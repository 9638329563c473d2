#!/usr/bin/python3
# pybench.py -- the numpy/scipy/scikit-learn side of the prep benchmark, same inputs and printed keys
# as prepbench.c:  python3 pybench.py MODE DIR [args] OUT
#   norm DIR OUT                 scanpy's normalize_total + log1p + highly_variable_genes(seurat, 2000)
#                                written with numpy/scipy/pandas as scanpy 1.9 does it
#   pca-dense DIR K OUT          sklearn PCA(K, svd_solver='randomized', random_state=0).fit_transform
#   pca-sparse DIR K ITER OUT    sklearn TruncatedSVD(K, n_iter=ITER, random_state=0).fit_transform
#   ref-dense DIR K OUT          exact singular values (eigenvalues of the centred covariance)
#   ref-sparse DIR K OUT         ARPACK singular values of X (scipy svds), the truncated-SVD reference
import os
import resource
import sys
import time

import numpy as np
import scipy.sparse as sp


def load_csr(d):
    n, p, nnz = map(int, open(os.path.join(d, "meta.txt")).read().split())
    indptr = np.fromfile(os.path.join(d, "indptr.bin"), dtype=np.int64)
    indices = np.fromfile(os.path.join(d, "indices.bin"), dtype=np.int32)
    data = np.fromfile(os.path.join(d, "data.bin"), dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(n, p))


def load_dense(d):
    n, p = map(int, open(os.path.join(d, "meta.txt")).read().split())
    return np.fromfile(os.path.join(d, "dense.bin"), dtype=np.float64).reshape(n, p)


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        for i in threadpool_info():
            if i.get("user_api") == "blas":
                return "%s %s (%s, %d threads)" % (i.get("internal_api"), i.get("version"), i.get("filepath"),
                                                   i.get("num_threads"))
    except ImportError:
        pass
    return "unknown"


def write_model(path, s, var, ratio):
    with open(path, "w") as f:
        for a, b, c in zip(s, var, ratio):
            f.write("%.17g %.17g %.17g\n" % (a, b, c))


mode, d = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
print("blas %s" % blas_info())
if mode == "norm":
    import pandas as pd
    X = load_csr(d)
    print("load_s %.3f" % (time.perf_counter() - t0))
    t1 = time.perf_counter()
    # normalize_total(target_sum=1e4): sparsefuncs.inplace_row_scale, then log1p in place
    counts = np.asarray(X.sum(1)).ravel().astype(np.float64)
    scale = 1e4 / np.where(counts == 0, 1, counts)
    X.data *= np.repeat(scale, np.diff(X.indptr)).astype(np.float32)
    np.log1p(X.data, out=X.data)
    t2 = time.perf_counter()
    # highly_variable_genes(flavor='seurat', n_top_genes=2000)
    E = X.copy()
    E.data = np.expm1(E.data)
    n = E.shape[0]
    mean = np.asarray(E.mean(0)).ravel().astype(np.float64)
    mean_sq = np.asarray(E.multiply(E).mean(0)).ravel().astype(np.float64)
    var = (mean_sq - mean ** 2) * (n / (n - 1))
    del E
    mean[mean == 0] = 1e-12
    disp = var / mean
    disp[disp == 0] = np.nan
    disp = np.log(disp)
    mean = np.log1p(mean)
    df = pd.DataFrame({"means": mean, "dispersions": disp})
    df["mean_bin"] = pd.cut(df["means"], bins=20)
    g = df.groupby("mean_bin")["dispersions"]
    bm, bs = g.mean(), g.std(ddof=1)
    one = bs.isnull()
    bs[one.values] = bm[one.values].values
    bm[one.values] = 0
    norm = (df["dispersions"].values - bm[df["mean_bin"].values].values) / bs[df["mean_bin"].values].values
    valid = np.sort(norm[~np.isnan(norm)])[::-1]
    hv = ~np.isnan(norm) & (norm >= valid[min(2000, len(valid)) - 1])
    t3 = time.perf_counter()
    print("normalize_s %.3f\nhvg_s %.3f\ntotal_s %.3f" % (t2 - t1, t3 - t2, t3 - t1))
    np.savetxt(sys.argv[3], np.nonzero(hv)[0], fmt="%d")
elif mode == "pca-dense":
    from sklearn.decomposition import PCA
    X = load_dense(d)
    print("load_s %.3f" % (time.perf_counter() - t0))
    t1 = time.perf_counter()
    pca = PCA(int(sys.argv[3]), svd_solver="randomized", random_state=0)
    T = pca.fit_transform(X)
    t2 = time.perf_counter()
    print("total_s %.3f" % (t2 - t1))
    write_model(sys.argv[4], pca.singular_values_, pca.explained_variance_, pca.explained_variance_ratio_)
elif mode == "pca-sparse":
    from sklearn.decomposition import TruncatedSVD
    X = load_csr(d)
    print("load_s %.3f" % (time.perf_counter() - t0))
    t1 = time.perf_counter()
    svd = TruncatedSVD(int(sys.argv[3]), n_iter=int(sys.argv[4]), random_state=0)
    T = svd.fit_transform(X)
    t2 = time.perf_counter()
    print("total_s %.3f" % (t2 - t1))
    write_model(sys.argv[5], svd.singular_values_, svd.explained_variance_, svd.explained_variance_ratio_)
elif mode == "ref-dense":
    X = load_dense(d)
    Xc = X - X.mean(0)
    w = np.linalg.eigvalsh(Xc.T @ Xc)[::-1][: int(sys.argv[3])]
    s = np.sqrt(np.maximum(w, 0))
    tot = (Xc ** 2).sum() / (X.shape[0] - 1)
    write_model(sys.argv[4], s, s ** 2 / (X.shape[0] - 1), s ** 2 / (X.shape[0] - 1) / tot)
elif mode == "ref-sparse":
    from scipy.sparse.linalg import svds
    X = load_csr(d).astype(np.float64)
    s = np.sort(svds(X, k=int(sys.argv[3]), return_singular_vectors=False, random_state=0))[::-1]
    write_model(sys.argv[4], s, s * 0, s * 0)
ru = resource.getrusage(resource.RUSAGE_SELF)
print("cpu_s %.3f" % (ru.ru_utime + ru.ru_stime))
print("peak_rss_mb %.1f" % (ru.ru_maxrss / 1e3))
