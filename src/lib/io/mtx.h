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
 * transposed as a cells x genes CSR in *out (rows = mtx columns, each row sorted by gene; caller
 * frees with scuot_csr_free).  integer, real/double or pattern fields; general symmetry.  Explicit
 * zeros are dropped.  Errors (SCUOT_EINPUT, message with file and line): bad banner or size line,
 * index out of range, duplicate entry, negative/NaN/Inf or non-numeric value, trailing text, entry
 * count mismatch; SCUOT_ELIMIT/SCUOT_ENOMEM when the declared size cannot be allocated.
 * Streams: peak memory is the result (sized from the size line) plus one int64 per cell.  Entries
 * sorted by column (Cell Ranger, STARsolo, scipy) take one pass; otherwise s is rewound for a second
 * pass (a pipe then gives SCUOT_EINPUT). */
SCUOT_EXPORT int scuot_mtx_read(scuot_stream *s, scuot_csr **out, scuot_err *e);

/* Read a 10x directory (or a path prefix such as dir/sampleA_) into a new scuot_adata (free with
 * scuot_adata_free): X cells x genes, obs index = barcodes, var index = feature ids, var STRING
 * columns gene_name and (when the features file has a third column) feature_type.  Looks for
 * matrix.mtx[.gz], features.tsv[.gz] or legacy genes.tsv[.gz] (id and name; a lone id column is its
 * own name), barcodes.tsv[.gz].  SCUOT_EINPUT: a missing file (the names looked for are listed),
 * line counts of features/barcodes that differ from the matrix dimensions, repeated barcodes or
 * feature ids, or any error of scuot_mtx_read. */
SCUOT_EXPORT int scuot_mtx_read_dir(const char *dir, scuot_adata **out, scuot_err *e);

/* Write a as a 10x v3 directory (matrix.mtx.gz, features.tsv.gz, barcodes.tsv.gz; plain when
 * gz == 0) into dir, created if missing (one level).  Banner 'integer' when every value is
 * integral, else 'real'; entries sorted by cell then gene, explicit zeros left out, integral values
 * printed as integers and others with %.9g (exact for float).  features: id, var column gene_name
 * (else the id), feature_type (else "Gene Expression").  The three files are written to temporaries
 * and renamed into place only when all succeeded.  SCUOT_EINPUT: no X, a non-finite value, or an
 * id/name/barcode that is empty or holds a tab or line break; SCUOT_EIO: writing failed. */
SCUOT_EXPORT int scuot_mtx_write_dir(const char *dir, const scuot_adata *a, int gz, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
