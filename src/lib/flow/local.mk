# src/lib/flow/local.mk -- flow module: kernel particle flows (Sobolev descent, unbalanced Sobolev descent,
# IFT, MMD and WFR flows of the MMD), registered in the transport method table; tests and benchmark.
libscuot_all_la_SOURCES += src/lib/flow/kernel.c src/lib/flow/simplex.c src/lib/flow/state.c \
	src/lib/flow/sobolev.c src/lib/flow/ift.c src/lib/flow/flow_internal.h
scuotflowdir = $(includedir)/scuot/flow
scuotflow_HEADERS = src/lib/flow/flow.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_flow
TESTS += tests/unit/test_flow
tests_unit_test_flow_SOURCES = tests/unit/test_flow.c
tests_unit_test_flow_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_flow_LDADD = $(UNIT_LIBS)
endif
TESTS += tests/cli/lodo_flows.sh
EXTRA_DIST += tests/cli/lodo_flows.sh
# Benchmark and paper-figure scripts (not tests): sh tests/bench/flow/flowbench.sh, sh tests/bench/flow/papers.sh
EXTRA_DIST += tests/bench/flow/flowbench.sh tests/bench/flow/flowbench.py tests/bench/flow/papers.sh \
	tests/bench/flow/papers.py
