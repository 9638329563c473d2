/* cost.h -- ground costs between a source and a target point cloud: squared Euclidean, Euclidean and
 * the Wasserstein-Fisher-Rao cost, normalised, evaluated in row blocks so no method must store C. */
#ifndef SCUOT_OT_COST_H
#define SCUOT_OT_COST_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

enum scuot_cost_kind {
	SCUOT_COST_SQEUCLIDEAN = 1, /* |x - y|^2 */
	SCUOT_COST_EUCLIDEAN,       /* |x - y| */
	SCUOT_COST_WFR              /* -2 log cos(min(|x - y| / (2 delta), pi/2)); +inf beyond pi delta */
};

enum scuot_cost_norm {
	SCUOT_COSTNORM_NONE = 0, /* C as computed */
	SCUOT_COSTNORM_MEDIAN,   /* C / median(C), Waddington-OT's default */
	SCUOT_COSTNORM_MEAN,     /* C / mean(C) */
	SCUOT_COSTNORM_MAX       /* C / max(C), POT's examples */
};

/* A cost between x (n x d) and y (m x d), both row-major and borrowed (they must outlive it). */
typedef struct scuot_cost {
	int kind;
	int64_t n, m, d;
	const double *x, *y;
	double *xx, *yy; /* squared row norms, owned */
	double delta;    /* WFR length scale (in the units of x) */
	int norm;        /* SCUOT_COSTNORM_* applied */
	double scale;    /* every entry is divided by scale (1 when norm is NONE) */
} scuot_cost;

/* Set up a cost (scale 1).  SCUOT_EUSAGE for an unknown kind or delta <= 0 with WFR; SCUOT_EINPUT
 * for a non-finite coordinate (the message names the side and the point). */
SCUOT_EXPORT int scuot_cost_init(scuot_cost *c, int kind, const double *x, int64_t n, const double *y,
                                 int64_t m, int64_t d, double delta, scuot_err *e);
/* Release the owned arrays (the struct itself is the caller's).  NULL accepted. */
SCUOT_EXPORT void scuot_cost_free(scuot_cost *c);
/* Choose the normalisation: scale becomes the median, mean or max of the finite entries (median over
 * a fixed sample of at most 2^18 entries when n m is larger, so it is deterministic).  WFR costs are
 * never normalised (delta sets their scale): SCUOT_EUSAGE.  SCUOT_ENUMERIC if the statistic is 0. */
SCUOT_EXPORT int scuot_cost_normalize(scuot_cost *c, int norm, scuot_err *e);
/* Rows [i0, i1) of C into out ((i1 - i0) x m, row-major), divided by scale.  Uses dgemm for the
 * cross products; entries are clamped at 0 before the square root, so out is never negative. */
SCUOT_EXPORT void scuot_cost_rows(const scuot_cost *c, int64_t i0, int64_t i1, double *out);
/* Single entry C_ij (scaled). */
SCUOT_EXPORT double scuot_cost_at(const scuot_cost *c, int64_t i, int64_t j);
/* The whole n x m matrix, allocated with scuot_alloc (SCUOT_ELIMIT above the allocation cap).  Free
 * with free(). */
SCUOT_EXPORT double *scuot_cost_matrix(const scuot_cost *c, scuot_err *e);
/* Names: "sqeuclidean", "euclidean", "wfr"; "none", "median", "mean", "max".  Parse returns -1 when
 * the name is unknown. */
SCUOT_EXPORT const char *scuot_cost_kind_name(int kind);
SCUOT_EXPORT int scuot_cost_kind_parse(const char *s);
SCUOT_EXPORT const char *scuot_cost_norm_name(int norm);
SCUOT_EXPORT int scuot_cost_norm_parse(const char *s);

#ifdef __cplusplus
}
#endif
#endif
