# src/cli/score.mk -- scuot-score.
bin_PROGRAMS += scuot-score
scuot_score_SOURCES = src/cli/score.c
scuot_score_LDADD = $(CLI_LIBS)

TESTS += tests/cli/score.sh
EXTRA_DIST += tests/cli/score.sh tests/cli/score_input.py
