# src/lib/neural/local.mk -- neural module: neural (unbalanced) Sobolev descent (nsd, nusd, nusd-bd), UOT-GAN
# (uotgan), dual SGD with neural potentials and the barycentric map (uot-dual) and learned spherical-WFR
# geodesics (swfr), registered in the transport method table; their tests and benchmarks.
libscuot_all_la_SOURCES += src/lib/neural/usd.c src/lib/neural/uotgan.c src/lib/neural/uotdual.c \
	src/lib/neural/neural_internal.h src/lib/neural/swfr.c src/lib/neural/swfr_internal.h \
	src/lib/neural/uotgen.c
scuotneuraldir = $(includedir)/scuot/neural
scuotneural_HEADERS = src/lib/neural/neural.h src/lib/neural/uotgen.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_neural
TESTS += tests/unit/test_neural
tests_unit_test_neural_SOURCES = tests/unit/test_neural.c
tests_unit_test_neural_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_neural_LDADD = $(UNIT_LIBS)
check_PROGRAMS += tests/unit/test_uotgan
TESTS += tests/unit/test_uotgan
tests_unit_test_uotgan_SOURCES = tests/unit/test_uotgan.c
tests_unit_test_uotgan_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_uotgan_LDADD = $(UNIT_LIBS)
check_PROGRAMS += tests/unit/test_swfr
TESTS += tests/unit/test_swfr
tests_unit_test_swfr_SOURCES = tests/unit/test_swfr.c tests/unit/swfr_toys.h
tests_unit_test_swfr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_swfr_LDADD = $(UNIT_LIBS)
check_PROGRAMS += tests/unit/test_uotgen
TESTS += tests/unit/test_uotgen
tests_unit_test_uotgen_SOURCES = tests/unit/test_uotgen.c
tests_unit_test_uotgen_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_uotgen_LDADD = $(UNIT_LIBS)
endif

# Benchmark driver against PyTorch, built on request by tests/bench/neural/critic.sh (not a test).
EXTRA_PROGRAMS += tests/bench/neural/critic_bench
tests_bench_neural_critic_bench_SOURCES = tests/bench/neural/critic_bench.c
tests_bench_neural_critic_bench_LDADD = libscuot_all.la $(HDF5_LIBS)
EXTRA_DIST += tests/bench/neural/critic.sh tests/bench/neural/critic_torch.py
TESTS += tests/cli/lodo_neural.sh tests/cli/uotgan.sh tests/cli/swfr.sh tests/cli/uotgen_bayes.sh
EXTRA_DIST += tests/cli/lodo_neural.sh tests/cli/uotgan.sh tests/cli/swfr.sh tests/bench/neural/papers.py \
	tests/cli/uotgen_bayes.sh tests/cli/bernoulli.py
# Benchmarks and reports (not tests): sh tests/bench/neural/run.sh, tests/bench/neural/papers.py, lodo.py
EXTRA_DIST += tests/bench/neural/uotgan_bench.sh tests/bench/neural/uotgan_bench.py tests/bench/neural/run.sh \
	tests/bench/neural/lodo.py

# The swfr paper's figures (Sec. 6.1, 6.2): driver built on request by tests/bench/swfr/papers.py (not a test).
EXTRA_PROGRAMS += tests/bench/swfr/papers
tests_bench_swfr_papers_SOURCES = tests/bench/swfr/papers.c tests/unit/swfr_toys.h
tests_bench_swfr_papers_LDADD = libscuot_all.la $(HDF5_LIBS)
EXTRA_DIST += tests/bench/swfr/papers.py tests/bench/swfr/bayes.py

# Growth ranking of the scaling factors against the simulator (not a test): tests/bench/neural/growth.py
EXTRA_DIST += tests/bench/neural/growth.py

# The swfr training iteration against PyTorch, built on request by tests/bench/swfr/run.sh (not a test).
EXTRA_PROGRAMS += tests/bench/swfr/swfr_bench
tests_bench_swfr_swfr_bench_SOURCES = tests/bench/swfr/swfr_bench.c
tests_bench_swfr_swfr_bench_LDADD = libscuot_all.la $(HDF5_LIBS)
EXTRA_DIST += tests/bench/swfr/run.sh tests/bench/swfr/swfr_torch.py
