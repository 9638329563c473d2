#!/bin/sh
# tests/bench/neural/critic.sh -- time per update of the USD critic: scuot (critic_bench.c) against the same
# architecture, batch, loss and optimiser in PyTorch (critic_torch.py, Debian python3-torch on the CPU, the same
# thread count), in one run; table in reports/bench/neural-critic.md.  Not part of make check.
#   sh tests/bench/neural/critic.sh [BUILD_DIR]     (THREADS=2 UPDATES=30 by default)
set -e
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-.}" && pwd)
threads=${THREADS:-2}
updates=${UPDATES:-30}
make -C "$build" tests/bench/neural/critic_bench >/dev/null
B=$build/tests/bench/neural/critic_bench
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
out=${OUT:-$src/reports/bench/neural-critic.md}
tmp=$out.tmp
load0=$(cut -d' ' -f1-3 /proc/loadavg)
best() { # the fastest of three runs of a command printing "seconds ..."
	for k in 1 2 3; do "$@"; done | sort -n | head -1
}
{
	echo "## Neural critic update: scuot vs PyTorch"
	echo
	echo "One update of the USD critic (IBM/USD D_mlp and D_forward_weights as NOTES.md describes them): minibatches" \
		"of $(echo 512) points from each side, forward on both, grad_x f on the particles, the loss" \
		"-(E_p f - E_q f - lambda c - rho/2 c^2) with c = E_q |grad f|^2 + alpha Var_q f - 1, its gradient in every" \
		"parameter (a second-order path), an AMSGrad step with weight decay and the multiplier step." \
		"scuot: tests/bench/neural/critic_bench.c (scuot_usd_critic_update, float64); PyTorch" \
		"$(/usr/bin/python3 -c 'import torch; print(torch.__version__)') (critic_torch.py) in float64 (equal precision) and" \
		"float32 (its default, for information); $threads threads on both sides (OMP_NUM_THREADS," \
		"OPENBLAS_NUM_THREADS, torch.set_num_threads); $updates timed updates after 3 warm-up ones, the fastest of 3 runs." \
		"GFLOP: the matrix products of one scuot update (2 m n k each); bound: GFLOP / ($threads x 48.5 GFLOP/s)," \
		"dgemm's rate on this machine per thread (97 GFLOP/s at 2 threads), the time if every flop ran at it;" \
		"ceiling: PyTorch float64 ms / bound ms, the most that any implementation doing these products could" \
		"gain over PyTorch here."
	echo
	echo "| critic | input d | batch norm | scuot ms | PyTorch float64 ms | PyTorch / scuot | PyTorch float32 ms | GFLOP | bound ms | ceiling |"
	echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
	for cfg in "2 64 1024 64 0" "30 128 1024 64 1"; do
		set -- $cfg
		s=$(best "$B" $1 $2 $3 $4 $5 512 "$updates" 1)
		t64=$(best /usr/bin/python3 "$here/critic_torch.py" $1 $2 $3 $4 $5 512 "$updates" float64 "$threads")
		t32=$(best /usr/bin/python3 "$here/critic_torch.py" $1 $2 $3 $4 $5 512 "$updates" float32 "$threads")
		echo "$s $t64 $t32" | awk -v a="$2-$3-$4" -v d=$1 -v bn=$5 -v th="$threads" '{
			bound = $4 / (48.5e9 * th)
			printf "| %s | %d | %s | %.1f | %.1f | %.2fx | %.1f | %.2f | %.1f | %.2fx |\n", a, d, bn ? "yes" : "no",
			       1000 * $1, 1000 * $5, $5 / $1, 1000 * $8, $4 / 1e9, 1000 * bound, $5 / bound }'
	done
	echo
	echo "Load average before / after: $load0 / $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc --all) cores)."
} >"$tmp"
mv "$tmp" "$out"
cat "$out"
