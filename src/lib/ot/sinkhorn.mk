# src/lib/ot/sinkhorn.mk -- Sinkhorn, unbalanced Sinkhorn and static WFR couplings, tests and benchmark.
libscuot_all_la_SOURCES += src/lib/ot/sinkhorn.c
scuotot_HEADERS += src/lib/ot/sinkhorn.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_ot_sinkhorn
TESTS += tests/unit/test_ot_sinkhorn
tests_unit_test_ot_sinkhorn_SOURCES = tests/unit/test_ot_sinkhorn.c
tests_unit_test_ot_sinkhorn_CFLAGS = $(UNIT_CFLAGS) -DFIXTURE_DIR='"$(abs_top_srcdir)/tests/fixtures/ot/sinkhorn"'
tests_unit_test_ot_sinkhorn_LDADD = $(UNIT_LIBS)
endif
EXTRA_DIST += tests/fixtures/ot/sinkhorn/make_fixtures.py tests/fixtures/ot/sinkhorn/sinkhorn.txt

# Benchmark driver (not a test): built on request by tests/bench/ot/uot.sh.
EXTRA_PROGRAMS += tests/bench/ot/uotbench
tests_bench_ot_uotbench_SOURCES = tests/bench/ot/uotbench.c
tests_bench_ot_uotbench_LDADD = libscuot_all.la $(HDF5_LIBS)
EXTRA_DIST += tests/bench/ot/uot.sh tests/bench/ot/uotbench.py tests/bench/ot/uotreport.py
