# src/lib/nn/local.mk -- nn module: reverse-mode automatic differentiation over dense matrices, layers and
# optimisers (the engine of the neural methods).
libscuot_all_la_SOURCES += src/lib/nn/graph.c src/lib/nn/ops.c src/lib/nn/layers.c src/lib/nn/nn_internal.h
scuotnndir = $(includedir)/scuot/nn
scuotnn_HEADERS = src/lib/nn/nn.h src/lib/nn/layers.h

EXTRA_DIST += tests/fixtures/nn/make_fixtures.py tests/fixtures/nn/fixtures.txt

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_nn
TESTS += tests/unit/test_nn
tests_unit_test_nn_SOURCES = tests/unit/test_nn.c
tests_unit_test_nn_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_nn_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_DIR='"$(abs_top_srcdir)/tests/fixtures/nn"'
tests_unit_test_nn_LDADD = $(UNIT_LIBS)
endif
