# src/cli/prep.mk -- the preprocessing stages: scuot-normalize and scuot-pca.
bin_PROGRAMS += scuot-normalize scuot-pca
scuot_normalize_SOURCES = src/cli/normalize.c
scuot_normalize_LDADD = $(CLI_LIBS)
scuot_pca_SOURCES = src/cli/pca.c
scuot_pca_LDADD = $(CLI_LIBS)

TESTS += tests/cli/normalize.sh tests/cli/pca.sh
EXTRA_DIST += tests/cli/normalize.sh tests/cli/pca.sh tests/cli/prep_input.py tests/cli/h5same.py

# Benchmark driver of the prep library, built on request by tests/bench/prep/run.sh (not a test).
EXTRA_PROGRAMS += tests/bench/prep/prepbench
tests_bench_prep_prepbench_SOURCES = tests/bench/prep/prepbench.c
tests_bench_prep_prepbench_LDADD = libscuot_all.la $(HDF5_LIBS)
EXTRA_DIST += tests/bench/prep/run.sh tests/bench/prep/gen.py tests/bench/prep/pybench.py tests/bench/prep/report.py
