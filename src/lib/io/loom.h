/* loom.h -- loom files (loompy spec 3.0 and earlier): /matrix genes x cells, row_attrs, col_attrs.
 * Read into cells x genes CSR with obs from col_attrs and var from row_attrs. */
#ifndef SCUOT_IO_LOOM_H
#define SCUOT_IO_LOOM_H

#include <stddef.h>

#include "core/defs.h"
#include "core/err.h"
#include "io/adata.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read path into a new object.  layer NULL or "" reads /matrix, else /layers/<layer>.  Cell ids from
 * col_attrs/CellID (else obs_names, else numbers), gene names from row_attrs/Gene (ids from
 * row_attrs/Accession when present); other 1-D attributes become obs/var columns. */
SCUOT_EXPORT int scuot_loom_read(const char *path, const char *layer, scuot_adata **out, scuot_err *e);
/* The same from an in-memory HDF5 image. */
SCUOT_EXPORT int scuot_loom_read_mem(const void *buf, size_t len, const char *layer, scuot_adata **out,
                                     scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
