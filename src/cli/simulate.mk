# src/cli/simulate.mk -- scuot-simulate: synthetic branching time courses with known growth.
bin_PROGRAMS += scuot-simulate
scuot_simulate_SOURCES = src/cli/simulate.c
scuot_simulate_LDADD = $(CLI_LIBS)

TESTS += tests/cli/simulate.sh
EXTRA_DIST += tests/cli/simulate.sh

# The example data set made by scuot-simulate (data/example/README.md has the command).
EXTRA_DIST += data/example/README.md data/example/counts.h5ad data/example/cell_days.tsv \
	data/example/truth.tsv data/example/genes_truth.tsv data/example/counts/matrix.mtx.gz \
	data/example/counts/features.tsv.gz data/example/counts/barcodes.tsv.gz
