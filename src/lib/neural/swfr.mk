# src/lib/neural/swfr.mk -- the swfr method (learned spherical-WFR geodesics, UOT-gen) in the neural module.
libscuot_all_la_SOURCES += src/lib/neural/swfr.c src/lib/neural/swfr_internal.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_swfr
TESTS += tests/unit/test_swfr
tests_unit_test_swfr_SOURCES = tests/unit/test_swfr.c
tests_unit_test_swfr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_swfr_LDADD = $(UNIT_LIBS)
endif
TESTS += tests/cli/swfr.sh
EXTRA_DIST += tests/cli/swfr.sh
