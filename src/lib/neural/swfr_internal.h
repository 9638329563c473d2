/* swfr_internal.h -- not a public header: the learned spherical-WFR geodesics (swfr.c) as the unit tests and
 * the swfr method use them: the potential network, the RK4 integrator, the ODE system, training, sampling. */
#ifndef SCUOT_SWFR_INTERNAL_H
#define SCUOT_SWFR_INTERNAL_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "core/err.h"
#include "dens/gmm.h"
#include "nn/layers.h"
#include "nn/nn.h"

/* The potential of OT-Flow (Onken et al. 2021, eq. 12-13) as the swfr paper uses it (Sec. 6, "Network
 * architecture"), on s = (x, t) in R^(d+1):
 *   Phi(s) = w^T N(s) + 1/2 s^T A^T A s + b^T s + c,
 *   N(s) = u0 + act(K1 u0 + b1),  u0 = act(K0 s + b0),  act = log cosh (act' = tanh, act'' = 1 - tanh^2).
 * Tensors (PyTorch's nn.Linear layout): K0 m x (d+1), b0 1 x m, K1 m x m, b1 1 x m, w 1 x m, A r x (d+1),
 * b 1 x (d+1), c 1 x 1.  Initialised as OT-Flow (K, b0, b1 as nn.Linear, b, c 0) but A at 0.1 Xavier-uniform and w at 0.1 (OT-Flow: Xavier and ones) so the first flows are near the identity. */
typedef struct swfr_net {
	int64_t d, m, r;
	scuot_nn_tensor *K0, *b0, *K1, *b1, *w, *A, *b, *c;
} swfr_net;

int swfr_net_init(swfr_net *net, scuot_nn_model *mod, int64_t d, int64_t m, int64_t r, gsl_rng *rng, scuot_err *e);
/* Phi (n x 1), grad_x Phi (n x d) and tr Hess_x Phi (n x 1; only when lap is not NULL) at the rows of s
 * (n x (d+1): x, then t), in closed form (OT-Flow, Sec. 3.1 and 3.2: the hand-derived backward pass and the
 * trace through the layers), as nodes of g made of the engine's operations, so the training loss built from
 * them is differentiated by scuot_nn_backward.  NULL outputs after an error (read it from g). */
void swfr_phi(scuot_nn_graph *g, const swfr_net *net, scuot_nn_node *s, scuot_nn_node **phi, scuot_nn_node **grad,
              scuot_nn_node **lap);

/* ---- classical fourth-order Runge-Kutta on nodes ---- */
#define SWFR_MAXSTATE 8
/* dy[k] = f(t, y)[k] for the k non-NULL entries of y (shapes as y[k]); returns 0 or the graph's error. */
typedef int (*swfr_rhs_fn)(scuot_nn_graph *g, double t, scuot_nn_node *const *y, scuot_nn_node **dy, void *ctx);
/* Called after every step with the state at time t. */
typedef int (*swfr_step_fn)(int step, double t, scuot_nn_node *const *y, void *ctx);
/* y (k entries, NULL entries skipped) advanced from t0 to t1 (t1 < t0 integrates backwards) in steps equal
 * steps of RK4; y is replaced by the final state.  cb may be NULL. */
int swfr_rk4(scuot_nn_graph *g, int k, scuot_nn_node **y, double t0, double t1, int steps, swfr_rhs_fn f,
             void *ctx, swfr_step_fn cb, void *cbctx, scuot_err *e);

/* ---- the target density rho1 ---- */
typedef struct swfr_target {
	/* log rho1 (up to a constant) at the rows of z (n x d) as an n x 1 node */
	scuot_nn_node *(*logp)(scuot_nn_graph *g, scuot_nn_node *z, void *ctx);
	/* draws of rho1 for Phi-hat (4.11): sample(ctx, rng, n, out n x d) when not NULL, else minibatches of the
	 * ny points y with masses yw (NULL: equal) */
	void (*sample)(void *ctx, gsl_rng *rng, int64_t n, double *out);
	void *ctx;
	const double *y, *yw;
	int64_t ny;
} swfr_target;

/* rho1 = N(0, I) (ctx unused) and a Gaussian mixture (ctx: a const scuot_gmm *). */
scuot_nn_node *swfr_logp_gauss(scuot_nn_graph *g, scuot_nn_node *z, void *ctx);
void swfr_sample_gauss(void *ctx, gsl_rng *rng, int64_t n, double *out);
scuot_nn_node *swfr_logp_gmm(scuot_nn_graph *g, scuot_nn_node *z, void *ctx);
void swfr_sample_gmm(void *ctx, gsl_rng *rng, int64_t n, double *out);

/* ---- training and flows ---- */
typedef struct swfr_opts {
	int64_t width;   /* m [32] */
	int64_t rank;    /* rows r of A; 0: d [0] */
	double alpha;    /* source coefficient [1] */
	double gamma1, gamma2; /* weights of J_SWFR and J_R [0.01, 0.01] */
	int steps;       /* RK4 steps on [0, 1] [8] */
	int64_t iters;   /* Adam iterations [1000] */
	int64_t batch;   /* rho0 particles per iteration (0: all) [1024] */
	int64_t tbatch;  /* rho1 draws per iteration for Phi-hat [1024] */
	double lr;       /* Adam learning rate [0.01] */
	double lr_decay; /* the rate falls geometrically to lr * lr_decay over the iterations of a call [1] */
	uint64_t seed;   /* [1] */
} swfr_opts;

void swfr_opts_init(swfr_opts *o);

/* The costs of Sec. 4.4 (J_KL without E log rho0; J = J_KL + gamma1 J_SWFR + gamma2 J_R). */
typedef struct swfr_costs {
	double J, kl, swfr, reg;
} swfr_costs;

typedef struct swfr swfr;
int swfr_new(swfr **out, const swfr_opts *o, int64_t d, scuot_err *e);
void swfr_free(swfr *s);
scuot_nn_model *swfr_model(swfr *s);
const swfr_net *swfr_get_net(const swfr *s);
/* Floating-point operations (2 m n k per product) of the matrix products of the last iteration of
 * swfr_train, its parameter gradient included (scuot_nn_graph_flops of the graph; for benchmarks). */
double swfr_last_flops(const swfr *s);
/* Algorithm 1 (and 2, steps 1-6): iters Adam iterations on the particles x (n x d) of rho0 with weights w0
 * (NULL: equal; any positive scale) towards tg; curve (iters, or NULL) receives J of each iteration and last
 * the costs of the last one.  Warm: the parameters and Adam's moments carry over between calls. */
int swfr_train(swfr *s, const double *x, const double *w0, int64_t n, const swfr_target *tg, int64_t iters,
               double *curve, swfr_costs *last, scuot_err *e);
/* The forward system (4.9) from x (n x d) with weights w0 (NULL: equal), all n particles together (Phi-bar
 * over them): positions zs and weights ws at the steps + 1 times k / steps ((steps + 1) x n x d and
 * (steps + 1) x n, or NULL), with weights scaled to mean 1 at t = 0; l (n, or NULL) the log-determinants at
 * t = 1; J_SWFR and J_R of these particles into c (kl is NAN: no target here). */
int swfr_forward(swfr *s, const double *x, const double *w0, int64_t n, double *zs, double *ws, double *l,
                 swfr_costs *c, scuot_err *e);
/* The inverse system (4.11): from y (n x d) with weights wy (NULL: equal) at t = 1 back to t = 0; positions
 * xs and weights ws at the times k / steps, stored by k ((steps + 1) x n x d, (steps + 1) x n: entry k holds
 * time k / steps), weights of mean 1 at t = 1; l (n or NULL): log-determinant of the inverse map.  Algorithm 2,
 * step 8, with y drawn from rho1. */
int swfr_inverse(swfr *s, const double *y, const double *wy, int64_t n, double *xs, double *ws, double *l,
                 scuot_err *e);

/* Algorithm 2, steps 7-8, for any number of draws: the inverse system (4.11) from y (n x d) with weights wy
 * (NULL: equal) at t = 1 back to t = 0, in chunks of at most chunk particles (0: 1024), each RK4 step on a fresh
 * tape, so memory is O(chunk x width) whatever n.  Positions x (n x d) at t = 0; weights w (n) of mean 1 from
 * the solution of the weight equation along each path, w_i(0) = C wy_i exp(int_0^1 Phi(z_i(t), t) dt / alpha)
 * (Phi-hat-bar is common to all particles and cancels in the normalisation; the integral is carried by RK4
 * with the path), equal to swfr_inverse's weights up to the O(h^4) of its integration of w. */
int swfr_generate(swfr *s, const double *y, const double *wy, int64_t n, int64_t chunk, double *x, double *w,
                  scuot_err *e);
/* Parameters, optimiser state and options: the budget of later swfr_train calls (iters is per call; lr, lr_decay,
 * batch,
 * tbatch and the seed of the minibatch draws may change between calls of a warm start, restarting the
 * draws; the architecture may not). */
const swfr_opts *swfr_get_opts(const swfr *s);
int swfr_set_budget(swfr *s, double lr, double lr_decay, int64_t batch, int64_t tbatch, uint64_t seed,
                    scuot_err *e);

#endif
