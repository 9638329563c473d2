#!/usr/bin/python3
# rank_check.py -- checks scuot-rank's tables against numpy/scipy on the same files: ranks and percentiles of
# the scaling factors, the top group, Welch t and Wilcoxon (mannwhitneyu, tie-corrected, no continuity) for
# every gene of norm.h5ad, Benjamini-Hochberg, and the Spearman matrix.
# Usage: rank_check.py RESULT.h5 norm.h5ad cells.tsv genes.tsv spearman.tsv  (first method of the tables)
import csv
import sys

import anndata
import h5py
import numpy as np
from scipy import stats

res, norm, cells_tsv, genes_tsv, cmp_tsv = sys.argv[1:6]
bad = []


def check(what, got, want, rtol, atol):
    got, want = np.asarray(got, float), np.asarray(want, float)
    err = np.abs(got - want) - (atol + rtol * np.abs(want))
    ok = (err <= 0) | (np.isinf(want) & (got == want)) | (np.isnan(want) & np.isnan(got))
    if not ok.all():
        i = int(np.argmax(np.where(ok, -np.inf, err)))
        bad.append("%s: %d of %d differ, e.g. #%d got %r expected %r" % (what, (~ok).sum(), ok.size, i,
                                                                           got.flat[i], want.flat[i]))


with h5py.File(res, "r") as f:
    method = f.attrs["method"]
    method = method.decode() if isinstance(method, bytes) else str(method)
    ids = [s.decode() if isinstance(s, bytes) else s for s in f["problem/source_ids"][()]]
    scaling = f["marginals/scaling"][()]
rows = [r for r in csv.DictReader(open(cells_tsv), delimiter="\t") if r["method"] == method]
check("cell order", [r["cell"] == i for i, r in zip(ids, rows)], np.ones(len(ids)), 0, 0)
check("scaling", [float(r["scaling"]) for r in rows], scaling, 1e-9, 0)
want_rank = stats.rankdata(-scaling, method="min")
check("rank", [int(r["rank"]) for r in rows], want_rank, 0, 0)
n = len(ids)
check("percentile", [float(r["percentile"]) for r in rows], 100 * (n - want_rank) / (n - 1), 0, 1e-4)
top = np.array([r["top"] == "1" for r in rows])
k = int(np.ceil(0.1 * n - 1e-9))
check("top group size", [top.sum()], [k], 0, 0)
check("top group = largest scaling", [scaling[top].min() >= scaling[~top].max()], [1], 0, 0)
if "lineage" in rows[0]:
    ad = anndata.read_h5ad(norm, backed="r")
    lin = ad.obs["lineage"].astype(str).reindex(ids)
    check("lineage passed through", [r["lineage"] == l for r, l in zip(rows, lin)], np.ones(n), 0, 0)

ad = anndata.read_h5ad(norm)
pos = {c: i for i, c in enumerate(ad.obs_names)}
X = ad.X.toarray() if hasattr(ad.X, "toarray") else np.asarray(ad.X)
X = X[[pos[c] for c in ids]]
X = X.astype(np.float32).astype(np.float64)
genes = {r["gene"]: r for r in csv.DictReader(open(genes_tsv), delimiter="\t") if r["method"] == method}
check("one row per gene", [len(genes)], [X.shape[1]], 0, 0)
a, b = X[top], X[~top]
tt = stats.ttest_ind(a, b, equal_var=False)
ptp_a, ptp_b = np.ptp(a, axis=0), np.ptp(b, axis=0)
keep = (ptp_a > 0) | (ptp_b > 0)  # scipy's t is rounding noise when both groups are constant
mw = [stats.mannwhitneyu(a[:, g], b[:, g], use_continuity=False, alternative="two-sided", method="asymptotic")
      if np.ptp(X[:, g]) > 0 else (len(a) * len(b) / 2.0, 1.0) for g in range(X.shape[1])]
names = list(ad.var_names)
got = lambda col: np.array([float(genes[g][col]) for g in names])
check("mean_top", got("mean_top"), a.mean(0), 1e-5, 1e-6)
check("det_rest", got("det_rest"), (b != 0).mean(0), 0, 1e-6)
check("log2fc", got("log2fc"), np.log2((np.expm1(a).mean(0) + 1e-9) / (np.expm1(b).mean(0) + 1e-9)), 1e-5, 1e-5)
check("welch t", got("t")[keep], tt.statistic[keep], 1e-5, 1e-8)
check("welch p", got("t_p")[keep], tt.pvalue[keep], 1e-4, 1e-12)
check("wilcoxon U", got("wilcoxon_u"), [m[0] for m in mw], 1e-9, 1e-6)
wp = np.array([m[1] for m in mw])
check("wilcoxon p", got("wilcoxon_p"), wp, 1e-4, 1e-14)
order = np.argsort(wp, kind="stable")
q = np.minimum.accumulate((wp[order] * len(wp) / np.arange(1, len(wp) + 1))[::-1])[::-1]
qq = np.empty_like(q)
qq[order] = np.minimum(q, 1)
check("wilcoxon BH", got("wilcoxon_fdr"), qq, 1e-4, 1e-14)
z = [float(genes[g]["wilcoxon_z"]) for g in (r["gene"] for r in csv.DictReader(open(genes_tsv), delimiter="\t")
                                              if r["method"] == method)]
check("sorted by z", [all(z[i] >= z[i + 1] for i in range(len(z) - 1))], [1], 0, 0)

cm = list(csv.reader(open(cmp_tsv), delimiter="\t"))
meths = cm[0][1:]
check("spearman diagonal", [float(cm[i + 1][i + 1]) for i in range(len(meths))], np.ones(len(meths)), 0, 1e-6)
if bad:
    print("\n".join(bad))
    sys.exit(1)
print("%d genes, %d cells, top %d" % (X.shape[1], n, k))
