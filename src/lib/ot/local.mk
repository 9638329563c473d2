# src/lib/ot/local.mk -- ot module: ground costs, the method interface and table, and the static couplings
# (network-simplex EMD in emd.mk; Sinkhorn, unbalanced Sinkhorn and WFR in sinkhorn.mk).
libscuot_all_la_SOURCES += src/lib/ot/cost.c src/lib/ot/ot.c src/lib/ot/methods.c src/lib/ot/interp.c \
	src/lib/ot/ot_internal.h
scuototdir = $(includedir)/scuot/ot
scuotot_HEADERS = src/lib/ot/cost.h src/lib/ot/ot.h src/lib/ot/interp.h

include src/lib/ot/emd.mk
include src/lib/ot/sinkhorn.mk

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_ot_core
TESTS += tests/unit/test_ot_core
tests_unit_test_ot_core_SOURCES = tests/unit/test_ot_core.c
tests_unit_test_ot_core_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ot_core_LDADD = $(UNIT_LIBS)
endif
