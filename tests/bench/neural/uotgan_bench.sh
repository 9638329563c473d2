# tests/bench/neural/uotgan_bench.sh -- time per UOT-GAN iteration: scuot-transport --method uotgan against the
# same architecture, batch and step in PyTorch (CPU, float64 and float32, the same thread count), on the PCA of
# data/example (days 2 -> 6, 30 dimensions).  Writes reports/bench/neural-uotgan.md (a markdown table).
# usage (from the build directory): sh tests/bench/neural/uotgan_bench.sh [THREADS] [ITERS]
# Not a test: rerun on a quiet machine for the numbers that are reported.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../../.." && pwd)}
BIN=${SCUOT_BIN:-.}
PY=/usr/bin/python3
TH=${1:-1}
IT=${2:-500}
OUT=${OUT:-$top_srcdir/reports/bench/neural-uotgan.md}
W=$(mktemp -d "${TMPDIR:-/tmp}/uotgan-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
EX=$top_srcdir/data/example
"$BIN/scuot-ingest" -q "$EX/counts.h5ad" -o "$W/cells.h5ad"
"$BIN/scuot-normalize" -q "$W/cells.h5ad" --n-top-genes 500 -o "$W/norm.h5ad"
"$BIN/scuot-pca" -q "$W/norm.h5ad" -k 30 --fit-days 2,6 -o "$W/pca.h5ad"
NCPU=$(nproc)
export OMP_NUM_THREADS=$TH OPENBLAS_NUM_THREADS=$TH
mkdir -p "$(dirname "$OUT")"
{
	echo "# UOT-GAN: time per iteration, scuot against PyTorch (CPU)"
	echo
	echo "One iteration = f step (with the gradient penalty at interpolates, a second-order gradient) then the"
	echo "T / xi step (Appendix C's T update); T, xi, f with 3 hidden ReLU layers; data/example PCA, 30 dimensions,"
	echo "days 2 -> 6; $IT timed iterations; $TH thread(s) (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS,"
	echo "torch.set_num_threads).  $(uname -m), $NCPU cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "PyTorch $($PY -c 'import torch; print(torch.__version__)'); scuot computes in float64."
	echo
	echo "| batch | width | zdim | scuot f64 ms/iter | torch f64 ms/iter | torch f32 ms/iter | speed-up vs torch f64 |"
	echo "|---:|---:|---:|---:|---:|---:|---:|"
} >"$OUT"
for cfg in "128 64 2" "256 128 2" "512 256 8"; do
	set -- $cfg
	"$BIN/scuot-transport" -q --threads "$TH" --method uotgan --iters "$IT" --batch "$1" --width "$2" --zdim "$3" \
		--record "$IT" --from 2 --to 6 "$W/pca.h5ad" -o "$W/g.h5"
	s=$($PY -c "import h5py,sys; print('%.4f' % (1000 * h5py.File(sys.argv[1])['diagnostics/seconds'][()] / $IT))" \
		"$W/g.h5")
	t64=$($PY "$top_srcdir/tests/bench/neural/uotgan_bench.py" "$W/pca.h5ad" 2 6 "$1" "$2" "$3" "$IT" "$TH" float64)
	t32=$($PY "$top_srcdir/tests/bench/neural/uotgan_bench.py" "$W/pca.h5ad" 2 6 "$1" "$2" "$3" "$IT" "$TH" float32)
	sp=$(awk -v a="$s" -v b="$t64" 'BEGIN { printf "%.2fx", b / a }')
	echo "| $1 | $2 | $3 | $s | $t64 | $t32 | $sp |" >>"$OUT"
done
echo >>"$OUT"
echo "scuot's time is the method's whole run (/diagnostics/seconds: training, then every cell through T, xi, f) over" \
	"the iterations; PyTorch's excludes 20 warm-up iterations. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)." \
	>>"$OUT"
cat "$OUT"
