# src/cli/local.mk -- the dispatcher and one executable per stage.
libscuot_cli_la_SOURCES += src/cli/common.c src/cli/common.h
libscuot_cli_la_CFLAGS = $(AM_CFLAGS)

bin_PROGRAMS += scuot
scuot_SOURCES = src/scuot.c
scuot_LDADD = $(CLI_LIBS)

bin_PROGRAMS += scuot-ingest
scuot_ingest_SOURCES = src/cli/ingest.c
scuot_ingest_LDADD = $(CLI_LIBS)

include src/cli/simulate.mk
include src/cli/prep.mk
include src/cli/transport.mk
include src/cli/score.mk
include src/cli/report.mk
