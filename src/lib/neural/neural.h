/* neural.h -- the neural transport methods' building blocks: the critic of neural (unbalanced) Sobolev
 * descent (an MLP trained by an augmented Lagrangian), used by the nsd, nusd and nusd-bd methods. */
#ifndef SCUOT_NEURAL_NEURAL_H
#define SCUOT_NEURAL_NEURAL_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"
#include "nn/layers.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The methods themselves are reached through the transport method table (ot/ot.h): nsd, nusd, nusd-bd. */

/* Options of the critic and of the descent (scuot-transport's parameters of the same names). */
typedef struct scuot_usd_opts {
	int64_t width, hidden;  /* critic layers width - hidden - last */
	int64_t last;           /* width of the last hidden layer (0: width) */
	int batchnorm;          /* batch normalisation after the middle layer: 0 none; 1 the statistics of each
	                         * pass (the reference's); 2 joint statistics of the target and particle minibatches
	                         * in training, their running averages at evaluation */
	double dropout;         /* dropout after the middle layer (training only) */
	int64_t batch;          /* critic minibatch per side */
	int64_t critic_steps;   /* n_c: critic updates per descent step */
	int64_t critic_start;   /* critic updates before the first step */
	double lr, weight_decay;/* Adam (AMSGrad) */
	double lambda0, rho;    /* augmented Lagrangian: initial multiplier and penalty */
	double alpha;           /* weight of the Fisher term of the constraint (0: Sobolev descent) */
	int gamma;              /* 1: mass conserved (Var_q f); 0: not (E_q f^2) */
	int64_t eval_batch;     /* particles per evaluation of the critic's gradient */
} scuot_usd_opts;

typedef struct scuot_usd_critic scuot_usd_critic;

/* The reference critic (IBM/USD D_mlp): layers width, hidden, last with ReLU, batch normalisation and
 * dropout after the middle layer, a linear output without bias. */
SCUOT_EXPORT void scuot_usd_critic_spec(const scuot_usd_opts *o, scuot_nn_mlp_spec *s);
/* A critic for d-dimensional points, at most maxn points per side, initialised from seed. */
SCUOT_EXPORT int scuot_usd_critic_new(scuot_usd_critic **c, const scuot_usd_opts *o, int64_t d, int64_t maxn,
                                      uint64_t seed, scuot_err *e);
SCUOT_EXPORT void scuot_usd_critic_free(scuot_usd_critic *c);
/* One update towards the critic between the target (y, m points, masses bt) and the particles (x, n
 * points, masses w): Adam on -(E_p f - E_q f - lam c - rho/2 c^2), c = E_q |grad f|^2 + alpha Fisher_q f - 1,
 * then lam <- lam + rho c.  SCUOT_ENUMERIC when the objective is not finite. */
SCUOT_EXPORT int scuot_usd_critic_update(scuot_usd_critic *c, const double *y, const double *bt, int64_t m,
                                         const double *x, const double *w, int64_t n, scuot_err *e);
/* Forget the optimiser's moments (the reference makes a fresh Adam at every descent step). */
SCUOT_EXPORT void scuot_usd_critic_reset_optim(scuot_usd_critic *c);
/* f and grad_x f (either may be NULL) at the n points x, in evaluation mode. */
SCUOT_EXPORT int scuot_usd_critic_eval(scuot_usd_critic *c, const double *x, int64_t n, double *f, double *grad,
                                       scuot_err *e);
/* The last update's constraint value c, multiplier lam and E_p f - E_q f. */
SCUOT_EXPORT void scuot_usd_critic_stats(const scuot_usd_critic *c, double *con, double *lam, double *gap);
/* Floating-point operations of the matrix products of the last update. */
SCUOT_EXPORT double scuot_usd_critic_flops(const scuot_usd_critic *c);
/* The critic's parameters. */
SCUOT_EXPORT const scuot_nn_model *scuot_usd_critic_model(const scuot_usd_critic *c);

#ifdef __cplusplus
}
#endif
#endif
