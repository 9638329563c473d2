# src/lib/sim/local.mk -- sim module: synthetic branching time courses with known growth (scuot-simulate).
libscuot_all_la_SOURCES += \
	src/lib/sim/sim.c src/lib/sim/sim_opts.c src/lib/sim/sim_write.c src/lib/sim/sim_internal.h
scuotsimdir = $(includedir)/scuot/sim
scuotsim_HEADERS = src/lib/sim/sim.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_sim
TESTS += tests/unit/test_sim
tests_unit_test_sim_SOURCES = tests/unit/test_sim.c
tests_unit_test_sim_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sim_LDADD = $(UNIT_LIBS)
endif
