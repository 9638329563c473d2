#!/bin/sh
# tests/bench/ot/uot.sh -- side-by-side benchmark of scuot's unbalanced Sinkhorn (double and float kernels)
# against POT's ot.unbalanced.sinkhorn_unbalanced and Waddington-OT's transport_stablev2 on the same inputs,
# then one 50,000 x 50,000 scuot run; writes reports/bench/ot-uot.md.  Not part of make check.
#   sh tests/bench/ot/uot.sh [BUILD_DIR] [WORK_DIR]
# Environment: SMALL=1 (1,000 x 1,000, no 50k run), ITERS (iterations, default 300: fewer than scuot needs to
# reach an exact fixed point, where it stops even at tol 0), WOT_SRC (a checkout of
# github.com/broadinstitute/wot; without it Waddington-OT is not run), SKIP_50K=1, THREADS (default: all
# cores).
# Stopping rule: every tool runs exactly ITERS scaling iterations at the same epsilon, no epsilon scaling
# (scuot --tol 0 --epsilon0 0, POT stopThr 0, Waddington-OT epsilon0 = epsilon), so all do the same work.
set -e
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-.}" && pwd)
work=${2:-/tmp/scuot-bench-uot}
PY=${PYTHON3:-/usr/bin/python3}
D=30 EPS=0.05 L1=1 L2=50
ITERS=${ITERS:-300}
if [ -n "$SMALL" ]; then N=1000; SKIP_50K=1; else N=5000; fi
T=${THREADS:-$(nproc)}
export OMP_NUM_THREADS=$T OPENBLAS_NUM_THREADS=$T
make -C "$build" tests/bench/ot/uotbench >/dev/null
B=$build/tests/bench/ot/uotbench
R=$work/results
mkdir -p "$R"
rm -f "$R"/*.txt "$R"/*.err
[ -f "$work/d$N/x.bin" ] || "$PY" "$here/uotbench.py" gen "$work/d$N" $N $N $D 1
TIME=/usr/bin/time
[ -x $TIME ] || TIME=
run() { # NAME CMD...: stdout to R/NAME.txt, stderr (logs, /usr/bin/time -v) to R/NAME.err
	name=$1
	shift
	echo "bench: $name" >&2
	if [ -n "$TIME" ]; then
		$TIME -v "$@" >"$R/$name.txt" 2>"$R/$name.err"
	else
		"$@" >"$R/$name.txt" 2>"$R/$name.err"
	fi
}
cat /proc/loadavg >"$R/load_before.txt"
echo "n=$N iters=$ITERS threads=$T eps=$EPS lambda1=$L1 lambda2=$L2 d=$D" >"$R/setup.txt"
run scuot_double1 "$B" "$work/d$N" $N $N $D $EPS $L1 $L2 0 1 0 0
run scuot_float1 "$B" "$work/d$N" $N $N $D $EPS $L1 $L2 0 1 0 1
run scuot_double "$B" "$work/d$N" $N $N $D $EPS $L1 $L2 0 $ITERS 0 0 0 "$R/scuot_double"
run scuot_float "$B" "$work/d$N" $N $N $D $EPS $L1 $L2 0 $ITERS 0 1 0 "$R/scuot_float"
run scuot_default "$B" "$work/d$N" $N $N $D $EPS $L1 $L2 1e-6 10000 1 0 0 "$R/scuot_default"
# the Python tools divide the cost by scuot's median (exact above, sampled over 2^18 entries above that size)
# so that all solve the same problem; they still compute their own median, in the timed part
COST_SCALE=$(sed -n 's/^cost_scale=//p' "$R/scuot_double.txt")
export COST_SCALE
if "$PY" -c "import ot" 2>/dev/null; then
	# POT 0.8.2 takes one reg_m for both sides: it runs lambda1 = lambda2 = L1 and scuot once more alike
	run scuot_double_pot "$B" "$work/d$N" $N $N $D $EPS $L1 $L1 0 $ITERS 0 0 0 "$R/scuot_double_pot"
	run scuot_float_pot "$B" "$work/d$N" $N $N $D $EPS $L1 $L1 0 $ITERS 0 1 0 "$R/scuot_float_pot"
	run pot "$PY" "$here/uotbench.py" pot "$work/d$N" $N $N $D $EPS $L1 $ITERS "$R/pot"
fi
if [ -n "$WOT_SRC" ] && [ -f "$WOT_SRC/wot/ot/optimal_transport.py" ]; then
	run wot "$PY" "$here/uotbench.py" wot "$work/d$N" $N $N $D $EPS $L1 $L2 $ITERS "$R/wot" "$WOT_SRC"
else
	echo "WOT_SRC not set or not a Waddington-OT checkout" >"$R/wot.skipped"
fi
if [ -z "$SKIP_50K" ]; then
	[ -f "$work/d50000/x.bin" ] || "$PY" "$here/uotbench.py" gen "$work/d50000" 50000 50000 $D 2
	run scuot_50k "$B" "$work/d50000" 50000 50000 $D $EPS $L1 $L2 1e-6 10000 1 1 0
fi
cat /proc/loadavg >"$R/load_after.txt"
mkdir -p "$src/reports/bench"
"$PY" "$here/uotreport.py" "$R" >"$src/reports/bench/ot-uot.md"
cat "$src/reports/bench/ot-uot.md"
