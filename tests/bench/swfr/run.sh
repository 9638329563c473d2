#!/bin/sh
# tests/bench/swfr/run.sh -- time per training iteration of swfr (learned spherical-WFR geodesics): scuot
# (swfr_bench.c, swfr_train) against the same model and iteration in PyTorch (swfr_torch.py, Debian
# python3-torch, CPU), side by side at 2 threads and 1 thread, after checking that both compute the same J,
# gradients and Adam step; table in reports/bench/swfr.md.  Not part of make check.
#   sh tests/bench/swfr/run.sh [BUILD_DIR]   (THREADS="2 1" ITERS=3 REPEATS=3 by default; CONFIGS below)
set -e
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-.}" && pwd)
ths=${THREADS:-2 1}
iters=${ITERS:-3}
repeats=${REPEATS:-3}
py=/usr/bin/python3
make -C "$build" tests/bench/swfr/swfr_bench >/dev/null
B=$build/tests/bench/swfr/swfr_bench
out=${OUT:-$src/reports/bench/swfr.md}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/swfr-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# name:d:batch:tbatch:width:RK4 steps, separated by spaces
configs=${CONFIGS:-1-D:1:512:512:32:8 2-D:2:512:512:32:8 10-PC:10:1024:1024:32:8}
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# correctness: one iteration on fixed minibatches, scuot's J, gradients and Adam step against PyTorch float64
: >"$tmp/check"
for c in $configs; do
	IFS=: read -r name d b tb w st <<EOF
$c
EOF
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$B" --dump "$tmp/$name.dump" --repeats 1 $d $b $tb $w $st 1 1 \
		>/dev/null
	r=$(OMP_NUM_THREADS=1 $py "$here/swfr_torch.py" "$tmp/$name.dump" check | tail -2 | tr '\n' ' ')
	echo "$name $r" >>"$tmp/check"
	case $r in *"check passed"*) ;; *) echo "swfr bench: the check failed for $name: $r" >&2; exit 1 ;; esac
done

# timings: every side at the same thread count, one configuration after another
for th in $ths; do
	export OMP_NUM_THREADS=$th OPENBLAS_NUM_THREADS=$th
	for c in $configs; do
		IFS=: read -r name d b tb w st <<EOF
$c
EOF
		s=$("$B" --repeats "$repeats" $d $b $tb $w $st "$iters" 1)
		t64=$($py "$here/swfr_torch.py" "$tmp/$name.dump" time "$iters" "$repeats" float64 "$th")
		t32=$($py "$here/swfr_torch.py" "$tmp/$name.dump" time "$iters" "$repeats" float32 "$th")
		echo "$th $name $d $b $tb $w $st $s $t64 $t32" >>"$tmp/times"
	done
done

{
	echo "# swfr: time per training iteration, scuot against PyTorch (CPU)"
	echo
	echo "Machine: $(nproc --all) cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1))," \
		"$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); OpenBLAS" \
		"$(dpkg-query -W -f '${Version}' libopenblas0-pthread 2>/dev/null || echo '?'), glibc" \
		"$(dpkg-query -W -f '${Version}' libc6 2>/dev/null || echo '?'), $(gcc --version | head -1)," \
		"PyTorch $($py -c 'import torch; print(torch.__version__)') (Debian python3-torch)." \
		"Written by tests/bench/swfr/run.sh ($(date -u +%Y-%m-%d)); load average before: $load0."
	echo
	echo "One iteration of swfr_train (src/lib/neural/swfr.c; the swfr paper of NOTES.md, Sec. 4.4 and" \
		"Algorithm 1): a minibatch of rho0 particles through the forward system (4.9) by RK4 (positions," \
		"weights, log-determinants, int Phi dt and the integrands of J_SWFR and J_R), a minibatch of rho1 draws" \
		"back through (4.11) for int Phi-hat dt, J = J_KL + 0.01 J_SWFR + 0.01 J_R, its gradient in every" \
		"parameter of the OT-Flow potential (width m, A with r = d rows; grad_x Phi and the Laplacian trace in" \
		"closed form) and an Adam step. PyTorch: tests/bench/swfr/swfr_torch.py, the same model, state vector," \
		"RK4 and J written line by line (closed-form grad and Laplacian as OT-Flow's reference code, autograd" \
		"only for the parameter gradient of J), torch.optim.Adam with the same hyper-parameters, from the same" \
		"initial parameters and data."
	echo
	echo "Configurations: 1-D, the 1-D experiment of Sec. 6.1 (rho0 = 1/3 N(-3, 1) + 2/3 N(3, 1)," \
		"rho1 = N(0, 1)); 2-D, the 2-D toys of Sec. 6.2 (eight Gaussians to N(0, I)); 10-PC, scuot's" \
		"swfr method between two days in 10 PCs (log rho1 a full-covariance mixture of 4 components" \
		"fitted to the target cells, which are also the draws for Phi-hat). Pools of 4 x batch points;" \
		"each iteration draws its minibatches (rho1 = N(0, I): fresh draws). $iters iterations after 3" \
		"warm-up ones, repeated $repeats times: the median of the repeats (wall clock; CPU: process CPU" \
		"time, all threads, which other work on the machine disturbs less). Threads: OMP_NUM_THREADS," \
		"OPENBLAS_NUM_THREADS and torch.set_num_threads."
	echo
	echo "GFLOP: the matrix products of one scuot iteration, forward and gradient (2 m n k each, counted by" \
		"the graph); bound: GFLOP / (threads x 48.5 GFLOP/s), dgemm's rate on this machine per thread (97" \
		"GFLOP/s at 2 threads), the time if every flop" \
		"ran at dgemm's peak. The products are of n x (d + 1) and n x 32 by 32 x 32 matrices, and the" \
		"iteration is far from that bound: it is made of passes over n x 32 arrays. Profiled at 1 thread" \
		"(perf, 10-PC): dgemm and its packing about 40% of scuot's time, tanh and log cosh 13%, the other" \
		"elementwise loops 25%. scuot evaluates tanh, log cosh, softplus, sigmoid and exp with vectorised" \
		"straight-line code (src/lib/core/vmath_internal.h, within 4 ulp of glibc's functions, tested" \
		"against them) and compiles the elementwise loops for AVX-512 and AVX2 as well, chosen at load" \
		"time; PyTorch uses SLEEF's vectorised functions."
	echo
	echo "## Correctness"
	echo
	echo "One iteration on fixed minibatches (the first batch / tbatch points of the pools), float64, from the" \
		"same parameters: the relative error of PyTorch's J (and J_KL, J_SWFR, J_R) against scuot's, the" \
		"largest error of the parameter gradients over the largest gradient entry, and of the parameters" \
		"after the Adam step over the learning rate (tolerance 1e-10 each; run.sh stops if one is exceeded)."
	echo
	echo "| config | costs | gradients | Adam step | check |"
	echo "|---|---:|---:|---:|---|"
	re='s/max relative error: costs \([^,]*\), gradients \([^ ]*\) [^,]*, Adam step \([^ ]*\) .*'
	sed "$re"'check \([a-zA-Z]*\).*/| \1 | \2 | \3 | \4 |/' "$tmp/check" | sed 's/^\([^ ]*\) /| \1 /'
	for th in $ths; do
		echo
		echo "## $th thread(s)"
		echo
		echo "| config | d | batch | tbatch | width | steps | scuot f64 ms | CPU ms | PyTorch f64 ms | CPU ms |" \
			"PyTorch f64 / scuot | PyTorch f32 ms | PyTorch f32 / scuot | GFLOP | bound ms | 2x target |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		awk -v th=$th '$1 == th {
			s = $8; sc = $11; fl = $12; t = $14; tc = $17; f = $19
			printf "| %s | %d | %d | %d | %d | %d | %.1f | %.1f | %.1f | %.1f ", $2, $3, $4, $5, $6, $7, s, sc, t, tc
			printf "| %.2fx | %.1f | %.2fx | %.3f | %.2f | %s |\n", t / s, f, f / s, fl / 1e9, fl / (48.5e6 * th),
			       (t / s >= 2 ? "met" : "NOT met")
		}' "$tmp/times"
	done
	echo
	awk '{ n++; r = $14 / $8; if (r >= 2) k++
	       else miss = miss sprintf(" %s at %s thread(s) (%.2fx);", $2, $1, r) }
	     END { printf "2x target met in %d of %d rows.%s\n", k, n, k < n ? " Not met:" miss : "" }' "$tmp/times"
	echo
	echo "2x target: scuot float64 at least twice as fast as PyTorch float64 at the same thread count (wall" \
		"clock medians). PyTorch float32 is its default precision, shown for information. Load average after:" \
		"$(cut -d' ' -f1-3 /proc/loadavg) ($(nproc --all) cores)."
	echo
	echo "## Engine changes made for this benchmark"
	echo
	echo "Measured once when they were made (not by this run; 1 thread, CPU ms per iteration, the same" \
		"swfr_bench before and after, alternated, on the 2-core machine at load 6-10), scuot before -> after" \
		"the changes to src/lib/nn: 1-D 172-175 -> 88-105, 2-D 174-183 -> 130-134, 10-PC 418-472 -> 323-328;" \
		"peak memory (1-D) 477 -> 179 MB. The changes: log cosh's derivative reuses the tanh node of its" \
		"input (swfr_phi makes it for grad Phi), so each right-hand side evaluates tanh twice instead of four" \
		"times over n x 32; scuot_nn_backward (first order) hands the memory of dead adjoint nodes back to" \
		"the graph during its reverse sweep, so the sweep works in cache; and the first-order adjoints of" \
		"tanh, sigmoid, log cosh, square and the sums of mul_row, mul_col and smul take one pass each" \
		"instead of a chain of operations. The dumps (J, gradients, Adam step) are the same bit for bit" \
		"before and after."
	echo
	echo "Then (2026-11-24, 1 thread, wall ms per iteration, swfr_bench before and after on the quiet" \
		"machine): the vectorised tanh, log cosh and exp and the AVX-512 / AVX2 clones of the elementwise" \
		"loops, 1-D 82 -> 47, 2-D 87 -> 53, 10-PC 289 -> 193. They change results in the last bits (J after" \
		"the benchmark's iterations agrees to the 10 digits printed)."
	echo
	echo "What stands between scuot and more: dgemm on 32-wide matrices (small products run well below" \
		"dgemm's peak), at d = 10 the Laplacian's loop over the d columns (a product by K1 and three passes" \
		"over n x 32 per column, and their adjoints), and the elementwise passes of the graph, one per" \
		"operation; a fused potential operation would remove most of the latter."
	echo
	echo "At 2 threads on a 2-core machine shared with other work PyTorch is often far slower than at 1 thread" \
		"(its OpenMP and BLAS threads contend for the cores); compare each side's best time as well."
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
