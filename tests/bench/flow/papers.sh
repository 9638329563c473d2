#!/bin/sh
# tests/bench/flow/papers.sh -- the particle-flow papers' synthetic experiments through scuot-transport:
# figures and tables in reports/flows/ (papers.md, *.svg).  Run from a build directory after make.
#   sh tests/bench/flow/papers.sh [SECTIONS...] [--quick]     (sections 1 2 3 4; default all)
srcdir=${top_srcdir:-$(dirname "$0")/../../..}
builddir=${top_builddir:-.}
exec /usr/bin/python3 "$srcdir/tests/bench/flow/papers.py" "$builddir" "$srcdir/reports/flows" "$@"
