# src/lib/neural/gan.mk -- neural methods uotgan (UOT-GAN) and uot-dual (dual SGD with neural potentials and the
# barycentric map), registered in the transport method table; their tests and benchmark.
libscuot_all_la_SOURCES += src/lib/neural/uotgan.c src/lib/neural/uotdual.c src/lib/neural/neural_internal.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_uotgan
TESTS += tests/unit/test_uotgan
tests_unit_test_uotgan_SOURCES = tests/unit/test_uotgan.c
tests_unit_test_uotgan_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_uotgan_LDADD = $(UNIT_LIBS)
endif
TESTS += tests/cli/uotgan.sh
EXTRA_DIST += tests/cli/uotgan.sh
# Benchmark (not a test): sh tests/bench/neural/uotgan_bench.sh
EXTRA_DIST += tests/bench/neural/uotgan_bench.sh tests/bench/neural/uotgan_bench.py
