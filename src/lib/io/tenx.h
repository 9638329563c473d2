/* tenx.h -- 10x Genomics feature-barcode HDF5 files (Cell Ranger v3 /matrix and v2 per-genome).
 * The CSC genes x cells matrix is read as-is as cells x genes CSR. */
#ifndef SCUOT_IO_TENX_H
#define SCUOT_IO_TENX_H

#include <stddef.h>

#include "core/defs.h"
#include "core/err.h"
#include "io/adata.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read path into a new object: obs index = barcodes, var index = feature/gene ids, var columns
 * gene_name (and feature_type, genome for v3).  genome selects a v2 group or filters v3 features
 * (NULL: the only v2 group, all v3 features).  SCUOT_EINPUT when the file is neither layout (the
 * message says what was expected) or with several v2 genomes and none chosen (lists them). */
SCUOT_EXPORT int scuot_tenx_read(const char *path, const char *genome, scuot_adata **out, scuot_err *e);
/* The same from an in-memory HDF5 image. */
SCUOT_EXPORT int scuot_tenx_read_mem(const void *buf, size_t len, const char *genome, scuot_adata **out,
                                     scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
