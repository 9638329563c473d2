/* ot.h -- the transport method interface: a problem (two weighted point clouds and options), a result
 * (coupling, scaling factors, snapshots, diagnostics) and the one table of registered methods. */
#ifndef SCUOT_OT_OT_H
#define SCUOT_OT_OT_H

#include <stddef.h>
#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"
#include "core/mat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- problem ---- */

typedef struct scuot_ot_problem {
	int64_t n, m, d;
	const double *x, *y; /* source n x d, target m x d, row-major */
	const double *a, *b; /* masses (> 0); their sums need not be equal (growth) */
	double t0, t1;       /* the two days */
	int cost;            /* SCUOT_COST_* (ot/cost.h) */
	int cost_norm;       /* SCUOT_COSTNORM_* */
	double delta;        /* WFR length scale, when the cost is WFR */
	uint64_t seed;
	size_t max_memory;   /* bytes the method may use for its kernel and coupling */
	int64_t topk;        /* coupling entries kept per source row when the dense coupling is over budget */
} scuot_ot_problem;

/* ---- result ---- */

enum scuot_coupling_kind {
	SCUOT_COUPLING_NONE = 0, /* not stored (rebuilt from dual potentials when the method has them) */
	SCUOT_COUPLING_DENSE,    /* n x m row-major */
	SCUOT_COUPLING_SPARSE    /* CSR; exact (EMD's basis) or the topk largest entries of each row */
};

typedef struct scuot_coupling {
	int kind;
	int64_t n, m;
	double *dense;     /* DENSE */
	int64_t *indptr;   /* SPARSE: n + 1 */
	int32_t *indices;  /* SPARSE: target numbers, increasing within a row */
	double *data;      /* SPARSE */
	int64_t topk;      /* SPARSE: entries kept per row, 0 when the sparse coupling is exact */
	double kept_mass;  /* SPARSE: fraction of the total mass the stored entries hold */
} scuot_coupling;

/* A weighted population along the path (particle methods); s in [0, 1] from source to target. */
typedef struct scuot_ot_snapshot {
	double s;
	int64_t np;
	double *x;         /* np x d */
	double *w;         /* np masses */
	int64_t *ancestor; /* np source-cell numbers, or NULL */
} scuot_ot_snapshot;

/* A named matrix of trained model parameters (neural methods), r x c row-major. */
typedef struct scuot_ot_array {
	char name[64];
	int64_t r, c;
	double *v;
} scuot_ot_array;

#define SCUOT_OT_MAX_PARAMS 32

typedef struct scuot_ot_result {
	char method[32];
	int64_t n, m, d;
	double t0, t1;
	/* the method's parameters, in the order of its table entry */
	int n_params;
	const char *param_names[SCUOT_OT_MAX_PARAMS];
	double params[SCUOT_OT_MAX_PARAMS];
	/* the problem, so later stages need only this file */
	double *x, *y, *a, *b; /* copies */
	int cost, cost_norm;
	double cost_scale, delta;
	/* outputs */
	scuot_coupling pi;
	double *row_sum, *col_sum; /* of the full coupling, even when it is stored sparsified */
	double *scaling;           /* row_sum / a: per source cell scaling factor (growth) */
	double eps;                /* entropic methods: pi_ij = exp((f_i + g_j - C_ij) / eps) */
	double *f, *g;             /* dual potentials (n, m), or NULL */
	int n_snap;
	scuot_ot_snapshot *snap;
	/* diagnostics */
	int64_t iterations;
	int converged;
	double objective;      /* the method's objective at the end */
	double transport_cost; /* sum_ij pi_ij C_ij (scaled cost) */
	double marg_err_a, marg_err_b; /* |row_sum - a|_1 / |a|_1 and the same for columns (balanced methods) */
	double seconds;
	int n_curve;           /* objective or error curve, one value per recorded iteration */
	double *curve;
	char curve_name[32];
	double *curve2;        /* a second curve of n_curve values (particle flows: MMD to the source), or NULL */
	char curve2_name[32];
	int n_model;           /* trained parameters (neural methods), saved under /model */
	scuot_ot_array *model;
	/* provenance, filled by the executable (may be NULL) */
	char *version, *cmdline, *input, *embedding;
	uint64_t seed;
	scuot_strv source_ids, target_ids;
	char **owned_names; /* parameter names of a result read from a file (param_names point here) */
	int64_t n_owned_names;
} scuot_ot_result;

/* An empty result for a problem: sizes, times and copies of x, y, a, b; NULL with e filled. */
SCUOT_EXPORT scuot_ot_result *scuot_ot_result_new(const scuot_ot_problem *p, scuot_err *e);
SCUOT_EXPORT void scuot_ot_result_free(scuot_ot_result *r);
/* Append a copy of the r x c matrix v as model parameter name (at most 63 characters, no '/', unique). */
SCUOT_EXPORT int scuot_ot_result_add_array(scuot_ot_result *r, const char *name, int64_t rows, int64_t cols,
                                           const double *v, scuot_err *e);
/* The model parameter of that name, or NULL. */
SCUOT_EXPORT const scuot_ot_array *scuot_ot_result_array(const scuot_ot_result *r, const char *name);
/* Row and column sums and scaling factors from the stored coupling (DENSE or exact SPARSE). */
SCUOT_EXPORT int scuot_ot_result_marginals(scuot_ot_result *r, scuot_err *e);
/* Store a dense coupling (ownership taken): kept dense when n m doubles fit in budget bytes, else only
 * the topk largest entries of each row are kept (kept_mass records what they hold). */
SCUOT_EXPORT int scuot_ot_result_set_dense(scuot_ot_result *r, double *pi, size_t budget, int64_t topk,
                                           scuot_err *e);
/* For entropic methods that set eps, f and g (and cost_scale): compute row and column sums and
 * scaling factors block by block, then store the coupling dense when n m doubles fit in budget bytes,
 * else the topk largest entries of each row (topk 0: store none; it is rebuilt from f and g). */
SCUOT_EXPORT int scuot_ot_result_from_potentials(scuot_ot_result *r, size_t budget, int64_t topk, scuot_err *e);
/* Rows [i0, i1) of the coupling into out ((i1 - i0) x m): from the stored coupling, or rebuilt from f, g
 * and eps when none is stored.  SCUOT_EINPUT when neither is available. */
SCUOT_EXPORT int scuot_ot_result_coupling_rows(const scuot_ot_result *r, int64_t i0, int64_t i1, double *out,
                                               scuot_err *e);

/* Indices of the k (1 <= k <= m) largest entries of row[0..m) into idx[0..k), in increasing order. */
SCUOT_EXPORT void scuot_ot_topk(const double *row, int64_t m, int64_t k, int32_t *idx);

/* ---- methods ---- */

enum scuot_param_type { SCUOT_PARAM_REAL = 1, SCUOT_PARAM_INT, SCUOT_PARAM_FLAG };

/* A method parameter: a long option --NAME of scuot-transport. */
typedef struct scuot_ot_param {
	const char *name;
	int type;
	double def, lo, hi; /* default and the closed range accepted */
	const char *help;
} scuot_ot_param;

typedef struct scuot_ot_method {
	const char *name;    /* "uot" */
	const char *family;  /* "static coupling", "particle flow", ... */
	const char *summary; /* one line */
	const char *cite;    /* where the algorithm comes from */
	int n_params;
	const scuot_ot_param *params;
	int default_cost;    /* SCUOT_COST_* used when none is given */
	/* Solve p with parameter values par (n_params, in table order) into r (made by scuot_ot_result_new). */
	int (*run)(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e);
	/* Bytes the solve will hold at its peak beyond the problem itself (kernel, coupling, work arrays), as the
	 * method will decide under p->max_memory; NULL when the method gives no estimate. */
	double (*memory)(const scuot_ot_problem *p, const double *par);
} scuot_ot_method;

/* The registered methods, in the order --list-methods shows them; *n receives their count. */
SCUOT_EXPORT const scuot_ot_method *scuot_ot_methods(int *n);
/* A method by name, or NULL. */
SCUOT_EXPORT const scuot_ot_method *scuot_ot_method_find(const char *name);
/* Index of a parameter of m by name, or -1. */
SCUOT_EXPORT int scuot_ot_param_index(const scuot_ot_method *m, const char *name);
/* Check a problem (sizes, finite coordinates, positive finite masses): SCUOT_EINPUT naming the side and
 * point.  Then run m, time it, and fill r's method name, parameters and seconds. */
SCUOT_EXPORT int scuot_ot_run(const scuot_ot_method *m, const scuot_ot_problem *p, const double *par,
                              scuot_ot_result *r, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
