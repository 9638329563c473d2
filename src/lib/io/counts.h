/* counts.h -- read a count matrix in any supported format into a scuot_adata.
 * Detects the format from the path (directory, extension, HDF5 layout) unless one is given. */
#ifndef SCUOT_IO_COUNTS_H
#define SCUOT_IO_COUNTS_H

#include "core/defs.h"
#include "core/err.h"
#include "io/adata.h"

#ifdef __cplusplus
extern "C" {
#endif

enum scuot_counts_format {
	SCUOT_FMT_AUTO = 0,
	SCUOT_FMT_MTX,   /* 10x Matrix Market directory (or prefix) */
	SCUOT_FMT_TENX,  /* 10x HDF5 (Cell Ranger v2 or v3) */
	SCUOT_FMT_H5AD,  /* AnnData */
	SCUOT_FMT_LOOM,  /* loom */
	SCUOT_FMT_TEXT   /* dense CSV/TSV, optionally gzip-compressed */
};

typedef struct scuot_counts_opts {
	int format;         /* SCUOT_FMT_* [AUTO] */
	const char *genome; /* 10x HDF5 genome [NULL: the only one] */
	const char *layer;  /* h5ad or loom layer to use as counts [NULL: X / matrix] */
	int orient;         /* text orientation, SCUOT_TEXT_* [AUTO] */
} scuot_counts_opts;

/* Fill o with the defaults above. */
SCUOT_EXPORT void scuot_counts_opts_init(scuot_counts_opts *o);
/* Format name ("mtx", "10x-h5", "h5ad", "loom", "text") of a SCUOT_FMT_* value. */
SCUOT_EXPORT const char *scuot_counts_format_name(int format);
/* SCUOT_FMT_* for a name as printed by scuot_counts_format_name (also "auto"), or -1. */
SCUOT_EXPORT int scuot_counts_format_parse(const char *name);
/* Detect the format of path: a directory is mtx; .h5ad, .loom, .h5/.hdf5, .csv/.tsv/.txt (.gz)
 * by extension; other HDF5 files by their layout.  SCUOT_EINPUT if missing or unrecognised. */
SCUOT_EXPORT int scuot_counts_detect(const char *path, int *format, scuot_err *e);
/* Read path into a new object with X (cells x genes, raw counts), obs index = cell ids, var index
 * = gene ids and var column gene_name.  Checks values are finite and non-negative and that the
 * matrix is not empty.  Errors from the readers carry the file name.  Free with scuot_adata_free. */
SCUOT_EXPORT int scuot_counts_read(const char *path, const scuot_counts_opts *o, scuot_adata **out,
                                   scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
