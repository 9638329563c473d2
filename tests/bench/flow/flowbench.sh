#!/bin/sh
# tests/bench/flow/flowbench.sh -- time per descent step of each particle flow at n = m = 4,000, d = 30 against
# NumPy (and torch, CPU, where installed) in one run: reports/bench/flow.md.  Run from a build directory
# after make; rerun on a quiet machine for timings that mean something.
#   sh tests/bench/flow/flowbench.sh [--n N] [--d D] [--steps K] [--repeats R] [--threads T]
srcdir=${top_srcdir:-$(dirname "$0")/../../..}
builddir=${top_builddir:-.}
exec /usr/bin/python3 "$srcdir/tests/bench/flow/flowbench.py" "$builddir" "$builddir/.libs/libscuot.so" \
	"$srcdir/reports/bench/flow.md" "$@"
