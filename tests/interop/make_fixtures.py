# make_fixtures.py -- interop tests: write h5ad, 10x HDF5 and loom files as other producers do, with the values
# scuot must read from each, at test time (no committed binaries).  Run by /usr/bin/python3 (Debian's anndata).
"""Usage: make_fixtures.py OUTDIR

Writes into OUTDIR:
  ad_csr.h5ad, ad_csc.h5ad, ad_dense.h5ad  anndata (the installed version, 0.8 on Debian): X as csr, csc and
                                           dense; categorical/string/int/float/bool obs columns; obsm; layers;
                                           nested uns (plus a sparse obsm entry and a dataframe in uns, which
                                           scuot skips with a warning)
  ad011_style.h5ad                         the anndata 0.10/0.11 layout written with h5py: string-array,
                                           nullable-integer, nullable-boolean, nullable-string-array, int16
                                           codes, no X, int64 sparse indices, a 'null' uns element
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
        json.dump(expected, fp, indent=1)
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
        lay.create_dataset("indptr", data=np.array([0, 1, 1, 3, 3, 4], dtype=np.int64), maxshape=(None,))
        lay.create_dataset("indices", data=np.array([2, 0, 1, 2], dtype=np.int64), maxshape=(None,))
        lay.create_dataset("data", data=np.array([1.5, 2.0, 3.0, 4.0], dtype=np.float64), maxshape=(None,))
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


def main():
    os.makedirs(out, exist_ok=True)
    write_anndata()
    write_ad011()
    write_tenx_v3()
    write_tenx_v2()
    write_loom3()
    write_loom2()
    with open(os.path.join(out, "manifest.tsv"), "w") as fp:
        fp.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
