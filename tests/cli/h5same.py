#!/usr/bin/python3
# h5same.py -- compare two HDF5 files value by value (datasets and attributes), ignoring uns/scuot
# (command line, threads): python3 h5same.py A B [RTOL].  Exit 0 if equal, 1 with the first difference.
import sys

import h5py
import numpy as np

a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
rtol = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
diffs = []


def same(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.shape != y.shape or x.dtype.kind != y.dtype.kind:
        return False
    if x.dtype.kind in "fc":
        if rtol == 0:
            return np.array_equal(x, y, equal_nan=True)
        scale = np.nanmax(np.abs(y)) if y.size and not np.all(np.isnan(y)) else 0
        return np.allclose(x, y, rtol=rtol, atol=rtol * scale, equal_nan=True)
    return np.array_equal(x, y)


def walk(name, obj):
    if name.startswith("uns/scuot"):
        return
    other = b.get(name)
    if other is None:
        diffs.append(name + ": missing in " + sys.argv[2])
        return
    for k, v in obj.attrs.items():
        if k not in other.attrs or not same(v, other.attrs[k]):
            diffs.append("%s: attribute %s differs" % (name, k))
    if isinstance(obj, h5py.Dataset) and not same(obj[()], other[()]):
        diffs.append(name + ": values differ")


a.visititems(walk)
b.visititems(lambda n, o: None if n.startswith("uns/scuot") or n in a else diffs.append(n + ": missing in " + sys.argv[1]))
if diffs:
    print("\n".join(diffs[:10]))
    sys.exit(1)
