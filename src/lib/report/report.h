/* report.h -- the self-contained HTML report of a run: metadata, score tables per held-out day (best in
 * bold), bar charts, MMD curves of particle flows, PCA scatter plots, scaling-factor histograms and the
 * top growth genes, all figures inline SVG (report/svg.h), no scripts, no external resources. */
#ifndef SCUOT_REPORT_REPORT_H
#define SCUOT_REPORT_REPORT_H

#include <stdio.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One held-out day: its scores (scuot-score TSV), optionally the truth file (h5ad with the day column and
 * the embedding: source, target and held-out cells) and the predictions (scuot-interpolate h5ad). */
typedef struct scuot_report_heldout {
	double from, at, to;
	const char *scores;
	const char *truth; /* NULL: no scatter plots */
	int n_pred;
	const char **pred;
} scuot_report_heldout;

/* What the report shows; every path is borrowed and read by scuot_report_write. */
typedef struct scuot_report_input {
	const char *title;               /* [scuot report] */
	const char *embedding, *day_key; /* obsm key and obs column of the h5ad inputs [X_pca, day] */
	int n_heldout;
	const scuot_report_heldout *heldout;
	int n_results; /* transport results: runs table, scaling histograms, MMD curves */
	const char **results;
	int n_genes; /* genes.tsv files of scuot-rank */
	const char **genes;
	int top_genes;                 /* rows per method and pair in the growth-gene tables [15] */
	const char *evaluation;        /* a TSV shown as a table (the workflow's evaluation.tsv), or NULL */
	const char *config;            /* a text file shown verbatim (the workflow config), or NULL */
	const char *command, *version; /* provenance of the report itself */
	int n_meta;                    /* extra key = value lines of the metadata table */
	const char **meta_keys, **meta_values;
} scuot_report_input;

/* Defaults as in the brackets above; everything else empty. */
SCUOT_EXPORT void scuot_report_input_init(scuot_report_input *in);
/* Check every named input exists and is readable before any work: SCUOT_EINPUT naming the file and what
 * it was given as (e.g. "uot_2_4.h5: no such file (a --result)"). */
SCUOT_EXPORT int scuot_report_check_inputs(const scuot_report_input *in, scuot_err *e);
/* Read the inputs and write the HTML document to path (temporary beside it, renamed when complete).
 * SCUOT_EINPUT naming the file, line or dataset of a bad input (a scores TSV without the scuot-score
 * columns, a prediction without the embedding, ...), SCUOT_EIO, SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_report_write(const scuot_report_input *in, const char *path, scuot_err *e);
/* Write s as HTML text (escaped) -- the same escaping as scuot_svg_escape. */
SCUOT_EXPORT void scuot_report_escape(FILE *fp, const char *s);

/* A TSV table read whole: a header of ncol names and nrow rows of ncol fields (owned). */
typedef struct scuot_report_tsv {
	int ncol;
	int64_t nrow;
	char **head;
	char ***rows;
	char *buf; /* the file's text, which the fields point into */
} scuot_report_tsv;
/* Read path: lines split at tabs, the first line the header; every row must have the header's field
 * count (SCUOT_EINPUT naming the line).  Free with scuot_report_tsv_free. */
SCUOT_EXPORT int scuot_report_tsv_read(const char *path, scuot_report_tsv **out, scuot_err *e);
/* Column of a header name, or -1. */
SCUOT_EXPORT int scuot_report_tsv_col(const scuot_report_tsv *t, const char *name);
/* NULL accepted. */
SCUOT_EXPORT void scuot_report_tsv_free(scuot_report_tsv *t);

#ifdef __cplusplus
}
#endif
#endif
