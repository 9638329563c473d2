# src/cli/transport.mk -- scuot-transport, scuot-interpolate and scuot-uotgen.
bin_PROGRAMS += scuot-transport
scuot_transport_SOURCES = src/cli/transport.c
scuot_transport_LDADD = $(CLI_LIBS)
bin_PROGRAMS += scuot-interpolate
scuot_interpolate_SOURCES = src/cli/interpolate.c
scuot_interpolate_LDADD = $(CLI_LIBS)
bin_PROGRAMS += scuot-uotgen
scuot_uotgen_SOURCES = src/cli/uotgen.c
scuot_uotgen_LDADD = $(CLI_LIBS)

TESTS += tests/cli/transport.sh tests/cli/lodo.sh
EXTRA_DIST += tests/cli/transport.sh tests/cli/lodo.sh tests/fixtures/ot/wot/make_fixture.py \
	tests/fixtures/ot/wot/problem.h5ad tests/fixtures/ot/wot/tmap.txt
