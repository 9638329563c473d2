# tests/local.mk -- command-line and interop tests (unit tests are declared beside their modules).
TESTS += tests/cli/ingest.sh
EXTRA_DIST += tests/cli/lib.sh tests/cli/ingest.sh

# Benchmarks: built on request (make -C BUILD tests/bench/ingest/readbench), never part of make check.
EXTRA_PROGRAMS += tests/bench/ingest/readbench
tests_bench_ingest_readbench_SOURCES = tests/bench/ingest/readbench.c
tests_bench_ingest_readbench_LDADD = libscuot_all.la $(HDF5_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += tests/bench/ingest/run.sh tests/bench/ingest/gen.py tests/bench/ingest/pyread.py
TESTS += tests/cli/reliability.sh
EXTRA_DIST += tests/cli/reliability.sh
TESTS += tests/cli/fuzz_regressions.sh
EXTRA_DIST += tests/cli/fuzz_regressions.sh tests/data/fuzz/README.md tests/data/fuzz/tenx-string-size.h5
