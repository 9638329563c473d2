/* uotgen.h -- UOT-gen (Jing, Li, Liu, Zhou, "Learning geodesics under spherical WFR", Sec. 5, Algorithms 2 and
 * 3): a learned spherical-WFR geodesic from weighted samples of rho0 to N(0, I), run backwards from N(0, I) draws
 * to generate weighted samples of rho0; online updates retrain it, warm-started, on its own samples reweighted by
 * the likelihood of new observations. */
#ifndef SCUOT_NEURAL_UOTGEN_H
#define SCUOT_NEURAL_UOTGEN_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct scuot_uotgen_opts {
	/* the model: fixed when it is created */
	double alpha;           /* source coefficient of the spherical WFR metric [1] */
	int64_t width, rank;    /* potential: ResNet width m [32], rows of A (0: d) [0] */
	double gamma1, gamma2;  /* weights of J_SWFR and J_R in the cost [0.01, 0.01] */
	int steps;              /* RK4 steps on [0, 1] [8] */
	int whiten;             /* 1: work in (x - mean) / sd of the first training samples' positions (unweighted;
	                         * one sd pooled over coordinates), so N(0, I) is on their scale [1] */
	/* the budget of one training call */
	int64_t iters;          /* Adam iterations [1000] */
	int64_t batch, tbatch;  /* rho0 samples and N(0, I) draws per iteration (0: all samples) [512, 512] */
	double lr;              /* Adam learning rate [0.01] */
	double lr_decay;        /* the rate falls geometrically to lr * lr_decay over the iterations [0.1] */
	uint64_t seed;          /* minibatch draws [1] */
} scuot_uotgen_opts;

SCUOT_EXPORT void scuot_uotgen_opts_init(scuot_uotgen_opts *o);

typedef struct scuot_uotgen scuot_uotgen;

/* A new, untrained model for d-dimensional samples; with o->whiten the whitening comes from the n rows of x. */
SCUOT_EXPORT int scuot_uotgen_new(scuot_uotgen **out, const double *x, int64_t n, int64_t d,
                                  const scuot_uotgen_opts *o, scuot_err *e);
/* Algorithm 2, steps 1-6 (or Algorithm 3, step 5, on a trained model: its parameters are the starting point):
 * o->iters Adam iterations on the samples x (n x d) with weights w (NULL: equal; >= 0, any scale) as rho0 and
 * N(0, I) as rho1; o's budget fields are used, its model fields ignored.  curve (o->iters, or NULL) gets J of
 * each iteration.  SCUOT_EINPUT for a NaN or infinite coordinate, a negative or non-finite weight, weights that
 * are all 0. */
SCUOT_EXPORT int scuot_uotgen_train(scuot_uotgen *u, const double *x, const double *w, int64_t n,
                                    const scuot_uotgen_opts *o, double *curve, scuot_err *e);
/* Algorithm 2, steps 7-8: n draws of N(0, I) (from seed) taken back to t = 0 by the inverse flow (4.11), as
 * weighted samples of rho0: positions x (n x d, data coordinates) and weights w (n, mean 1). */
SCUOT_EXPORT int scuot_uotgen_sample(scuot_uotgen *u, int64_t n, uint64_t seed, double *x, double *w,
                                     scuot_err *e);
/* The model (settings, whitening, potential, iterations so far, last costs and cost curve, labels) to an HDF5
 * file written atomically; read back by scuot_uotgen_load, every array and setting checked. */
SCUOT_EXPORT int scuot_uotgen_save(const scuot_uotgen *u, const char *path, scuot_err *e);
SCUOT_EXPORT int scuot_uotgen_load(scuot_uotgen **out, const char *path, scuot_err *e);
/* Names of the d coordinates (e.g. the columns of the training table), kept in the model file. */
SCUOT_EXPORT int scuot_uotgen_set_labels(scuot_uotgen *u, char *const *labels, scuot_err *e);
SCUOT_EXPORT char *const *scuot_uotgen_labels(const scuot_uotgen *u);
SCUOT_EXPORT int64_t scuot_uotgen_dim(const scuot_uotgen *u);
/* Iterations trained so far over all calls, and the costs of the last iteration (J, J_KL, J_SWFR, J_R; NaN
 * before any training; J_SWFR estimates the squared spherical WFR distance in whitened units). */
SCUOT_EXPORT int64_t scuot_uotgen_iterations(const scuot_uotgen *u);
SCUOT_EXPORT void scuot_uotgen_costs(const scuot_uotgen *u, double out[4]);
/* The settings the model was created with (model fields) and of its last training (budget fields). */
SCUOT_EXPORT const scuot_uotgen_opts *scuot_uotgen_get_opts(const scuot_uotgen *u);
SCUOT_EXPORT void scuot_uotgen_free(scuot_uotgen *u);

#ifdef __cplusplus
}
#endif

#endif
