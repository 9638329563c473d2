# tests/local.mk -- command-line and interop tests (unit tests are declared beside their modules).
TESTS += tests/cli/ingest.sh tests/cli/interop_inputs.sh
EXTRA_DIST += tests/cli/lib.sh tests/cli/ingest.sh tests/cli/interop_inputs.sh

# Benchmarks: built on request (make -C BUILD tests/bench/ingest/readbench), never part of make check.
EXTRA_PROGRAMS += tests/bench/ingest/readbench
tests_bench_ingest_readbench_SOURCES = tests/bench/ingest/readbench.c
tests_bench_ingest_readbench_LDADD = libscuot_all.la $(HDF5_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += tests/bench/ingest/run.sh tests/bench/ingest/gen.py tests/bench/ingest/pyread.py
TESTS += tests/cli/reliability.sh
EXTRA_DIST += tests/cli/reliability.sh
TESTS += tests/cli/fuzz_regressions.sh
EXTRA_DIST += tests/cli/fuzz_regressions.sh tests/data/fuzz/README.md tests/data/fuzz/tenx-string-size.h5 \
	tests/data/fuzz/result-cost-norm.h5 tests/bench/ot/run.sh

# Fuzzing (issue: reliability): every libFuzzer driver for FUZZ_SECONDS each; see tests/fuzz/run.sh.
FUZZ_SECONDS = 60
fuzz: all
	FUZZ_WORK=$(abs_top_builddir)/_build-fuzz sh $(srcdir)/tests/fuzz/run.sh $(FUZZ_SECONDS)
.PHONY: fuzz
EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/lsan.supp tests/fuzz/fuzz_mtx.c tests/fuzz/fuzz_tenxdir.c \
	tests/fuzz/fuzz_text.c tests/fuzz/fuzz_table.c tests/fuzz/fuzz_h5ad.c tests/fuzz/fuzz_tenx.c tests/fuzz/fuzz_loom.c \
	tests/fuzz/fuzz_result.c tests/fuzz/corpus/result/uot.h5 tests/fuzz/corpus/result/emd.h5 \
	tests/fuzz/corpus/result/wfr.h5
