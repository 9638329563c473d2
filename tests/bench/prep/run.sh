#!/bin/sh
# tests/bench/prep/run.sh -- side-by-side benchmark of scuot's prep library against numpy/scipy/
# scikit-learn on the same inputs, in one run; writes reports/bench/prep.md.  Not part of make check.
#   sh tests/bench/prep/run.sh [BUILD_DIR] [WORK_DIR]      (SMALL=1 for a quick run on small inputs)
# BUILD_DIR is the configured build tree (default: the current directory); inputs are generated once
# into WORK_DIR (default /tmp/scuot-bench-prep, about 4 GB at full size).
set -e
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-.}" && pwd)
work=${2:-/tmp/scuot-bench-prep}
PY=${PYTHON3:-/usr/bin/python3}
K=50
mkdir -p "$work"
make -C "$build" tests/bench/prep/prepbench >/dev/null
B=$build/tests/bench/prep/prepbench
if [ -n "$SMALL" ]; then
	sz_counts="10000 2000" sz_sparse="5000 2000" sz_dense="2000 500"
else
	sz_counts="" sz_sparse="" sz_dense=""
fi
for kind in counts sparse dense; do
	eval sz=\$sz_$kind
	[ -f "$work/$kind/meta.txt" ] || "$PY" "$here/gen.py" "$kind" "$work/$kind" $sz
done
R=$work/results
mkdir -p "$R"
run() { # NAME CMD...: stdout to R/NAME.txt
	name=$1
	shift
	echo "bench: $name" >&2
	"$@" >"$R/$name.txt"
}
cat /proc/loadavg >"$R/load_before.txt"
run c_norm "$B" norm "$work/counts" "$R/c_hvg.sel"
run py_norm "$PY" "$here/pybench.py" norm "$work/counts" "$R/py_hvg.sel"
run c_dense "$B" pca-dense "$work/dense" $K 7 "$R/c_dense.model"
run py_dense "$PY" "$here/pybench.py" pca-dense "$work/dense" $K "$R/py_dense.model"
run ref_dense "$PY" "$here/pybench.py" ref-dense "$work/dense" $K "$R/ref_dense.model"
run c_sparse "$B" pca-sparse "$work/sparse" $K 5 0 "$R/c_sparse.model"
run c_sparse_centred "$B" pca-sparse "$work/sparse" $K 5 1 "$R/c_sparse_centred.model"
run py_sparse "$PY" "$here/pybench.py" pca-sparse "$work/sparse" $K 5 "$R/py_sparse.model"
run ref_sparse "$PY" "$here/pybench.py" ref-sparse "$work/sparse" $K "$R/ref_sparse.model"
cat /proc/loadavg >"$R/load_after.txt"
mkdir -p "$src/reports/bench"
"$PY" "$here/report.py" "$work" >"$src/reports/bench/prep.md"
cat "$src/reports/bench/prep.md"
