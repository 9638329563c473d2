/* sinkhorn.h -- entropic static couplings: balanced Sinkhorn, unbalanced Sinkhorn with KL marginal penalties
 * (Waddington-OT's model, with growth re-estimation) and the static Wasserstein-Fisher-Rao coupling.
 *
 * One solver serves the three methods of the table (sinkhorn, uot, wfr): the stabilised scaling algorithm
 * with absorption and epsilon scaling of Chizat, Peyre, Schmitzer, Vialard 2018 ("Scaling algorithms for
 * unbalanced optimal transport problems", Algorithms 2 and 3) and Schmitzer 2019 ("Stabilized sparse scaling
 * algorithms for entropy regularized transport problems", Section 3), as Waddington-OT's transport_stablev2.
 *
 * The problem solved, with C the scaled cost (C / cost_scale), a, b the masses (a: source, n; b: target, m)
 * and rho_ij = 1 / (n m) the uniform product reference measure (Waddington-OT's dx dy):
 *     min_pi  <pi, C> + eps KL(pi | rho) + lambda1 KL(pi 1 | a) + lambda2 KL(pi^T 1 | b)
 * with KL(p | q) = sum p log(p / q) - p + q.  lambda = inf makes that side a constraint (sinkhorn: both).
 * The solution is pi_ij = exp((f_i + g_j - C_ij) / eps); result f and g hold these potentials. */
#ifndef SCUOT_OT_SINKHORN_H
#define SCUOT_OT_SINKHORN_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"
#include "ot/ot.h"

#ifdef __cplusplus
extern "C" {
#endif

enum scuot_sinkhorn_kind {
	SCUOT_SINKHORN_BALANCED = 1, /* lambda1 = lambda2 = inf; objective <pi, C> + eps KL(pi | a x b) */
	SCUOT_SINKHORN_UNBALANCED,   /* KL penalties lambda1, lambda2 (Waddington-OT) */
	SCUOT_SINKHORN_WFR           /* lambda1 = lambda2 = 1 on the WFR cost (Liero-Mielke-Savare 2018) */
};

typedef struct scuot_sinkhorn_opts {
	int kind;             /* SCUOT_SINKHORN_* */
	double eps;           /* target entropic regularisation, in units of the scaled cost */
	double eps0;          /* first epsilon of the geometric scaling (<= eps: no scaling) */
	int eps_steps;        /* number of geometric steps from eps0 down to eps (0: start at eps) */
	int64_t max_iter;     /* scaling iterations in all, over every epsilon and growth iteration */
	double tol;           /* stop when the relative L1 column-marginal error is below tol (see below) */
	int float32;          /* store the kernel as float (half the memory and memory traffic) */
	double lambda1;       /* source KL penalty (UNBALANCED), inf: constraint */
	double lambda2;       /* target KL penalty (UNBALANCED) */
	int growth_iters;     /* solves; after each, the source prior becomes the coupling's row sums */
	double delta;         /* WFR length scale; <= 0: the problem's delta, else half the square root of the
	                       * median squared source-target distance (see scuot_ot_sinkhorn) */
} scuot_sinkhorn_opts;

/* Defaults of a kind: eps 0.05, eps0 1, 5 epsilon steps, max_iter 10000, tol 1e-6, double kernel; UNBALANCED:
 * lambda1 1, lambda2 50 (Waddington-OT's defaults on the median-normalised squared Euclidean cost), 1 growth
 * iteration; WFR: delta 0 (automatic). */
SCUOT_EXPORT void scuot_sinkhorn_opts_init(scuot_sinkhorn_opts *o, int kind);
/* SCUOT_EUSAGE naming the option when a value is out of range. */
SCUOT_EXPORT int scuot_sinkhorn_opts_check(const scuot_sinkhorn_opts *o, scuot_err *e);

/* Solve problem p into r (made by scuot_ot_result_new(p)).  The cost is p->cost normalised by p->cost_norm
 * (a WFR cost is never normalised: delta sets its scale; the automatic delta is half the square root of the
 * median squared source-target distance, so that for near pairs the WFR cost d^2 / (4 delta^2) + O(d^4)
 * equals Waddington-OT's median-normalised squared Euclidean cost).  Balanced transport scales the target
 * masses (and r->b) to the source total when the totals differ.  The kernel is stored as double or float
 * when it fits p->max_memory together with the coupling that will be stored, else its rows are recomputed in
 * blocks every iteration.  Fills r->eps, f, g, cost_scale, delta, the coupling (dense when it fits p->max_memory,
 * else the p->topk largest entries of each row, or none), row and column sums, scaling factors, iterations,
 * converged, objective (of the last growth iteration's priors), transport_cost and curve (the relative L1
 * column-marginal error sum_j |c_j - c'_j| / sum_j c'_j after each iteration, c the columns before the
 * target update and c' after it: for balanced transport |pi^T 1 - b|_1 / |b|_1).  Not reaching tol is not
 * an error: converged is 0 and a warning is logged.  Deterministic: the result does not depend on the
 * thread count.  Returns 0, SCUOT_EUSAGE (options), SCUOT_EINPUT (balanced transport where a cell is
 * farther than pi delta from every cell of the other side), SCUOT_ENUMERIC (cost normalisation),
 * SCUOT_ENOMEM or SCUOT_ELIMIT. */
SCUOT_EXPORT int scuot_ot_sinkhorn(const scuot_ot_problem *p, const scuot_sinkhorn_opts *o,
                                   scuot_ot_result *r, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
