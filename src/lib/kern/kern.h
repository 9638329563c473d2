/* kern.h -- Gaussian kernels between weighted point clouds: random Fourier features, mean embeddings,
 * and the maximum mean discrepancy (MMD), by features or exactly in blocks. */
#ifndef SCUOT_KERN_KERN_H
#define SCUOT_KERN_KERN_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Conventions.  A cloud is n points in d dimensions, row-major (point i is x[i*d .. i*d+d)).  Weights
 * w (n, may be NULL for uniform) are finite and >= 0 with a positive sum; functions that take weights
 * normalise them to sum 1 themselves.  The Gaussian kernel with bandwidth sigma is
 *     k(x, y) = exp(-|x - y|^2 / (2 sigma^2)).
 * Every result is the same for any thread count (fixed blocks, reduced in block order). */

/* ---- random Fourier features (Rahimi & Recht, "Random features for large-scale kernel machines",
 * NIPS 2007, Algorithm 1 and Claim 1) ----
 *     phi(x) = sqrt(2/D) cos(W x + b),  W (D x d) with entries N(0, 1/sigma^2),  b_k ~ U[0, 2 pi),
 * so E[phi(x) . phi(y)] = k(x, y). */
typedef struct scuot_kern_rff {
	int64_t D, d; /* features, input dimensions */
	double sigma; /* bandwidth */
	double *W;    /* D x d row-major */
	double *b;    /* D phases */
} scuot_kern_rff;

/* Draw D features for d dimensions from the GSL stream scuot_rng_new(seed, stream): first W row by
 * row, then b.  SCUOT_EUSAGE for D < 1, d < 1 or sigma not finite and > 0; SCUOT_ENOMEM.  Free with
 * scuot_kern_rff_free; NULL with e filled on error. */
SCUOT_EXPORT scuot_kern_rff *scuot_kern_rff_new(int64_t d, int64_t D, double sigma, uint64_t seed,
                                                uint64_t stream, scuot_err *e);
/* Free f and its arrays; NULL accepted. */
SCUOT_EXPORT void scuot_kern_rff_free(scuot_kern_rff *f);
/* Features of the n points x (n x d) into out (n x D, row-major, caller's): one dgemm, then cos.
 * Single-threaded apart from BLAS; callers block large clouds themselves (see scuot_kern_rff_embed). */
SCUOT_EXPORT void scuot_kern_rff_features(const scuot_kern_rff *f, const double *x, int64_t n, double *out);
/* Weighted mean embedding mu = sum_i w_i phi(x_i) / sum_i w_i into mu (D, caller's), computed in row
 * blocks (features of 256 points at a time) on the OpenMP threads.  SCUOT_EINPUT for bad weights or
 * n < 1 (message names the weight), SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_kern_rff_embed(const scuot_kern_rff *f, const double *x, int64_t n, const double *w,
                                      double *mu, scuot_err *e);
/* MMD with features: |mu_x - mu_y| (Euclidean norm in R^D) with the weights of each cloud normalised;
 * an estimate of the exact MMD (its square is unbiased for MMD^2 over the feature draw).  Errors as
 * scuot_kern_rff_embed. */
SCUOT_EXPORT int scuot_kern_rff_mmd(const scuot_kern_rff *f, const double *x, int64_t n, const double *wx,
                                    const double *y, int64_t m, const double *wy, double *mmd, scuot_err *e);

/* ---- exact Gaussian kernel sums ---- */

/* k(x, y) for two points of d dimensions. */
SCUOT_EXPORT double scuot_kern_gauss(const double *x, const double *y, int64_t d, double sigma);
/* S = sum_ij wx_i wy_j k(x_i, y_j) with the weights as given (NULL = all 1, not normalised), in
 * blocks of 256 x 256 pairs (one dgemm each for the cross products; the n x m matrix is never
 * stored), blocks of rows on the OpenMP threads, row-block partial sums added in order.  When x == y,
 * n == m and wx == wy, only the block upper triangle is evaluated.  SCUOT_EUSAGE for a bad sigma,
 * SCUOT_EINPUT for bad weights or an empty cloud, SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_kern_gauss_sum(const double *x, int64_t n, const double *wx, const double *y,
                                      int64_t m, const double *wy, int64_t d, double sigma, double *sum,
                                      scuot_err *e);
/* Squared MMD, the biased weighted V-statistic (Gretton et al., "A kernel two-sample test", JMLR 2012,
 * eq. 5 with weights): with p = wx / sum wx and q = wy / sum wy,
 *     MMD^2 = sum_ij p_i p_j k(x_i, x_j) + sum_ij q_i q_j k(y_i, y_j) - 2 sum_ij p_i q_j k(x_i, y_j),
 * clamped at 0 (rounding can make it slightly negative when the clouds are equal).  *mmd2 receives
 * it; errors as scuot_kern_gauss_sum. */
SCUOT_EXPORT int scuot_kern_mmd2(const double *x, int64_t n, const double *wx, const double *y, int64_t m,
                                 const double *wy, int64_t d, double sigma, double *mmd2, scuot_err *e);

/* Check n weights (NULL: uniform, *sum = n): finite, >= 0, positive sum.  SCUOT_EINPUT naming what
 * ("prediction weights") and the first bad entry.  sum may be NULL. */
SCUOT_EXPORT int scuot_kern_weights_check(const double *w, int64_t n, const char *what, double *sum,
                                          scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
