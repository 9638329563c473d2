# src/cli/simulate.mk -- scuot-simulate: synthetic branching time courses with known growth.
bin_PROGRAMS += scuot-simulate
scuot_simulate_SOURCES = src/cli/simulate.c
scuot_simulate_LDADD = $(CLI_LIBS)

TESTS += tests/cli/simulate.sh
EXTRA_DIST += tests/cli/simulate.sh
