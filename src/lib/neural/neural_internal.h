/* neural_internal.h -- not a public header: the psi-divergences of Table 1 of Yang & Uhler 2019 (entropy
 * functions, conjugates, output activations, as numbers and as graph nodes) and what uotgan and uot-dual share. */
#ifndef SCUOT_NEURAL_INTERNAL_H
#define SCUOT_NEURAL_INTERNAL_H

#include <stdint.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/err.h"
#include "nn/layers.h"
#include "nn/nn.h"
#include "ot/ot.h"

/* ---- Table 1 (Yang & Uhler 2019, Appendix C; Nowozin et al. 2016) ----
 * psi(s): the entropy function (also used as the mass-variation cost c2); psi*(t) = sup_s s t - psi(s)
 * its convex conjugate, finite for t < psi'_inf; the output activation maps the adversary's last layer v
 * into (-inf, psi'_inf).  KL: psi = s log s - s + 1, psi* = e^t - 1 (Table 1 writes e^t: the constant does not
 * change any gradient), identity activation.  Pearson chi^2: (s - 1)^2, t^2 / 4 + t (the conjugate over all
 * real s, as the table), identity.  Hellinger: (sqrt s - 1)^2, t / (1 - t), 1 - e^v.  Jensen-Shannon:
 * s log s - (s + 1) log((s + 1) / 2), -log(2 - e^t), log 2 - log(1 + e^-v). */
enum { NEURAL_KL = 0, NEURAL_PEARSON, NEURAL_HELLINGER, NEURAL_JS, NEURAL_NDIV };

const char *neural_div_name(int k);
double neural_psi(int k, double s);
double neural_psi_deriv(int k, double s);
double neural_conj(int k, double t);       /* +inf where t >= psi'_inf */
double neural_conj_deriv(int k, double t); /* (psi*)'(t): the density ratio dP/dQ at the optimal f = t */
double neural_psi_inf(int k);              /* psi'_inf = lim psi(s) / s */
double neural_act(int k, double v);
/* Graph versions: psi(xi) elementwise (xi > 0), the activation act(v), and psi*(act(v)) written in v so it
 * never leaves the domain of psi* (Hellinger: e^-v - 1, JS: softplus(v) - log 2). */
scuot_nn_node *neural_psi_node(scuot_nn_graph *g, int k, scuot_nn_node *xi);
scuot_nn_node *neural_act_node(scuot_nn_graph *g, int k, scuot_nn_node *v);
scuot_nn_node *neural_conj_act_node(scuot_nn_graph *g, int k, scuot_nn_node *v);

/* ---- shared by the methods ---- */

/* A problem in the networks' units: coordinates standardised as u = (x - centre) / sigma with centre the mean
 * of all source and target cells and sigma the square root of the median squared source-target distance, so
 * that the scaled cost C / cost_scale is s2 |u - u'|^2 with s2 = sigma^2 / cost_scale. */
typedef struct neural_prob {
	int64_t n, m, d;
	double *x, *y;         /* standardised, n x d and m x d */
	double *centre, sigma; /* d, and the scale */
	double s2;
	double cmu, cnu;       /* sum a, sum b */
	gsl_ran_discrete_t *pa, *pb; /* sampling tables of a / cmu and b / cnu */
} neural_prob;

/* Set up np for p, and r's cost fields (cost sqeuclidean only: SCUOT_EUSAGE otherwise; normalisation
 * p->cost_norm).  method names the caller in messages. */
int neural_prob_init(neural_prob *np, const scuot_ot_problem *p, scuot_ot_result *r, const char *method,
                     scuot_err *e);
void neural_prob_free(neural_prob *np);
/* Rows idx[0..k) of the n x d matrix src into dst. */
void neural_gather(const double *src, int64_t d, const int64_t *idx, int64_t k, double *dst);
/* An MLP with 3 hidden ReLU layers of width units and output activation out_act. */
int neural_mlp3(scuot_nn_mlp *net, scuot_nn_model *m, const char *name, int64_t in, int64_t out, int64_t width,
                int out_act, gsl_rng *rng, scuot_err *e);
/* Zero the output layer of net (a residual map then starts at the identity). */
void neural_zero_out(scuot_nn_mlp *net);
/* Append every tensor of m to r's model, then the standardisation (standardise.centre 1 x d,
 * standardise.sigma 1 x 1) when np is given. */
int neural_save(scuot_ot_result *r, const scuot_nn_model *m, const neural_prob *np, scuot_err *e);
/* Append value v to r's curve (capacity *cap). */
int neural_curve_push(scuot_ot_result *r, int *cap, double v, scuot_err *e);
/* The two snapshots of the map rule: s = 0 at the source cells with masses a, s = 1 at x1 (raw coordinates,
 * n x d, ownership taken) with masses w1 (copied); ancestors i. */
int neural_map_snapshots(scuot_ot_result *r, const scuot_ot_problem *p, double *x1, const double *w1,
                         scuot_err *e);
/* Parameter value by name from a method's table. */
double neural_par(const scuot_ot_param *t, int np, const double *par, const char *name);

/* OpenBLAS on one thread while the matrices are small (flops of the largest product of a step below 2^27:
 * threads cost more than they give there); returns the count to restore, -1 when nothing changed. */
int neural_blas_small(int64_t rows, int64_t width);
void neural_blas_restore(int n);

#define NEURAL_EVAL_BLOCK 4096 /* rows per graph when the trained networks are evaluated at every cell */

#endif
