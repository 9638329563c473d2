/* eval.h -- scoring predicted weighted populations against held-out cells in the same embedding: MMD
 * (random Fourier features and exact), EMD (W1 and W2), normalised by the source-target distance. */
#ifndef SCUOT_EVAL_EVAL_H
#define SCUOT_EVAL_EVAL_H

#include <stdint.h>
#include <stdio.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Metrics.  All are distances (0 for equal populations) between the weights-normalised populations:
 *   mmd_rff  |mu_p - mu_q| with random Fourier features of the Gaussian kernel (kern/kern.h), mean and
 *            sd over rff_draws independent feature draws (the USD paper's evaluation);
 *   mmd      the exact Gaussian MMD (biased weighted V-statistic), same bandwidth;
 *   emd      exact OT distance with the Euclidean cost (W1);
 *   emd2     exact OT with the squared Euclidean cost; the value reported is the square root of the
 *            optimal cost (W2), as Waddington-OT's point_cloud_distance reports it. */
enum scuot_eval_metric {
	SCUOT_EVAL_MMD_RFF = 0,
	SCUOT_EVAL_MMD,
	SCUOT_EVAL_EMD,
	SCUOT_EVAL_EMD2,
	SCUOT_EVAL_NMETRIC
};

typedef struct scuot_eval_opts {
	unsigned metrics;     /* bit 1 << SCUOT_EVAL_* for each metric scored [all four] */
	int64_t rff_features; /* features per draw [300] */
	int rff_draws;        /* independent draws [10] */
	double bandwidth;     /* Gaussian kernel sigma; 0 = sqrt(d) [0] */
	int64_t emd_max_cells; /* EMD: cells per side above which a weighted subsample is drawn; 0 = never [5000] */
	int64_t baseline_pairs; /* independent baseline: pairs drawn; 0 = max(truth cells, 500) [0] */
	uint64_t seed;          /* feature draws, subsamples and the independent baseline [0] */
} scuot_eval_opts;

/* Defaults as in the brackets above. */
SCUOT_EXPORT void scuot_eval_opts_init(scuot_eval_opts *o);
/* SCUOT_EUSAGE naming the option when a value is out of range (no metric, features or draws < 1,
 * negative or non-finite bandwidth, emd_max_cells in 1..1, negative pairs). */
SCUOT_EXPORT int scuot_eval_opts_check(const scuot_eval_opts *o, scuot_err *e);
/* "mmd_rff", "mmd", "emd", "emd2"; parse returns -1 for an unknown name. */
SCUOT_EXPORT const char *scuot_eval_metric_name(int metric);
SCUOT_EXPORT int scuot_eval_metric_parse(const char *s);
/* Comma-separated metric names into a mask (duplicates allowed).  SCUOT_EUSAGE naming the bad one. */
SCUOT_EXPORT int scuot_eval_metrics_parse(const char *list, unsigned *mask, scuot_err *e);

/* A weighted population of n points in d dimensions (x n x d row-major; w NULL = uniform), borrowed.
 * id seeds its EMD subsample, so a population is subsampled the same way in every comparison. */
typedef struct scuot_eval_pop {
	const char *name;
	const double *x, *w;
	int64_t n;
	uint64_t id;
} scuot_eval_pop;

/* A scorer: the options, the truth, the source and target, and what is reused across predictions
 * (feature draws, the truth's mean embeddings and kernel self-sum, the source-target distances). */
typedef struct scuot_eval scuot_eval;

/* Scores of one population against the truth, per metric (NaN where the metric is not scored). */
typedef struct scuot_eval_score {
	double value[SCUOT_EVAL_NMETRIC];
	double sd[SCUOT_EVAL_NMETRIC];         /* mmd_rff: sd over the draws; NaN for the others */
	double normalised[SCUOT_EVAL_NMETRIC]; /* value / the same distance between source and target */
} scuot_eval_score;

/* New scorer for d-dimensional populations.  The populations are copied; emd_scale (d factors, or
 * NULL) multiplies coordinate k of every point before the EMD metrics only (not the MMDs).  Computes
 * the source-target distances.  Errors: SCUOT_EUSAGE (options), SCUOT_EINPUT (bad weights, empty
 * population, non-finite coordinates; the message names the population), SCUOT_ENOMEM, and what
 * the EMD solver returns.  Free with scuot_eval_free. */
SCUOT_EXPORT scuot_eval *scuot_eval_new(const scuot_eval_opts *o, int64_t d, const scuot_eval_pop *truth,
                                        const scuot_eval_pop *source, const scuot_eval_pop *target,
                                        const double *emd_scale, scuot_err *e);
/* Free ev; NULL accepted. */
SCUOT_EXPORT void scuot_eval_free(scuot_eval *ev);
/* Kernel bandwidth in use (the option, or sqrt(d)). */
SCUOT_EXPORT double scuot_eval_bandwidth(const scuot_eval *ev);
/* Distance of each scored metric between source and target (the normalisers); NaN if not scored. */
SCUOT_EXPORT double scuot_eval_source_target(const scuot_eval *ev, int metric);
/* Score p against the truth into out.  Errors as scuot_eval_new. */
SCUOT_EXPORT int scuot_eval_score_pop(scuot_eval *ev, const scuot_eval_pop *p, scuot_eval_score *out,
                                      scuot_err *e);
/* Distance between any two populations for one metric (value and, for mmd_rff, sd over the draws). */
SCUOT_EXPORT int scuot_eval_distance(scuot_eval *ev, int metric, const scuot_eval_pop *p,
                                     const scuot_eval_pop *q, double *value, double *sd, scuot_err *e);

/* Baselines.  The union: all n source and m target points, weights 1/(2n) and 1/(2m) (each side half
 * the mass; source and target weights, when given, are normalised within each side).  x (n + m) x d
 * and w (n + m) are allocated (free with free()). */
SCUOT_EXPORT int scuot_eval_union(const scuot_eval_pop *source, const scuot_eval_pop *target, int64_t d,
                                  double **x, double **w, scuot_err *e);
/* The independent coupling (Waddington-OT's random interpolation): npairs pairs (i, j) drawn
 * independently from the source and target weights (uniform when NULL) with the stream (seed, stream),
 * point (1 - s) x_i + s y_j; x is npairs x d, allocated (free with free()).  SCUOT_EUSAGE for s outside
 * [0, 1] or npairs < 1. */
SCUOT_EXPORT int scuot_eval_independent(const scuot_eval_pop *source, const scuot_eval_pop *target, int64_t d,
                                        double s, int64_t npairs, uint64_t seed, uint64_t stream, double **x,
                                        scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
