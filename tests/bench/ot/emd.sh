#!/bin/sh
# tests/bench/ot/emd.sh -- side-by-side benchmark of scuot's network-simplex EMD against POT's ot.emd on the
# same inputs, in one run, one thread each; prints a markdown section and writes reports/bench/ot-emd.md.
#   sh tests/bench/ot/emd.sh [BUILD_DIR] [WORK_DIR]      (SIZES="500 1000" to choose the sizes)
# BUILD_DIR is the configured build tree (default: the current directory); inputs are generated once into
# WORK_DIR (default /tmp/scuot-bench-emd).  Not part of make check.
set -e
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-.}" && pwd)
work=${2:-/tmp/scuot-bench-emd}
PY=${PYTHON3:-/usr/bin/python3}
SIZES=${SIZES:-1000 2000 4000}
D=30
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$work"
make -C "$build" tests/bench/ot/emdbench >/dev/null
B=$build/tests/bench/ot/emdbench
R=$work/results
mkdir -p "$R"
for s in $SIZES; do
	[ -f "$work/p$s/meta.txt" ] || "$PY" "$here/emd_pot.py" gen "$work/p$s" "$s" "$s" $D "$s"
done
cat /proc/loadavg >"$R/load_before.txt"
for s in $SIZES; do
	echo "bench: scuot $s x $s" >&2
	"$B" "$work/p$s" >"$R/c_$s.txt"
	echo "bench: POT $s x $s" >&2
	"$PY" "$here/emd_pot.py" solve "$work/p$s" >"$R/pot_$s.txt"
done
cat /proc/loadavg >"$R/load_after.txt"
mkdir -p "$src/reports/bench"
"$PY" "$here/emd_pot.py" report "$R" "$SIZES" >"$src/reports/bench/ot-emd.md"
cat "$src/reports/bench/ot-emd.md"
