# check_written.py -- interop tests: anndata reads h5ad files scuot wrote and every value, dtype and on-disk
# detail is checked against what scuot says it wrote (scuot_h5dump JSON) or against the file scuot copied.
"""Usage: check_written.py sample FILE.h5ad SCUOT.json [nullable-string]
       check_written.py copy ORIGINAL.h5ad COPY.h5ad

sample: FILE.h5ad is scuot_h5dump's sample object and SCUOT.json what scuot holds in memory; anndata must read
        the same values with the dtypes listed in DTYPES, and the file must have the layout of data/FORMATS.md.
        With nullable-string the sample has a column with missing strings (nullable-string-array, anndata >=
        0.11): older anndata cannot read it, so the file is then checked with h5py only.
copy:   COPY.h5ad is what scuot wrote after reading ORIGINAL.h5ad (written by anndata); anndata must read both
        the same, apart from what scuot skips (sparse obsm entries, dataframes in uns)."""

import json
import os
import sys

import anndata
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canon  # noqa: E402

errors = []


def check(cond, what):
    if not cond:
        errors.append(what)


# dtypes anndata must give back for the sample object (tests/interop/scuot_h5dump.c, function sample)
DTYPES = {
    "obs": {"day": "float64", "n_counts": "int64", "is_doublet": "bool", "name": "object", "cluster": "category",
            "stage": "category", "n_genes": "Int64", "passed_qc": "boolean"},
    "var": {"highly_variable": "bool", "mean": "float64"},
}


def check_dtypes(a):
    for side, cols in DTYPES.items():
        df = getattr(a, side)
        check(list(df.columns) == list(cols), f"{side} columns {list(df.columns)}, expected {list(cols)}")
        for c, dt in cols.items():
            if c in df:
                check(str(df[c].dtype) == dt, f"{side}/{c}: dtype {df[c].dtype}, expected {dt}")
    obs = a.obs
    check(list(obs["cluster"].cat.categories) == ["b", "a", "c"] and not obs["cluster"].cat.ordered,
          f"obs/cluster categories {list(obs['cluster'].cat.categories)} ordered {obs['cluster'].cat.ordered}")
    check(obs["stage"].cat.ordered and list(obs["stage"].cat.categories) == ["early", "mid", "late"],
          "obs/stage must be ordered with categories early, mid, late")
    check(bool(pd.isna(obs["cluster"].iloc[4])), "obs/cluster row 4 must be missing (code -1)")
    check(bool(pd.isna(obs["n_genes"].iloc[1])) and int(obs["n_genes"].iloc[2]) == 20, "obs/n_genes values/NA")
    check(bool(pd.isna(obs["passed_qc"].iloc[5])) and bool(obs["passed_qc"].iloc[0]), "obs/passed_qc values/NA")
    check(a.var.index.name == "gene_id", f"var index name {a.var.index.name!r}, expected 'gene_id'")
    check(sp.issparse(a.X) and a.X.format == "csr" and a.X.dtype == np.float32,
          f"X must be float32 CSR, got {type(a.X).__name__} {getattr(a.X, 'dtype', '')}")
    check(sp.issparse(a.layers["counts"]) and a.layers["counts"].dtype == np.float32, "layers/counts float32 CSR")
    check(a.obsm["X_pca"].dtype == np.float64 and a.obsm["X_pca"].shape == (6, 3), "obsm/X_pca float64 6 x 3")
    check(a.varm["PCs"].shape == (4, 3), "varm/PCs 4 x 3")
    u = a.uns
    check(isinstance(u["method"], str), f"uns/method is {type(u['method']).__name__}, expected str")
    check(isinstance(u["seed"], (int, np.integer)) and u["seed"] == 42, f"uns/seed {u['seed']!r}")
    check(isinstance(u["epsilon"], (float, np.floating)), f"uns/epsilon is {type(u['epsilon']).__name__}")
    nested = u["params"]["nested"]
    check(nested["ids"].dtype == np.int64 and nested["grid"].shape == (2, 3), "uns/params/nested arrays")
    check(list(nested["names"]) == ["a", "b", "\u00fc"], f"uns/params/nested/names {list(nested['names'])}")
    check(dict(u["empty_dict"]) == {}, "uns/empty_dict must be an empty dict")


def check_layout(path):
    """On-disk details of data/FORMATS.md, section 'h5ad written by scuot'."""
    with h5py.File(path, "r") as f:
        def enc(obj):
            return obj.attrs.get("encoding-type"), obj.attrs.get("encoding-version")
        check(enc(f) == ("anndata", "0.1.0"), f"root encoding {enc(f)}")
        for k in ("layers", "obsm", "varm", "obsp", "varp", "uns"):
            check(k in f and enc(f[k]) == ("dict", "0.1.0"), f"/{k} must be a dict group")
        for k in ("obs", "var"):
            check(enc(f[k]) == ("dataframe", "0.2.0"), f"/{k} encoding {enc(f[k])}")
        check(enc(f["X"]) == ("csr_matrix", "0.1.0"), f"/X encoding {enc(f['X'])}")
        check(f["X"].attrs["shape"].dtype == np.int64 and list(f["X"].attrs["shape"]) == [6, 4], "/X shape attr")
        for k, dt in (("indptr", np.int64), ("indices", np.int32), ("data", np.float32)):
            check(f["X"][k].dtype == dt, f"/X/{k} dtype {f['X'][k].dtype}, expected {np.dtype(dt)}")
        check(f["obs/cluster/codes"].dtype == np.int8, "categorical codes int8")
        check(enc(f["obs/n_genes"]) == ("nullable-integer", "0.1.0"), "obs/n_genes encoding")
        check(enc(f["obs/passed_qc"]) == ("nullable-boolean", "0.1.0"), "obs/passed_qc encoding")
        check(f["obs/is_doublet"].dtype == np.bool_, "bool columns are numpy bool (enum FALSE/TRUE)")
        check(list(f["obs"].attrs["column-order"]) == list(DTYPES["obs"]) + (["note"] if "note" in f["obs"] else []),
              f"obs column-order {list(f['obs'].attrs['column-order'])}")
        check(f["var"].attrs["_index"] == "gene_id", "var _index attribute")

        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset) or obj.shape == ():
                return
            check(obj.chunks is not None and obj.compression == "gzip", f"/{name}: not chunked + gzip")
            if obj.chunks:
                nbytes = int(np.prod(obj.chunks)) * obj.dtype.itemsize
                check(0 < nbytes <= 1 << 20, f"/{name}: chunk of {nbytes} bytes")
        f.visititems(visit)


def check_nullable_string_h5py(path, expected_values):
    with h5py.File(path, "r") as f:
        g = f["obs/note"]
        check(g.attrs.get("encoding-type") == "nullable-string-array" and g.attrs.get("encoding-version") == "0.1.0",
              "obs/note must be nullable-string-array 0.1.0")
        vals = [v.decode() if isinstance(v, bytes) else v for v in g["values"][()]]
        mask = list(g["mask"][()])
        got = [None if m else v for v, m in zip(vals, mask)]
        check(got == expected_values, f"obs/note values {got}, expected {expected_values}")
        check(g["mask"].dtype == np.bool_, "obs/note/mask must be bool")


def report(errs, name):
    if errs:
        print(f"FAIL {name}:")
        for e in errs:
            print("  " + e)
        return 1
    print(f"ok   {name}")
    return 0


def sample(path, json_path, nullable_string):
    with open(json_path) as fp:
        scuot = canon.from_dump(json.load(fp))
    check_layout(path)
    if nullable_string:
        note = [c for c in scuot["obs"]["columns"] if c["name"] == "note"][0]
        check_nullable_string_h5py(path, note["values"])
        if tuple(int(x) for x in anndata.__version__.split(".")[:2]) < (0, 11):
            print(f"note: anndata {anndata.__version__} cannot read nullable-string-array (0.11+); checked with h5py")
            return report(errors, os.path.basename(path))
    a = anndata.read_h5ad(path)
    if not nullable_string:
        check_dtypes(a)
    # expected: what scuot wrote; observed: what anndata read
    errors.extend(canon.compare(scuot, canon.from_anndata(a)))
    return report(errors, os.path.basename(path))


def copy(orig, copied):
    a, b = anndata.read_h5ad(orig), anndata.read_h5ad(copied)
    errors.extend(canon.compare(canon.from_anndata(a), canon.from_anndata(b)))
    for side in ("obs", "var"):
        x, y = getattr(a, side), getattr(b, side)
        for c in x.columns:
            same = str(x[c].dtype) == str(y[c].dtype) or (x[c].dtype.kind in "iu" and y[c].dtype == np.int64) or \
                (x[c].dtype.kind == "f" and y[c].dtype == np.float64)
            check(same, f"{side}/{c}: dtype {y[c].dtype} after the copy, {x[c].dtype} before")
    return report(errors, f"{os.path.basename(orig)} copied by scuot")


def main():
    if sys.argv[1] == "sample":
        return sample(sys.argv[2], sys.argv[3], len(sys.argv) > 4 and sys.argv[4] == "nullable-string")
    return copy(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    sys.exit(main())
