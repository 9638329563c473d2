/* prep_internal.h -- NOT a public header: helpers shared by the files of src/lib/prep/.
 * Column statistics with deterministic block reductions, gene labels, the loess smoother. */
#ifndef SCUOT_PREP_INTERNAL_H
#define SCUOT_PREP_INTERNAL_H

#include <stdint.h>

#include "core/err.h"
#include "core/mat.h"
#include "io/adata.h"

/* Rows per block of the deterministic reductions: partial results are kept per block of this many
 * rows (never per thread) and added in block order, so sums do not depend on the thread count. */
#define PREP_BLOCK_ROWS 2048

/* Number of row blocks for n rows with partial arrays of width bytes each: n / PREP_BLOCK_ROWS
 * rounded up, at most 64, reduced so that all partials fit in 256 MiB (at least 1). */
int prep_nblocks(int64_t n, size_t width);

/* Per-gene statistics over the rows rows[0..nrows) of X (rows NULL: all X->nrow rows).  Each stored
 * value v is first transformed (expm1 when expm1 != 0) and clipped to clip[gene] when clip is not
 * NULL; then s1[g] = sum v, s2[g] = sum v^2, nz[g] = number of stored nonzero values (any output may
 * be NULL).  Zeros that are not stored contribute nothing.  0, SCUOT_ENOMEM or SCUOT_ELIMIT. */
int prep_col_stats(const scuot_csr *X, const int64_t *rows, int64_t nrows, int expm1, const double *clip,
                   double *s1, double *s2, int64_t *nz, scuot_err *e);

/* Borrowed labels of the n_var genes from var column gene_name (string or categorical; NULL where
 * missing) in *names, or *names = NULL when there is no such column.  Free the array (not the
 * strings) with free().  0 or SCUOT_ENOMEM. */
int prep_gene_names(const scuot_adata *a, char ***names, scuot_err *e);

/* Local quadratic regression of y on x (n points), fitted at every x[i] into fit[i]: the q =
 * floor(span * n) nearest points (at least 3, at most n) by |x_j - x_i| define the bandwidth h (the
 * q-th smallest distance), weights are tricube (1 - (d/h)^3)^3 for d < h, and fit[i] is the intercept
 * of the weighted least-squares quadratic in u = (x_j - x_i) / h.  Degenerate designs drop to a
 * weighted line, then a weighted mean; h = 0 gives the mean of the y_j with x_j = x_i.  This is the
 * 'direct' loess of Cleveland & Devlin (1988) with degree 2 and no robustness iterations (scanpy's
 * seurat_v3 uses skmisc's interpolated loess; the departure is documented in data/FORMATS.md).
 * 0 or SCUOT_ENOMEM. */
int prep_loess(const double *x, const double *y, int64_t n, double span, double *fit, scuot_err *e);

/* Sorting helper: order[0..n) becomes the permutation sorting keys ascending, ties by index. */
int prep_argsort(const double *keys, int64_t n, int64_t *order, scuot_err *e);

/* Fill out[0..n) with standard normal draws from the RNG stream (seed, stream) (core/rng.h).
 * 0, or -1 when the stream cannot be allocated. */
int prep_gaussian(uint64_t seed, uint64_t stream, double *out, int64_t n);

/* Whether s starts with prefix, ignoring ASCII case. */
int prep_prefix_icase(const char *s, const char *prefix);

#endif
