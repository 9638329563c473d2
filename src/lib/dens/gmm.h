/* gmm.h -- Gaussian mixture densities fitted by expectation-maximisation: k-means++ starts, diagonal or full
 * covariances, the number of components chosen by BIC; log density, its gradient and sampling. */
#ifndef SCUOT_DENS_GMM_H
#define SCUOT_DENS_GMM_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A mixture of k Gaussians in d dimensions:
 *   p(x) = sum_c pi_c N(x; mu_c, Sigma_c),
 * Sigma_c full (d x d) or diagonal.  chol holds, for full covariances, the lower Cholesky factor L_c of
 * Sigma_c = L_c L_c^T and linv its inverse L_c^-1 (both k x d x d, row-major); for diagonal covariances the
 * standard deviations (k x d) in chol and their inverses in linv.  lnorm_c = log pi_c - log det L_c
 * - d/2 log(2 pi), so that log p(x) = logsumexp_c (lnorm_c - |L_c^-1 (x - mu_c)|^2 / 2). */
typedef struct scuot_gmm {
	int k, full;
	int64_t d;
	double *pi;    /* k mixture weights, summing to 1 */
	double *mu;    /* k x d means */
	double *cov;   /* full: k x d x d covariances; diagonal: k x d variances */
	double *chol;  /* see above */
	double *linv;
	double *lnorm; /* k */
	/* the fit */
	double loglik; /* sum_i w_i log p(x_i) of the data, weights scaled to sum n */
	double bic;    /* -2 loglik + (free parameters) log n */
	int iterations, converged;
} scuot_gmm;

/* Options of the fit (scuot_gmm_opts_init gives every default). */
typedef struct scuot_gmm_opts {
	int kmin, kmax;  /* components tried; the lowest BIC wins [1, 8] */
	int full;        /* 1: full covariances, 0: diagonal [1] */
	int max_iter;    /* EM iterations per start [200] */
	double tol;      /* stop when the mean log-likelihood changes less than this [1e-6] */
	double reg;      /* added to every variance, relative to the data's mean variance [1e-6] */
	int n_init;      /* k-means++ starts per k; the best log-likelihood is kept [2] */
	uint64_t seed;   /* [1] */
} scuot_gmm_opts;

SCUOT_EXPORT void scuot_gmm_opts_init(scuot_gmm_opts *o);
/* SCUOT_EUSAGE naming the first option out of range (kmin < 1, kmax < kmin, max_iter < 1, tol < 0, reg < 0,
 * n_init < 1). */
SCUOT_EXPORT int scuot_gmm_opts_check(const scuot_gmm_opts *o, scuot_err *e);

/* Fit a mixture of exactly k components to the n x d rows of x with optional weights wt (NULL: equal; else
 * n non-negative values, not all zero) by EM (Dempster, Laird, Rubin 1977; Bishop 2006, Sec. 9.2.2) from
 * k-means++ starts (Arthur and Vassilvitskii 2007) refined by 10 Lloyd iterations; o->kmin and o->kmax are
 * ignored.  *out is a new mixture (free with scuot_gmm_free).  Returns 0, SCUOT_EINPUT (n < k, non-finite
 * data, bad weights), SCUOT_EUSAGE (options), SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_gmm_fit(scuot_gmm **out, const double *x, const double *wt, int64_t n, int64_t d, int k,
                               const scuot_gmm_opts *o, scuot_err *e);
/* Fit k = o->kmin .. min(o->kmax, n) components and keep the mixture of lowest BIC (Schwarz 1978).  bic, when
 * not NULL, receives the BIC of every k tried (o->kmax - o->kmin + 1 values; +inf for k not tried). */
SCUOT_EXPORT int scuot_gmm_fit_bic(scuot_gmm **out, const double *x, const double *wt, int64_t n, int64_t d,
                                   const scuot_gmm_opts *o, double *bic, scuot_err *e);
/* A mixture from given weights (k), means (k x d) and covariances (full: k x d x d; diagonal: k x d), e.g.
 * a known density; SCUOT_EINPUT when a covariance is not positive definite or a weight is negative. */
SCUOT_EXPORT int scuot_gmm_new(scuot_gmm **out, int k, int64_t d, int full, const double *pi, const double *mu,
                               const double *cov, scuot_err *e);
/* Frees g and everything it holds; NULL is allowed. */
SCUOT_EXPORT void scuot_gmm_free(scuot_gmm *g);
/* Number of free parameters: k - 1 weights, k d means, k d (d + 1) / 2 or k d covariance entries. */
SCUOT_EXPORT int64_t scuot_gmm_nparams(const scuot_gmm *g);
/* log p(x_i) of the n x d rows of x into logp (n), and, when grad is not NULL, grad_x log p(x_i) into grad
 * (n x d). */
SCUOT_EXPORT void scuot_gmm_logpdf(const scuot_gmm *g, const double *x, int64_t n, double *logp, double *grad);
/* n draws into x (n x d) from rng; comp (n, or NULL) receives the component of each draw. */
SCUOT_EXPORT void scuot_gmm_sample(const scuot_gmm *g, gsl_rng *rng, int64_t n, double *x, int *comp);

#ifdef __cplusplus
}
#endif
#endif
