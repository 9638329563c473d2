# score_input.py -- inputs of tests/cli/score.sh made from a pca.h5ad: predictions (the held-out day
# itself, weighted copies, bad ones) and altered truth files.  Usage: score_input.py PCA.h5ad OUTDIR
import sys

import anndata
import numpy as np
import pandas as pd

pca_path, out = sys.argv[1], sys.argv[2]
a = anndata.read_h5ad(pca_path)
day = a.obs["day"].astype(float).values
X = np.asarray(a.obsm["X_pca"], dtype=np.float64)
rng = np.random.default_rng(5)


def pred(name, x, weight=None, interp=None, key="X_pca"):
    obs = pd.DataFrame(index=["c%d" % i for i in range(x.shape[0])])
    if weight is not None:
        obs["weight"] = weight
    p = anndata.AnnData(obs=obs)
    p.obsm[key] = x
    if interp is not None:
        p.uns["scuot_interpolate"] = interp
    p.write_h5ad("%s/%s.h5ad" % (out, name))


meta = {"method": "self", "t0": 2.0, "t1": 6.0, "at": 4.0}
d4 = X[day == 4]
pred("self", d4, np.ones(len(d4)), meta)
pred("noname", d4[:150])
# the day-4 cells with each cell's mass split unevenly: duplicates carry the weight of a single cell
w = rng.uniform(0.5, 2.0, len(d4))
pred("weighted", np.vstack([d4, d4]), np.concatenate([w, 2.0 - w]) / 2.0, dict(meta, method="weighted"))
pred("dims10", d4[:, :10], None, meta)
bad = np.ones(len(d4))
bad[7] = -1
pred("negative", d4, bad, meta)
bad = np.ones(len(d4))
bad[3] = np.nan
pred("nan_weight", d4, bad, meta)
pred("zero_weight", d4, np.zeros(len(d4)), meta)
pred("other_time", d4, None, dict(meta, at=5.0))
pred("other_key", d4, None, meta, key="X_umap")

# truth with a categorical day holding an unused category 5
c = a.copy()
c.obs["day"] = pd.Categorical([("%g" % v) for v in day], categories=["0", "2", "4", "5", "6", "8"])
c.write_h5ad(out + "/catday.h5ad")
# truth whose day-4 cells are copies of the day-6 cells: the held-out day equals the target
e = a.copy()
x = X.copy()
x[day == 4] = X[day == 6]
e.obsm["X_pca"] = x
e.write_h5ad(out + "/at_is_target.h5ad")
# a NaN coordinate in the truth
f = a.copy()
x = X.copy()
x[int(np.flatnonzero(day == 4)[2]), 1] = np.nan
f.obsm["X_pca"] = x
f.write_h5ad(out + "/nan_truth.h5ad")
# unit-norm coordinates (X_pca / singular values): scaling by the singular values gives X_pca back
g = a.copy()
g.obsm["X_unit"] = X / np.asarray(a.uns["pca"]["singular_values"])
g.write_h5ad(out + "/unit.h5ad")
with open(out + "/not_h5ad.h5ad", "w") as fp:
    fp.write("this is not an HDF5 file\n")
