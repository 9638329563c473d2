/* flow.h -- kernel particle flows: the building blocks of the ksd, kusd, ift, mmdflow and wfrflow transport
 * methods (blocked Gaussian kernel sums with gradients, Sobolev critics, the simplex QP of the MMD step). */
#ifndef SCUOT_FLOW_FLOW_H
#define SCUOT_FLOW_FLOW_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"
#include "kern/kern.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The methods themselves are reached through the transport method table (ot/ot.h): ksd, kusd, ift,
 * mmdflow and wfrflow.  Each moves particles that start at the source cells with masses a, records a
 * snapshot every --record steps (snapshot s = MMD to source / (MMD to source + MMD to target)), the MMD
 * to the target in the result's curve and to the source in curve2, and scaling factors final weight /
 * initial weight.  The Gaussian kernel is k(x, y) = exp(-|x - y|^2 / (2 sigma^2)) as in kern/kern.h. */

/* ---- Gaussian kernel sums with gradients ----
 * For query points q (n x d) and a cloud z (m x d) with signed coefficients v (m):
 *     kv[i]  = sum_j v_j k(q_i, z_j)
 *     kvz[i] = sum_j v_j k(q_i, z_j) z_j   (n x d; NULL: not computed)
 * so the gradient of h(x) = sum_j v_j k(x, z_j) at q_i is (kvz[i] - q_i kv[i]) / sigma^2.  Tiles of
 * 256 rows by up to 2048 columns (two dgemms each; the n x m matrix is never stored), row blocks on the
 * OpenMP threads,
 * each row summed in column-block order: the same bits for any thread count.  SCUOT_EUSAGE for a bad
 * sigma, SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_flow_gauss_apply(const double *q, int64_t n, const double *z, int64_t m, const double *v,
                                        int64_t d, double sigma, double *kv, double *kvz, scuot_err *e);
/* Gradient of h at the n query points into grad (n x d) from the output of scuot_flow_gauss_apply. */
SCUOT_EXPORT void scuot_flow_gauss_grad(const double *q, int64_t n, int64_t d, double sigma, const double *kv,
                                        const double *kvz, double *grad);

/* ---- Sobolev critics in a random-feature space (Mroueh et al., "Sobolev descent", AISTATS 2019, Sec. 5;
 * Mroueh & Rigotti, "Unbalanced Sobolev descent", NeurIPS 2020, Prop. 2 and Sec. 3.2) ----
 * With features phi (scuot_kern_rff), particles x (n x d) with masses w (as given, not normalised):
 *     mu_q = sum_i w_i phi(x_i),  D = sum_i w_i J(x_i)^T J(x_i),  C_gamma = sum_i w_i phi phi^T - gamma mu_q mu_q^T
 * the critic is u = (D + alpha C_gamma + lambda I)^-1 (mu_p - mu_q) (alpha = 0: kernel Sobolev descent).
 * u receives the F coefficients; mu_q (F, may be NULL) the particles' embedding.  Solved by Cholesky;
 * SCUOT_ENUMERIC when the system is not positive definite (lambda too small), SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_flow_sobolev_critic(const scuot_kern_rff *f, const double *x, int64_t n, const double *w,
                                           const double *mu_p, double alpha, double gamma, double lambda,
                                           double *u, double *mu_q, scuot_err *e);
/* Critic value u(x_i) = <u, phi(x_i)> into val (n, may be NULL) and its gradient J(x_i) u into grad
 * (n x d, may be NULL).  SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_flow_rff_eval(const scuot_kern_rff *f, const double *u, const double *x, int64_t n,
                                     double *val, double *grad, scuot_err *e);

/* ---- quadratic programs over the simplex (the MMD step of IFT, Gladin et al. 2024, eq. 23-24) ----
 * minimise (1/2) b^T H b - c^T b over {b >= 0, sum b = z} (z > 0) or over {b >= 0} (z <= 0), H symmetric
 * positive semi-definite, given by its products. */
typedef int (*scuot_flow_matvec)(void *ctx, const double *v, double *out, scuot_err *e);

/* Euclidean projection of v (n) onto {b >= 0, sum b = z}, z > 0 (Duchi et al., ICML 2008, Fig. 1). */
SCUOT_EXPORT void scuot_flow_simplex_project(double *v, int64_t n, double z);
/* KKT residual of b for the gradient g = H b - c.  On the simplex: sum_i b_i (g_i - nu) / z with
 * nu = min_i g_i, zero exactly at a KKT point (g_i = nu where b_i > 0, g_i >= nu elsewhere) and an upper
 * bound on the objective error over z (the Frank-Wolfe gap).  On {b >= 0}: the largest of max(-g_i, 0)
 * and |b_i g_i|.  b must be feasible. */
SCUOT_EXPORT double scuot_flow_qp_kkt(const double *b, const double *g, int64_t n, double z);
/* Accelerated projected gradient (FISTA with restarts; Beck & Teboulle 2009) from b (n, the start; the
 * solution on return) with step 1/L, L >= the largest eigenvalue of H, until scuot_flow_qp_kkt <= tol
 * or max_iter iterations.  *iters and *kkt (may be NULL) receive the count and the final residual.
 * Errors of the products; SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_flow_qp_simplex(int64_t n, scuot_flow_matvec hv, void *ctx, const double *c, double L,
                                       double z, double tol, int64_t max_iter, double *b, int64_t *iters,
                                       double *kkt, scuot_err *e);

/* ---- the MMD split of a path ----
 * For each of ns populations (xs[k], np[k] points, weights ws[k]) the exact Gaussian MMDs to the source
 * (x, n, a) and to the target (y, m, b) into d0[k], d1[k] (either may be NULL), and returns the index of
 * the population whose split d0 / (d0 + d1) is nearest s (-1 with e filled on error). */
SCUOT_EXPORT int scuot_flow_mmd_split(const double *const *xs, const int64_t *np, const double *const *ws, int ns,
                                      const double *x, int64_t n, const double *a, const double *y, int64_t m,
                                      const double *b, int64_t d, double sigma, double s, double *d0, double *d1,
                                      scuot_err *e);
/* A bandwidth when none is given: the median distance between up to 256 source and 256 target points
 * (evenly spaced), or 1 when that is 0. */
SCUOT_EXPORT double scuot_flow_median_sigma(const double *x, int64_t n, const double *y, int64_t m, int64_t d);

#ifdef __cplusplus
}
#endif
#endif
