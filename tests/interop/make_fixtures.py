# make_fixtures.py -- interop tests: write h5ad, 10x HDF5 and loom files as other producers do, with the values
# scuot must read from each, at test time (no committed binaries).  Run by /usr/bin/python3 (Debian's anndata).
"""Usage: make_fixtures.py OUTDIR [large]

With large, writes only ad_large.h5ad (6000 x 1500, gzip-compressed by anndata, several chunks per array).
Otherwise writes into OUTDIR:
  ad_csr.h5ad, ad_csc.h5ad, ad_dense.h5ad  anndata (the installed version, 0.8 on Debian): X as csr, csc and
                                           dense; categorical/string/int/float/bool obs columns; obsm; layers;
                                           nested uns (plus a sparse obsm entry and a dataframe in uns, which
                                           scuot skips with a warning)
  ad011_style.h5ad                         the anndata 0.10/0.11 layout written with h5py: string-array,
                                           nullable-integer, nullable-boolean, nullable-string-array, int16
                                           codes, no X, int64 sparse indices, a 'null' uns element
  ad07_style.h5ad                          the anndata 0.7 layout written with h5py: dataframe 0.1.0, categorical
                                           codes referencing __categories/<col>, unmarked arrays and uns
  ad05_style.h5ad                          the anndata < 0.7 layout written with h5py: compound obs/var/obsm,
                                           fixed-length strings, uns/<col>_categories, h5sparse_format X, raw.X
  tenx_v3.h5                               Cell Ranger 3.0: int32 data, int64 indices/indptr, int32 shape,
                                           fixed-length NUL-padded strings, shuffle + gzip chunks
  tenx_v2.h5                               Cell Ranger 2 (PyTables): a genome group, NUL-terminated strings
  loom3.loom                               loompy 3.0: vlen UTF-8 strings, /attrs, layers, graphs
  loom2.loom                               loompy 2: fixed-length ASCII with XML character references,
                                           global attributes on the root
  NAME.expected.json                       what python reports for each (canon.py form)
  manifest.tsv                             format, file, reader argument, expected JSON, expected warning
"""

import json
import os
import sys

import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canon  # noqa: E402

rng = np.random.default_rng(20240611)
out = sys.argv[1]
manifest = []


def save(name, fmt, expected, arg="-", warning="-"):
    exp = name + ("" if arg == "-" else "." + arg) + ".expected.json"
    with open(os.path.join(out, exp), "w") as fp:
        json.dump(expected, fp, indent=1, default=canon.to_json)
    manifest.append("\t".join([fmt, name, arg, exp, warning]))


# ---- anndata (installed version) ----

def anndata_object():
    import anndata
    n, m = 12, 9
    X = sp.random(n, m, density=0.35, format="csr", dtype=np.float32, random_state=7)
    X.data = np.round(X.data * 20, 2).astype(np.float32)
    keep = (np.arange(n) != 3).astype(np.float32)  # cell 3 is empty
    X = sp.csr_matrix(X.toarray() * keep[:, None])
    obs = pd.DataFrame({
        "cell_type": pd.Categorical(["T", "B", "NK", "T", None, "B", "T", "NK", "B", "T", "T", "B"],
                                    categories=["T", "B", "NK"]),
        "stage": pd.Categorical(["d0", "d2", "d4"] * 4, categories=["d0", "d2", "d4"], ordered=True),
        "batch": pd.Categorical([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]),
        "dose": pd.Categorical([0.5, 1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 1.0]),
        "barcode_seq": [f"ACGT{i:02d}\u00e9" for i in range(n)],
        "n_counts": rng.integers(-5, 10**12, n),
        "n_genes": rng.integers(0, 200, n).astype(np.int32),
        "small": np.arange(n, dtype=np.uint8),
        "day": np.where(np.arange(n) == 5, np.nan, np.arange(n) / 4.0),
        "score": rng.normal(size=n).astype(np.float32),
        "is_doublet": np.arange(n) % 3 == 0,
    }, index=[f"cell_{i}" for i in range(n)])
    var = pd.DataFrame({"gene_symbol": [f"SYM{j}" for j in range(m)],
                        "highly_variable": np.arange(m) % 2 == 0,
                        "means": np.linspace(0, 1, m)},
                       index=pd.Index([f"ENSG{j:05d}" for j in range(m)], name="gene_ids"))
    a = anndata.AnnData(X, obs=obs, var=var)
    a.obsm["X_pca"] = rng.normal(size=(n, 3))
    a.obsm["X_umap"] = rng.normal(size=(n, 2)).astype(np.float32)
    a.obsm["X_sparse"] = sp.random(n, 4, density=0.5, format="csr", random_state=3)
    a.varm["PCs"] = rng.normal(size=(m, 3))
    a.layers["counts"] = sp.csr_matrix(np.round(X.toarray() * 3))
    a.layers["dense"] = np.arange(n * m, dtype=np.float64).reshape(n, m) % 4
    a.uns["method"] = "unbalanced sinkhorn"
    a.uns["seed"] = 42
    a.uns["epsilon"] = 0.05
    a.uns["flag"] = True
    a.uns["groups"] = ["T", "B", "NK"]
    a.uns["params"] = {"iterations": 100, "grid": np.arange(6.0).reshape(2, 3) / 2,
                       "nested": {"ids": np.array([3, 1, 2]), "note": "deep \u00fc"}}
    a.uns["table"] = pd.DataFrame({"x": [1, 2]})
    return a


def write_anndata():
    import anndata
    a = anndata_object()
    for kind in ("csr", "csc", "dense"):
        b = a.copy()
        if kind == "csc":
            b.X = sp.csc_matrix(a.X)
        elif kind == "dense":
            b.X = a.X.toarray()
        name = f"ad_{kind}.h5ad"
        b.write_h5ad(os.path.join(out, name))
        expected = canon.from_anndata(anndata.read_h5ad(os.path.join(out, name)))
        save(name, "h5ad", expected, warning="/obsm/X_sparse")


# ---- anndata 0.10/0.11 layout, by hand ----

def enc(obj, t, v):
    obj.attrs["encoding-type"] = t
    obj.attrs["encoding-version"] = v


def write_ad011():
    name = "ad011_style.h5ad"
    n, m = 5, 3
    sdt = h5py.string_dtype("utf-8")
    cells = ["AAAC", "AAAG", "AAAT", "AACA", "AACC"]
    genes = ["g1", "g2", "g3"]
    with h5py.File(os.path.join(out, name), "w") as f:
        enc(f, "anndata", "0.1.0")
        obs = f.create_group("obs", track_order=True)
        enc(obs, "dataframe", "0.2.0")
        obs.attrs["_index"] = "_index"
        obs.attrs["column-order"] = ["sample", "n_umi", "keep", "note", "cluster"]
        enc(obs.create_dataset("_index", data=np.array(cells, dtype=object), dtype=sdt), "string-array", "0.2.0")
        enc(obs.create_dataset("sample", data=np.array(["s1", "s2", "s1", "s3", "s\u00e9"], dtype=object),
                               dtype=sdt), "string-array", "0.2.0")
        g = obs.create_group("n_umi")
        enc(g, "nullable-integer", "0.1.0")
        enc(g.create_dataset("values", data=np.array([10, 0, 30, 40, 50], dtype=np.int32)), "array", "0.2.0")
        enc(g.create_dataset("mask", data=np.array([False, True, False, False, False])), "array", "0.2.0")
        g = obs.create_group("keep")
        enc(g, "nullable-boolean", "0.1.0")
        enc(g.create_dataset("values", data=np.array([True, False, False, True, True])), "array", "0.2.0")
        enc(g.create_dataset("mask", data=np.array([False, False, True, False, False])), "array", "0.2.0")
        g = obs.create_group("note")
        enc(g, "nullable-string-array", "0.1.0")
        g.attrs["na-value"] = "NA"
        enc(g.create_dataset("values", data=np.array(["ok", "", "bad", "ok", "caf\u00e9"], dtype=object),
                             dtype=sdt), "string-array", "0.2.0")
        enc(g.create_dataset("mask", data=np.array([False, True, False, False, False])), "array", "0.2.0")
        g = obs.create_group("cluster")
        enc(g, "categorical", "0.2.0")
        g.attrs["ordered"] = False
        codes = np.array([0, 299, -1, 1, 299], dtype=np.int16)
        enc(g.create_dataset("codes", data=codes), "array", "0.2.0")
        cats = [f"cl{k}" for k in range(300)]
        enc(g.create_dataset("categories", data=np.array(cats, dtype=object), dtype=sdt), "string-array", "0.2.0")
        var = f.create_group("var")
        enc(var, "dataframe", "0.2.0")
        var.attrs["_index"] = "feature_id"
        var.attrs["column-order"] = np.array([], dtype=np.float64)
        enc(var.create_dataset("feature_id", data=np.array(genes, dtype=object), dtype=sdt), "string-array", "0.2.0")
        for k in ("obsm", "varm", "obsp", "varp", "layers", "uns"):
            enc(f.create_group(k), "dict", "0.1.0")
        enc(f["obsm"].create_dataset("X_pca", data=np.arange(10, dtype=np.float32).reshape(5, 2)), "array",
            "0.2.0")
        lay = f["layers"].create_group("counts")
        enc(lay, "csr_matrix", "0.1.0")
        lay.attrs["shape"] = np.array([n, m], dtype=np.int64)
        # chunks of 2: unfiltered, shuffle only, deflate only
        lay.create_dataset("indptr", data=np.array([0, 1, 1, 3, 3, 4], dtype=np.int64), chunks=(2,),
                           maxshape=(None,))
        lay.create_dataset("indices", data=np.array([2, 0, 1, 2], dtype=np.int64), chunks=(2,), shuffle=True)
        lay.create_dataset("data", data=np.array([1.5, 2.0, 3.0, 4.0], dtype=np.float64), chunks=(2,),
                           compression="gzip")
        u = f["uns"]
        enc(u.create_dataset("title", data="run \u00e9", dtype=sdt), "string", "0.2.0")
        enc(u.create_dataset("converged", data=np.bool_(True)), "numeric-scalar", "0.2.0")
        enc(u.create_dataset("nothing", shape=None, dtype="f8"), "null", "0.1.0")
        d = u.create_group("nested")
        enc(d, "dict", "0.1.0")
        enc(d.create_dataset("weights", data=np.array([[1, 2], [3, 4]], dtype=np.uint8)), "array", "0.2.0")
    counts = np.zeros((n, m))
    counts[0, 2], counts[2, 0], counts[2, 1], counts[4, 2] = 1.5, 2.0, 3.0, 4.0
    expected = {
        "n_obs": n, "n_var": m, "X": None,
        "obs": {"index_name": "_index", "index": cells, "columns": [
            {"name": "sample", "type": "string", "values": ["s1", "s2", "s1", "s3", "s\u00e9"]},
            {"name": "n_umi", "type": "int", "values": [10, None, 30, 40, 50]},
            {"name": "keep", "type": "bool", "values": [True, False, None, True, True]},
            {"name": "note", "type": "string", "values": ["ok", None, "bad", "ok", "caf\u00e9"]},
            {"name": "cluster", "type": "categorical", "ordered": False, "categories": cats,
             "values": ["cl0", "cl299", None, "cl1", "cl299"]}]},
        "var": {"index_name": "feature_id", "index": genes, "columns": []},
        "obsm": {"X_pca": np.arange(10.0).reshape(5, 2).tolist()}, "varm": {},
        "layers": {"counts": counts.tolist()},
        "uns": {"type": "dict", "children": {
            "title": {"type": "str", "value": "run \u00e9"},
            "converged": {"type": "num", "is_int": True, "value": 1},
            "nested": {"type": "dict", "children": {
                "weights": {"type": "array", "is_int": True, "shape": [2, 2], "values": [1, 2, 3, 4]}}}}},
    }
    save(name, "h5ad", expected, warning="/uns/nothing")


# ---- anndata 0.7 and anndata < 0.7 layouts, by hand from the documented layouts ----
# (FORMATS-REFERENCE.md section 3; anndata 0.7.8's _io/h5ad.py, anndata's compat readers).  Debian ships only
# anndata 0.8, so these are written with h5py; anndata 0.8 still reads both, and its reading is checked against
# the hand-written expectation below before the fixture is used.

OLD_CELLS = ["AAAC-1", "AAAG-1", "AAAT-1", "AACA-1", "AACC-1", "AACG-1"]
OLD_GENES = ["Gene0", "Gene1", "Gene2", "Gene3"]
OLD_X = np.array([[1, 0, 2, 0], [0, 0, 0, 3], [4, 5, 0, 0], [0, 0, 0, 0], [0, 6, 0, 7], [8, 0, 0, 1]],
                 dtype=np.float32)
OLD_TYPES = ["T", "B", "NK"]
OLD_CODES = np.array([0, 1, 2, 0, -1, 1], dtype=np.int8)
OLD_DEPTH = np.array([1.5, 2.25, np.nan, 4.0, 5.5, 6.0])
OLD_PCA = np.arange(12, dtype=np.float64).reshape(6, 2) / 4


def old_expected(obs_cols, var_cols, uns, index_name="_index"):
    return {"n_obs": 6, "n_var": 4, "X": OLD_X.astype(np.float64).tolist(),
            "obs": {"index_name": index_name, "index": OLD_CELLS, "columns": obs_cols},
            "var": {"index_name": index_name, "index": OLD_GENES, "columns": var_cols},
            "obsm": {"X_pca": OLD_PCA.tolist()}, "varm": {}, "layers": {}, "uns": uns}


def type_col():
    return {"name": "cell_type", "type": "categorical", "ordered": False, "categories": OLD_TYPES,
            "values": [None if c < 0 else OLD_TYPES[c] for c in OLD_CODES]}


def check_with_anndata(name, expected, drop=()):
    """anndata 0.8 reads the fixture as we expect (its own reader of the old layouts agrees)."""
    import warnings

    import anndata
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = canon.from_anndata(anndata.read_h5ad(os.path.join(out, name)))
    exp = json.loads(json.dumps(expected, default=canon.to_json))
    for k in drop:
        exp.pop(k, None), got.pop(k, None)
    errs = canon.compare(exp, json.loads(json.dumps(got, default=canon.to_json)))
    if errs:
        raise SystemExit(f"{name}: anndata reads the fixture otherwise than expected:\n  " + "\n  ".join(errs))


def write_ad07():
    """anndata 0.7.x: no encoding attributes but on sparse groups and dataframes (dataframe 0.1.0);
    categorical codes with an object reference to __categories/<col>."""
    name = "ad07_style.h5ad"
    sdt = h5py.string_dtype("utf-8")
    X = sp.csr_matrix(OLD_X)
    with h5py.File(os.path.join(out, name), "w") as f:
        obs = f.create_group("obs")
        enc(obs, "dataframe", "0.1.0")
        obs.attrs["_index"] = "_index"
        obs.attrs["column-order"] = ["cell_type", "depth", "batch", "n_genes"]
        obs.create_dataset("_index", data=np.array(OLD_CELLS, dtype=object), dtype=sdt)
        cats = obs.create_group("__categories")
        cd = cats.create_dataset("cell_type", data=np.array(OLD_TYPES, dtype=object), dtype=sdt)
        cd.attrs["ordered"] = False
        col = obs.create_dataset("cell_type", data=OLD_CODES)
        col.attrs["categories"] = cd.ref
        obs.create_dataset("depth", data=OLD_DEPTH)
        obs.create_dataset("batch", data=np.array(["b1", "b2", "b1", "b2", "b1", "b\u00e9"], dtype=object),
                           dtype=sdt)
        obs.create_dataset("n_genes", data=np.array([2, 1, 2, 0, 2, 2], dtype=np.int32))
        var = f.create_group("var")
        enc(var, "dataframe", "0.1.0")
        var.attrs["_index"] = "_index"
        var.attrs["column-order"] = ["gene_symbol"]
        var.create_dataset("_index", data=np.array(OLD_GENES, dtype=object), dtype=sdt)
        var.create_dataset("gene_symbol", data=np.array(["A", "B", "C", "D"], dtype=object), dtype=sdt)
        g = f.create_group("X")
        enc(g, "csr_matrix", "0.1.0")
        g.attrs["shape"] = np.array(X.shape)
        g.create_dataset("data", data=X.data)
        g.create_dataset("indices", data=X.indices)
        g.create_dataset("indptr", data=X.indptr)
        f.create_group("obsm").create_dataset("X_pca", data=OLD_PCA)
        f.create_group("varm")
        f.create_group("layers")
        u = f.create_group("uns")
        u.create_dataset("n_pcs", data=np.int64(2))
        u.create_dataset("method", data="wot \u00e9", dtype=sdt)
        u.create_group("params").create_dataset("epsilon", data=np.float64(0.05))
    expected = old_expected(
        [type_col(), {"name": "depth", "type": "float", "values": [None if np.isnan(v) else v for v in OLD_DEPTH]},
         {"name": "batch", "type": "string", "values": ["b1", "b2", "b1", "b2", "b1", "b\u00e9"]},
         {"name": "n_genes", "type": "int", "values": [2, 1, 2, 0, 2, 2]}],
        [{"name": "gene_symbol", "type": "string", "values": ["A", "B", "C", "D"]}],
        {"type": "dict", "children": {
            "n_pcs": {"type": "num", "is_int": True, "value": 2},
            "method": {"type": "str", "value": "wot \u00e9"},
            "params": {"type": "dict", "children": {"epsilon": {"type": "num", "is_int": False, "value": 0.05}}}}})
    check_with_anndata(name, expected)
    save(name, "h5ad", expected)


def write_ad05():
    """anndata < 0.7 (observed v0.5.0): obs, var, obsm as compound datasets, fixed-length strings, codes with
    labels in uns/<col>_categories, X with h5sparse_format / h5sparse_shape, raw at the root."""
    name = "ad05_style.h5ad"
    n, m = OLD_X.shape
    X = sp.csr_matrix(OLD_X)
    obs = np.zeros(n, dtype=[("index", "S6"), ("cell_type", "i1"), ("depth", "f8"), ("batch", "S3"),
                             ("is_doublet", "?"), ("n_genes", "i4")])
    obs["index"] = [c.encode() for c in OLD_CELLS]
    obs["cell_type"] = OLD_CODES
    obs["depth"] = OLD_DEPTH
    obs["batch"] = [b.encode() for b in ["b1", "b2", "b1", "b2", "b1", "b3"]]
    obs["is_doublet"] = [False, True, False, False, True, False]
    obs["n_genes"] = [2, 1, 2, 0, 2, 2]
    var = np.zeros(m, dtype=[("index", "S5"), ("gene_symbol", "S1"), ("module", "i2")])
    var["index"] = [g.encode() for g in OLD_GENES]
    var["gene_symbol"] = [b"A", b"B", b"C", b"D"]
    var["module"] = [1, 0, 1, 0]  # labels in uns/module_categories
    obsm = np.zeros(n, dtype=[("X_pca", "f8", (2,)), ("X_tsne", "f4", (2,)), ("size", "f8")])
    obsm["X_pca"] = OLD_PCA
    obsm["X_tsne"] = OLD_PCA[:, ::-1] * 2
    obsm["size"] = np.arange(n) + 0.5
    with h5py.File(os.path.join(out, name), "w") as f:
        g = f.create_group("X")
        g.attrs["h5sparse_format"] = np.bytes_(b"csr")
        g.attrs["h5sparse_shape"] = np.array([n, m])
        g.create_dataset("data", data=X.data)
        g.create_dataset("indices", data=X.indices)
        g.create_dataset("indptr", data=X.indptr)
        f.create_dataset("obs", data=obs)
        f.create_dataset("var", data=var)
        f.create_dataset("obsm", data=obsm)
        f.create_dataset("raw.X", data=OLD_X)
        u = f.create_group("uns")
        u.create_dataset("cell_type_categories", data=np.array([t.encode() for t in OLD_TYPES]))
        u.create_dataset("module_categories", data=np.array([b"cc", b"apoptosis"]))
        u.create_dataset("n_pcs", data=np.array([2]))
        u.create_dataset("title", data=np.array([b"old run"]))  # 1-D, as anndata 0.8 reads old strings
    modules = ["apoptosis", "cc", "apoptosis", "cc"]
    expected = old_expected(
        [type_col(), {"name": "depth", "type": "float", "values": [None if np.isnan(v) else v for v in OLD_DEPTH]},
         {"name": "batch", "type": "string", "values": ["b1", "b2", "b1", "b2", "b1", "b3"]},
         {"name": "is_doublet", "type": "bool", "values": [False, True, False, False, True, False]},
         {"name": "n_genes", "type": "int", "values": [2, 1, 2, 0, 2, 2]}],
        [{"name": "gene_symbol", "type": "string", "values": ["A", "B", "C", "D"]},
         {"name": "module", "type": "categorical", "ordered": False, "categories": ["cc", "apoptosis"],
          "values": modules}],
        {"type": "dict", "children": {
            "n_pcs": {"type": "array", "is_int": True, "shape": [1], "values": [2]},
            "title": {"type": "str", "value": "old run"}}}, index_name="index")
    expected["obsm"]["X_tsne"] = (OLD_PCA[:, ::-1] * 2).tolist()
    expected["obsm"]["size"] = (np.arange(n) + 0.5).reshape(n, 1).tolist()
    # anndata reads the compound obsm as a record array, which canon leaves out: compare the rest
    check_with_anndata(name, expected, drop=("obsm",))
    save(name, "h5ad", expected)


# ---- 10x Genomics ----

def fixed(values, nullterm=False):
    """numpy fixed-length bytes, as Cell Ranger and PyTables store strings."""
    w = max(len(v.encode()) for v in values) + (1 if nullterm else 0)
    return np.array([v.encode() for v in values], dtype=f"S{w}")


def write_nullterm(g, name, values):
    """Fixed-length NUL-terminated strings (PyTables), through the low-level API."""
    arr = fixed(values, nullterm=True)
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(arr.dtype.itemsize)
    tid.set_strpad(h5py.h5t.STR_NULLTERM)
    did = h5py.h5d.create(g.id, name.encode(), tid, h5py.h5s.create_simple((len(values),)))
    did.write(h5py.h5s.ALL, h5py.h5s.ALL, arr)


def tenx_matrix(nf, nb, seed):
    r = np.random.default_rng(seed)
    M = sp.random(nf, nb, density=0.3, format="csc", random_state=seed)
    M.data = r.integers(1, 50, M.nnz).astype(np.float64)
    return M


def tenx_expected(M, barcodes, ids, cols):
    return {"n_obs": len(barcodes), "n_var": len(ids), "X": M.T.toarray().tolist(),
            "obs": {"index_name": "_index", "index": barcodes, "columns": []},
            "var": {"index_name": "_index", "index": ids,
                    "columns": [{"name": k, "type": "string", "values": v} for k, v in cols]},
            "obsm": {}, "varm": {}, "layers": {}, "uns": {"type": "dict", "children": {}}}


def write_tenx_v3():
    name = "tenx_v3.h5"
    nf, nb = 7, 10
    M = tenx_matrix(nf, nb, 5)
    barcodes = [f"AAACCTG{i:03d}-1" for i in range(nb)]
    ids = [f"ENSG{j:011d}" for j in range(nf - 2)] + ["CD3_TotalSeqB", "CD19_TotalSeqB"]
    names = [f"GENE{j}" for j in range(nf - 2)] + ["CD3", "CD19"]
    types = ["Gene Expression"] * (nf - 2) + ["Antibody Capture"] * 2
    genome = ["GRCh38"] * (nf - 2) + [""] * 2
    kw = dict(chunks=True, compression="gzip", shuffle=True, maxshape=(None,))
    with h5py.File(os.path.join(out, name), "w") as f:
        f.attrs["filetype"] = "matrix"
        f.attrs["version"] = 2
        f.attrs["chemistry_description"] = "Single Cell 3' v3"
        g = f.create_group("matrix")
        g.create_dataset("barcodes", data=fixed(barcodes), **kw)
        g.create_dataset("data", data=M.data.astype(np.int32), **kw)
        g.create_dataset("indices", data=M.indices.astype(np.int64), **kw)
        g.create_dataset("indptr", data=M.indptr.astype(np.int64), **kw)
        g.create_dataset("shape", data=np.array([nf, nb], dtype=np.int32), **kw)
        ft = g.create_group("features")
        ft.create_dataset("_all_tag_keys", data=fixed(["genome"]))
        for k, v in (("id", ids), ("name", names), ("feature_type", types), ("genome", genome)):
            ft.create_dataset(k, data=fixed(v), **kw)
    save(name, "10x", tenx_expected(M, barcodes, ids, [("gene_name", names), ("feature_type", types),
                                                       ("genome", genome)]))


def write_tenx_v2():
    name = "tenx_v2.h5"
    nf, nb = 6, 8
    M = tenx_matrix(nf, nb, 9)
    barcodes = [f"TTTG{i:02d}-1" for i in range(nb)]
    ids = [f"ENSG{j:03d}" for j in range(nf)]
    names = [f"Sym{j}" for j in range(nf)]
    with h5py.File(os.path.join(out, name), "w") as f:
        f.attrs["CLASS"] = np.bytes_(b"GROUP")
        f.attrs["TITLE"] = np.bytes_(b"")
        f.attrs["VERSION"] = np.bytes_(b"1.0")
        g = f.create_group("hg19_chr21")
        g.attrs["CLASS"] = np.bytes_(b"GROUP")
        write_nullterm(g, "barcodes", barcodes)
        write_nullterm(g, "genes", ids)
        write_nullterm(g, "gene_names", names)
        g.create_dataset("data", data=M.data.astype(np.int32))
        g.create_dataset("indices", data=M.indices.astype(np.int64))
        g.create_dataset("indptr", data=M.indptr.astype(np.int64))
        g.create_dataset("shape", data=np.array([nf, nb], dtype=np.int32))
    save(name, "10x", tenx_expected(M, barcodes, ids, [("gene_name", names)]))


# ---- loom ----

def loom_matrix(ng, nc, seed, dtype):
    r = np.random.default_rng(seed)
    M = r.integers(0, 9, size=(ng, nc)) * (r.random((ng, nc)) < 0.3)
    return M.astype(dtype)


def write_loom3():
    name = "loom3.loom"
    ng, nc = 70, 90  # two chunks of 64 genes
    M = loom_matrix(ng, nc, 11, np.float32)
    S = loom_matrix(ng, nc, 12, np.uint16)
    cells = [f"cell_{c}_\u00e9" for c in range(nc)]
    genes = [f"Gene{g}" for g in range(ng)]
    acc = [f"ENSG{g:05d}" for g in range(ng)]
    numi = M.sum(axis=0).astype(np.int64)
    clusters = [f"c{c % 4}" for c in range(nc)]
    emb = np.arange(nc * 2, dtype=np.float32).reshape(nc, 2) / 7
    sel = (np.arange(ng) % 3 == 0).astype(np.int64)
    sdt = h5py.string_dtype("utf-8")
    kw = dict(chunks=(64, 64), compression="gzip", compression_opts=2)
    with h5py.File(os.path.join(out, name), "w") as f:
        f.create_dataset("matrix", data=M, **kw)
        f.create_group("layers").create_dataset("spliced", data=S, **kw)
        ca, ra = f.create_group("col_attrs"), f.create_group("row_attrs")
        ca.create_dataset("CellID", data=np.array(cells, dtype=object), dtype=sdt)
        ca.create_dataset("nUMI", data=numi)
        ca.create_dataset("ClusterName", data=np.array(clusters, dtype=object), dtype=sdt)
        ca.create_dataset("embedding", data=emb)
        ra.create_dataset("Gene", data=np.array(genes, dtype=object), dtype=sdt)
        ra.create_dataset("Accession", data=np.array(acc, dtype=object), dtype=sdt)
        ra.create_dataset("Selected", data=sel)
        for k in ("row_graphs", "col_graphs"):
            f.create_group(k)
        at = f.create_group("attrs")
        at.create_dataset("LOOM_SPEC_VERSION", data="3.0.0", dtype=sdt)
        at.create_dataset("title", data="test \u00fc loom", dtype=sdt)
        at.create_dataset("ngenes", data=np.int64(ng))
    uns = {"type": "dict", "children": {
        "LOOM_SPEC_VERSION": {"type": "str", "value": "3.0.0"},
        "title": {"type": "str", "value": "test \u00fc loom"},
        "ngenes": {"type": "num", "is_int": True, "value": ng}}}
    for layer, mat in ((None, M), ("spliced", S)):
        expected = {
            "n_obs": nc, "n_var": ng, "X": mat.T.astype(np.float64).tolist(),
            "obs": {"index_name": "_index", "index": cells, "unordered_columns": True, "columns": [
                {"name": "nUMI", "type": "int", "values": numi.tolist()},
                {"name": "ClusterName", "type": "string", "values": clusters}]},
            "var": {"index_name": "_index", "index": acc, "unordered_columns": True, "columns": [
                {"name": "gene_name", "type": "string", "values": genes},
                {"name": "Selected", "type": "int", "values": sel.tolist()}]},
            "obsm": {"embedding": emb.astype(np.float64).tolist()}, "varm": {}, "layers": {}, "uns": uns}
        save(name, "loom", expected, arg=layer or "-")


def xml_escape(s):
    return s.encode("ascii", "xmlcharrefreplace").decode()


def write_loom2():
    name = "loom2.loom"
    ng, nc = 20, 15
    M = loom_matrix(ng, nc, 13, np.uint16)
    cells = [f"c{c}_\u00e9\u4e2d" for c in range(nc)]
    genes = [f"G{g}" for g in range(ng)]
    depth = np.linspace(0.5, 3, nc)
    with h5py.File(os.path.join(out, name), "w") as f:
        f.create_dataset("matrix", data=M, chunks=(10, 10), compression="gzip")
        ca, ra = f.create_group("col_attrs"), f.create_group("row_attrs")
        ca.create_dataset("CellID", data=fixed([xml_escape(c) for c in cells]))
        ca.create_dataset("depth", data=depth)
        ra.create_dataset("Gene", data=fixed(genes))
        f.attrs["title"] = np.bytes_(xml_escape("old \u00e9 file").encode())
        f.attrs["CreationDate"] = np.bytes_(b"20170101T000000.000000Z")
        f.attrs["n_hvg"] = np.int64(7)
    expected = {
        "n_obs": nc, "n_var": ng, "X": M.T.astype(np.float64).tolist(),
        "obs": {"index_name": "_index", "index": cells,
                "columns": [{"name": "depth", "type": "float", "values": depth.tolist()}]},
        "var": {"index_name": "_index", "index": genes, "columns": []},
        "obsm": {}, "varm": {}, "layers": {},
        "uns": {"type": "dict", "children": {
            "title": {"type": "str", "value": "old \u00e9 file"},
            "CreationDate": {"type": "str", "value": "20170101T000000.000000Z"},
            "n_hvg": {"type": "num", "is_int": True, "value": 7}}}}
    save(name, "loom", expected)


def write_large():
    """A larger anndata file (several chunks per array) for the copy test of anndata_reads_scuot.sh."""
    import anndata
    n, m = 6000, 1500
    X = sp.random(n, m, density=0.06, format="csr", dtype=np.float32, random_state=17)
    X.data = np.round(X.data * 100).astype(np.float32) + 1
    obs = pd.DataFrame({"group": pd.Categorical(rng.choice(["a", "b", "c"], n)), "depth": rng.random(n)},
                       index=[f"cell{i}" for i in range(n)])
    a = anndata.AnnData(X, obs=obs, var=pd.DataFrame(index=[f"g{j}" for j in range(m)]))
    a.obsm["X_pca"] = rng.normal(size=(n, 50))
    a.layers["counts"] = X.copy()
    a.write_h5ad(os.path.join(out, "ad_large.h5ad"), compression="gzip")


def main():
    os.makedirs(out, exist_ok=True)
    if len(sys.argv) > 2 and sys.argv[2] == "large":
        write_large()
        return
    write_anndata()
    write_ad011()
    write_ad07()
    write_ad05()
    write_tenx_v3()
    write_tenx_v2()
    write_loom3()
    write_loom2()
    with open(os.path.join(out, "manifest.tsv"), "w") as fp:
        fp.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
