/* mtx.h -- Matrix Market files and 10x Genomics matrix directories (MEX).
 * Reads matrix.mtx[.gz] + features.tsv[.gz] or genes.tsv + barcodes.tsv[.gz]; writes the v3 layout. */
#ifndef SCUOT_IO_MTX_H
#define SCUOT_IO_MTX_H

#include <stddef.h>

#include "core/defs.h"
#include "core/err.h"
#include "core/mat.h"
#include "io/adata.h"
#include "io/stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read a Matrix Market coordinate matrix (genes x cells as 10x writes it) from s and return it
 * transposed as a cells x genes CSR in *out (rows = mtx columns).  integer, real or pattern
 * fields; general symmetry.  Errors (SCUOT_EINPUT, message with file and line): bad banner or size
 * line, index out of range, duplicate entry, negative/NaN/Inf value, entry count mismatch.
 * Streams: peak memory about the size of the result plus one row-pointer array. */
SCUOT_EXPORT int scuot_mtx_read(scuot_stream *s, scuot_csr **out, scuot_err *e);

/* Read a 10x directory (or a path prefix such as dir/sampleA_) into a new scuot_adata:
 * X cells x genes, obs index = barcodes, var index = feature ids, var columns gene_name and
 * (v3) feature_type.  Line counts of features and barcodes must match the matrix dimensions. */
SCUOT_EXPORT int scuot_mtx_read_dir(const char *dir, scuot_adata **out, scuot_err *e);

/* Write a as a 10x v3 directory (matrix.mtx.gz, features.tsv.gz, barcodes.tsv.gz; plain when
 * gz == 0) into dir, created if missing.  Each file is written atomically.  Uses var column
 * gene_name when present, else the index, for the name column. */
SCUOT_EXPORT int scuot_mtx_write_dir(const char *dir, const scuot_adata *a, int gz, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
