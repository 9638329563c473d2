# canon.py -- interop tests: AnnData objects (as anndata reads them) and scuot_h5dump's JSON in one comparable form.
# Used by make_fixtures.py (expected values), check_dump.py and check_written.py (comparisons).
"""One canonical form for both sides:

{"n_obs", "n_var", "X": dense list of lists or None, "obs"/"var": {"index_name", "index", "columns": [
 {"name", "type": float|int|bool|string|categorical, "values": [... None where missing], "categories", "ordered"}]},
 "obsm"/"varm": {key: list of lists}, "layers": {key: dense}, "uns": {"type": "dict", "children": {...}}}

What scuot does not read (sparse or dataframe obsm entries, dataframes and other unknown encodings in uns) is
left out of the canonical form of an AnnData object, so the two sides compare equal when scuot skips them."""

import math

import numpy as np
import pandas as pd
import scipy.sparse as sp


def _num(v):
    v = float(v)
    return None if math.isnan(v) or math.isinf(v) else v


def dense(m):
    if m is None:
        return None
    if sp.issparse(m):
        m = m.toarray()
    return np.asarray(m, dtype=np.float64).tolist()


def _label(v):
    """Text of a category or index label as scuot renders numbers (Python's str)."""
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (np.integer,)):
        return str(int(v))
    if isinstance(v, (np.floating,)):
        return str(float(v))
    return str(v)


def column(name, s):
    d = s.dtype
    out = {"name": name}
    if isinstance(d, pd.CategoricalDtype):
        cats = [_label(c) for c in d.categories]
        codes = s.cat.codes.to_numpy()
        out.update(type="categorical", ordered=bool(d.ordered), categories=cats,
                   values=[cats[c] if c >= 0 else None for c in codes])
        return out
    na = s.isna().to_numpy()
    if pd.api.types.is_bool_dtype(d):
        out.update(type="bool", values=[None if m else bool(v) for v, m in zip(s.to_numpy(), na)])
    elif pd.api.types.is_integer_dtype(d):
        out.update(type="int", values=[None if m else int(v) for v, m in zip(s.to_numpy(), na)])
    elif pd.api.types.is_float_dtype(d):
        out.update(type="float", values=[None if m else _num(v) for v, m in zip(s.to_numpy(), na)])
    else:
        out.update(type="string", values=[None if m else str(v) for v, m in zip(s.to_numpy(dtype=object), na)])
    return out


def frame(df):
    return {"index_name": df.index.name if df.index.name is not None else "_index",
            "index": [_label(v) for v in df.index],
            "columns": [column(c, df[c]) for c in df.columns]}


def uns_node(v):
    """Canonical uns node, or None for what scuot skips."""
    if isinstance(v, dict) or (hasattr(v, "keys") and not isinstance(v, pd.DataFrame)):
        kids = {}
        for k in v.keys():
            n = uns_node(v[k])
            if n is not None:
                kids[str(k)] = n
        return {"type": "dict", "children": kids}
    if isinstance(v, (str, np.str_)):
        return {"type": "str", "value": str(v)}
    if isinstance(v, (bool, np.bool_, int, np.integer)):
        return {"type": "num", "is_int": True, "value": float(int(v))}
    if isinstance(v, (float, np.floating)):
        return {"type": "num", "is_int": False, "value": _num(v)}
    if isinstance(v, list):
        v = np.asarray(v)
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "OUS":
            if v.ndim != 1:
                return None
            return {"type": "strarray", "values": [x.decode() if isinstance(x, bytes) else str(x) for x in v]}
        if v.dtype.kind in "biuf":
            return {"type": "array", "is_int": v.dtype.kind in "biu", "shape": list(v.shape),
                    "values": [_num(x) for x in v.astype(np.float64).ravel()]}
    return None


def from_anndata(a):
    return {
        "n_obs": int(a.n_obs), "n_var": int(a.n_vars),
        "X": dense(a.X),
        "obs": frame(a.obs), "var": frame(a.var),
        "obsm": {k: dense(v) for k, v in a.obsm.items() if isinstance(v, np.ndarray) and v.ndim <= 2},
        "varm": {k: dense(v) for k, v in a.varm.items() if isinstance(v, np.ndarray) and v.ndim <= 2},
        "layers": {k: dense(v) for k, v in a.layers.items()},
        "uns": uns_node(dict(a.uns)),
    }


def _csr_dense(j):
    if j is None:
        return None
    n, m = j["shape"]
    out = np.zeros((n, m))
    ip = j["indptr"]
    for i in range(n):
        for k in range(ip[i], ip[i + 1]):
            out[i, j["indices"][k]] = j["data"][k]
    return out.tolist()


def from_dump(j):
    """The JSON scuot_h5dump prints, with sparse matrices made dense."""
    j = dict(j)
    j["X"] = _csr_dense(j["X"])
    j["layers"] = {k: _csr_dense(v) for k, v in j["layers"].items()}
    for side in ("obs", "var"):
        for c in j[side]["columns"]:
            c.pop("masked", None)
    return j


def compare(exp, got, path="", errs=None, rtol=1e-6, atol=1e-9):
    """Differences between expected and got as a list of 'path: observed ..., expected ...' lines."""
    if errs is None:
        errs = []
    if len(errs) > 40:
        return errs
    if isinstance(exp, dict):
        if not isinstance(got, dict):
            errs.append(f"{path}: observed {type(got).__name__}, expected an object")
            return errs
        if exp.get("unordered_columns"):
            exp = dict(exp)
            del exp["unordered_columns"]
            exp["columns"] = sorted(exp["columns"], key=lambda c: c["name"])
            got = dict(got)
            got["columns"] = sorted(got["columns"], key=lambda c: c["name"])
        if set(exp) != set(got):
            errs.append(f"{path}: observed keys {sorted(got)}, expected {sorted(exp)}")
        for k in exp:
            if k in got:
                compare(exp[k], got[k], f"{path}/{k}", errs, rtol, atol)
    elif isinstance(exp, list):
        if not isinstance(got, list) or len(got) != len(exp):
            errs.append(f"{path}: observed {got!r:.200}, expected {exp!r:.200}")
            return errs
        for i, (e, g) in enumerate(zip(exp, got)):
            compare(e, g, f"{path}[{i}]", errs, rtol, atol)
    elif isinstance(exp, bool) or exp is None or isinstance(exp, str):
        if exp != got or type(exp) != type(got):
            errs.append(f"{path}: observed {got!r}, expected {exp!r}")
    elif isinstance(exp, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)) or \
                not math.isclose(float(got), float(exp), rel_tol=rtol, abs_tol=atol):
            errs.append(f"{path}: observed {got!r}, expected {exp!r}")
    else:
        errs.append(f"{path}: cannot compare {type(exp).__name__}")
    return errs
