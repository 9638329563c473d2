/* emd.h -- exact optimal transport (earth mover's distance) by the primal network simplex on the
 * complete bipartite graph source -> target, with the dual potentials as an optimality certificate. */
#ifndef SCUOT_OT_EMD_H
#define SCUOT_OT_EMD_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct scuot_emd_result {
	int64_t nnz;        /* basic arcs carrying positive flow */
	int32_t *row, *col; /* the nnz arcs, sorted by (row, col) */
	double *flow;
	double *u, *v;      /* dual potentials (n, m): u_i + v_j <= C_ij, equality where flow > 0 */
	double cost;        /* sum of flow * C */
	int64_t iterations; /* pivots */
	int optimal;        /* 1 when optimal, 0 when stopped by max_iter */
} scuot_emd_result;

/* Exact OT between masses a (n) and b (m), C n x m row-major.  sum a must equal sum b up to 1e-9
 * relative (else SCUOT_EINPUT saying so); masses >= 0 (zero-mass points allowed); max_iter 0 = no limit. */
SCUOT_EXPORT int scuot_emd(int64_t n, int64_t m, const double *a, const double *b, const double *C,
                           int64_t max_iter, scuot_emd_result *r, scuot_err *e);
/* Free the arrays of r and zero it; NULL accepted. */
SCUOT_EXPORT void scuot_emd_result_clear(scuot_emd_result *r);
/* Exact OT distance between weighted clouds x (n x d) and y (m x d): weights (NULL = uniform) are
 * normalised to sum 1, cost SCUOT_COST_EUCLIDEAN or SCUOT_COST_SQEUCLIDEAN, unnormalised; *dist = sum
 * flow * C (so W1, or W2 squared). */
SCUOT_EXPORT int scuot_emd_distance(const double *x, int64_t n, const double *wx, const double *y, int64_t m,
                                    const double *wy, int64_t d, int cost_kind, double *dist, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
