# src/lib/ot/emd.mk -- exact optimal transport by the network simplex, its tests and benchmark.
libscuot_all_la_SOURCES += src/lib/ot/emd.c
scuotot_HEADERS += src/lib/ot/emd.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_ot_emd
TESTS += tests/unit/test_ot_emd
tests_unit_test_ot_emd_SOURCES = tests/unit/test_ot_emd.c
tests_unit_test_ot_emd_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_DIR='"$(abs_top_srcdir)/tests/fixtures/ot/emd"'
tests_unit_test_ot_emd_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ot_emd_LDADD = $(UNIT_LIBS)
endif
EXTRA_DIST += tests/fixtures/ot/emd/make_fixtures.py tests/fixtures/ot/emd/cases.txt

# Benchmark driver against POT's ot.emd, built on request by tests/bench/ot/emd.sh (not a test).
EXTRA_PROGRAMS += tests/bench/ot/emdbench
tests_bench_ot_emdbench_SOURCES = tests/bench/ot/emdbench.c
tests_bench_ot_emdbench_LDADD = libscuot_all.la $(HDF5_LIBS)
EXTRA_DIST += tests/bench/ot/emd.sh tests/bench/ot/emd_pot.py
