/* h5ad.h -- AnnData .h5ad files: read what anndata 0.8 to 0.11 write, write what anndata 0.8+ reads.
 * X: csr/csc/dense on read, csr on write; obs/var dataframes; obsm, varm, layers, uns. */
#ifndef SCUOT_IO_H5AD_H
#define SCUOT_IO_H5AD_H

#include <stddef.h>

#include "core/defs.h"
#include "core/err.h"
#include "io/adata.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parts to read; what is not asked for is not loaded. */
enum {
	SCUOT_H5AD_X = 1u << 0,
	SCUOT_H5AD_OBS = 1u << 1,
	SCUOT_H5AD_VAR = 1u << 2,
	SCUOT_H5AD_OBSM = 1u << 3,
	SCUOT_H5AD_VARM = 1u << 4,
	SCUOT_H5AD_LAYERS = 1u << 5,
	SCUOT_H5AD_UNS = 1u << 6,
	SCUOT_H5AD_ALL = 0x7f
};

/* Read the parts of path into a new object (n_obs and n_var are always set); the sparse arrays are read
 * and inflated on the OpenMP threads.  Errors: SCUOT_EINPUT
 * (not HDF5, truncated, not an AnnData layout, unknown encoding in X/obs/var; the message names
 * the dataset path), SCUOT_ENOMEM, SCUOT_ELIMIT. Free *out with scuot_adata_free. */
SCUOT_EXPORT int scuot_h5ad_read(const char *path, unsigned parts, scuot_adata **out, scuot_err *e);
/* As scuot_h5ad_read, from an in-memory file image buf[0..len) (fuzzing, tests). */
SCUOT_EXPORT int scuot_h5ad_read_mem(const void *buf, size_t len, unsigned parts, scuot_adata **out,
                                     scuot_err *e);
/* Read only obsm/key as a dense n_obs x k matrix. SCUOT_EINPUT if absent (message lists the keys). */
SCUOT_EXPORT int scuot_h5ad_read_obsm(const char *path, const char *key, scuot_mat **out, scuot_err *e);
/* Write a to path atomically (temporary beside it, renamed on success): anndata 0.8+ layout,
 * chunked deflate-compressed datasets, compressed on the OpenMP threads; the bytes written do not depend
 * on their number.  SCUOT_EINPUT for names h5ad cannot store, SCUOT_EIO on write failure (nothing left
 * at path), SCUOT_EINTERNAL for an inconsistent object. */
SCUOT_EXPORT int scuot_h5ad_write(const char *path, const scuot_adata *a, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
