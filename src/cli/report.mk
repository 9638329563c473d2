# src/cli/report.mk -- scuot-rank and scuot-report, their tests and the workflow tests.
bin_PROGRAMS += scuot-rank scuot-report
scuot_rank_SOURCES = src/cli/rank.c
scuot_rank_LDADD = $(CLI_LIBS)
scuot_report_SOURCES = src/cli/report.c
scuot_report_LDADD = $(CLI_LIBS)

TESTS += tests/cli/rank.sh
EXTRA_DIST += tests/cli/rank.sh tests/cli/rank_check.py
TESTS += tests/cli/report.sh tests/cli/report_render.sh
EXTRA_DIST += tests/cli/report.sh tests/cli/report_render.sh tests/cli/report_input.sh tests/cli/png_check.py
TESTS += tests/cli/workflow.sh
EXTRA_DIST += tests/cli/workflow.sh pipeline/Snakefile pipeline/config.yaml pipeline/bin/scuot_evaluation.py \
	pipeline/main.nf pipeline/nextflow.config pipeline/assets/NO_FILE
