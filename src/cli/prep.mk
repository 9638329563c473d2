# src/cli/prep.mk -- the preprocessing stages: scuot-normalize and scuot-pca.
bin_PROGRAMS += scuot-normalize scuot-pca
scuot_normalize_SOURCES = src/cli/normalize.c
scuot_normalize_LDADD = $(CLI_LIBS)
scuot_pca_SOURCES = src/cli/pca.c
scuot_pca_LDADD = $(CLI_LIBS)

TESTS += tests/cli/normalize.sh tests/cli/pca.sh
EXTRA_DIST += tests/cli/normalize.sh tests/cli/pca.sh tests/cli/prep_input.py tests/cli/h5same.py
