/* uotgan.c -- UOT-GAN: a stochastic transport map T(x, z), a scaling factor xi(x) and an adversary f trained by
 * alternating stochastic gradients (Yang & Uhler 2019, ICLR, Algorithm 1), with the psi-divergences of Table 1.
 *
 * The objective (Sec. 3, eq. 8), per minibatch of n source cells x_i (drawn from a / c_mu), target cells y_i
 * (from b / c_nu) and noise z_i ~ N(0, I), divided by c_mu = sum a (which changes no minimiser):
 *     l = 1/n sum_i [wc c1(x_i, T_i) xi_i + wm c2(xi_i) + zeta xi_i f(T_i)] - zeta (c_nu / c_mu) 1/n sum_i psi*(f(y_i))
 * with T_i = T(x_i, z_i), c1 the scaled squared Euclidean cost (the cost of the other methods: |x - y|^2
 * divided by its median over the source-target pairs, or as --cost-norm says), c2 an entropy function of
 * Table 1 and f = act(v) the adversary with Table 1's output activation.  The weights wc (--cost-weight),
 * wm (--mass-weight) and zeta (--div-weight, the zeta of Theorem 3.4: large zeta forces T#(xi mu) = nu) are
 * the relative prices of transport, mass variation and target mismatch.
 * Each iteration: f ascends l (T_i and xi_i held fixed), then T and xi descend l against the updated f.
 * Appendix C ("improved training dynamics", the default --t-update 1): T descends 1/n sum_i [wc c1 + zeta f(T_i)],
 * the per-sample loss without the weight xi_i, so cells with small xi still move; xi descends l.
 * Optional gradient penalties (Appendix C, "Gradient penalties"): on f, Gulrajani et al. 2017's
 * gp_f E (|grad f(y^)| - 1)^2 at random interpolates y^ of target and transported cells; on xi,
 * gp_xi E |grad xi(x)|^2 at the source cells (a smooth scaling factor).
 *
 * Departures: coordinates are standardised for the networks (neural_internal.h); T is residual by default,
 * T(x, z) = x + MLP([x, z]) with the last layer
 * initialised to zero (--residual 0: the plain MLP of the paper), so training starts at the identity map.
 * The result: scaling xi(x_i) of every source cell, the map as two snapshots (s = 0: the cells with masses a;
 * s = 1: T(x_i, z_i) with one seeded z per cell and masses a_i xi(x_i)) for scuot-interpolate's map rule,
 * row sums a xi, column sums b_j (psi*)'(f(y_j)) (the adversary's estimate of the density of the transported
 * mass relative to the target at y_j: equality in Lemma B.2 holds where (psi*)'(f) = dP/dQ), the objective
 * curve and every trained tensor. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mat.h"
#include "core/rng.h"
#include "neural/neural_internal.h"
#include "ot/cost.h"
#include "ot/ot_internal.h"

/* ---- Table 1 ---- */

static const char *const div_names[] = { "kl", "pearson", "hellinger", "js" };

const char *neural_div_name(int k)
{
	return k >= 0 && k < NEURAL_NDIV ? div_names[k] : "?";
}

static double xlogx(double s)
{
	return s > 0 ? s * log(s) : 0;
}

double neural_psi(int k, double s)
{
	switch (k) {
	case NEURAL_KL: return xlogx(s) - s + 1;
	case NEURAL_PEARSON: return (s - 1) * (s - 1);
	case NEURAL_HELLINGER: return (sqrt(s) - 1) * (sqrt(s) - 1);
	case NEURAL_JS: return xlogx(s) - (s + 1) * log((s + 1) / 2);
	}
	return NAN;
}

double neural_psi_deriv(int k, double s)
{
	switch (k) {
	case NEURAL_KL: return log(s);
	case NEURAL_PEARSON: return 2 * (s - 1);
	case NEURAL_HELLINGER: return 1 - 1 / sqrt(s);
	case NEURAL_JS: return log(2 * s / (s + 1));
	}
	return NAN;
}

double neural_conj(int k, double t)
{
	switch (k) {
	case NEURAL_KL: return exp(t) - 1;
	case NEURAL_PEARSON: return t * t / 4 + t;
	case NEURAL_HELLINGER: return t < 1 ? t / (1 - t) : INFINITY;
	case NEURAL_JS: return t < M_LN2 ? -log(2 - exp(t)) : INFINITY;
	}
	return NAN;
}

double neural_conj_deriv(int k, double t)
{
	switch (k) {
	case NEURAL_KL: return exp(t);
	case NEURAL_PEARSON: return t / 2 + 1;
	case NEURAL_HELLINGER: return t < 1 ? 1 / ((1 - t) * (1 - t)) : INFINITY;
	case NEURAL_JS: return t < M_LN2 ? exp(t) / (2 - exp(t)) : INFINITY;
	}
	return NAN;
}

double neural_psi_inf(int k)
{
	switch (k) {
	case NEURAL_KL:
	case NEURAL_PEARSON: return INFINITY;
	case NEURAL_HELLINGER: return 1;
	case NEURAL_JS: return M_LN2;
	}
	return NAN;
}

static double softplus(double v)
{
	return v > 0 ? v + log1p(exp(-v)) : log1p(exp(v));
}

double neural_act(int k, double v)
{
	switch (k) {
	case NEURAL_KL:
	case NEURAL_PEARSON: return v;
	case NEURAL_HELLINGER: return 1 - exp(v);
	case NEURAL_JS: return M_LN2 - softplus(-v);
	}
	return NAN;
}

scuot_nn_node *neural_psi_node(scuot_nn_graph *g, int k, scuot_nn_node *xi)
{
	scuot_nn_node *p;
	switch (k) {
	case NEURAL_KL:
		return scuot_nn_add_scalar(g, scuot_nn_sub(g, scuot_nn_mul(g, xi, scuot_nn_log(g, xi)), xi), 1);
	case NEURAL_PEARSON: return scuot_nn_square(g, scuot_nn_add_scalar(g, xi, -1));
	case NEURAL_HELLINGER: return scuot_nn_square(g, scuot_nn_add_scalar(g, scuot_nn_pow(g, xi, 0.5), -1));
	case NEURAL_JS:
		p = scuot_nn_add_scalar(g, xi, 1);
		return scuot_nn_sub(g, scuot_nn_mul(g, xi, scuot_nn_log(g, xi)),
		                    scuot_nn_mul(g, p, scuot_nn_add_scalar(g, scuot_nn_log(g, p), -M_LN2)));
	}
	return NULL;
}

scuot_nn_node *neural_act_node(scuot_nn_graph *g, int k, scuot_nn_node *v)
{
	switch (k) {
	case NEURAL_KL:
	case NEURAL_PEARSON: return v;
	case NEURAL_HELLINGER: return scuot_nn_add_scalar(g, scuot_nn_scale(g, scuot_nn_exp(g, v), -1), 1);
	case NEURAL_JS:
		return scuot_nn_add_scalar(g, scuot_nn_scale(g, scuot_nn_softplus(g, scuot_nn_scale(g, v, -1)), -1),
		                           M_LN2);
	}
	return NULL;
}

scuot_nn_node *neural_conj_act_node(scuot_nn_graph *g, int k, scuot_nn_node *v)
{
	switch (k) {
	case NEURAL_KL: return scuot_nn_add_scalar(g, scuot_nn_exp(g, v), -1);
	case NEURAL_PEARSON: return scuot_nn_add(g, scuot_nn_scale(g, scuot_nn_square(g, v), 0.25), v);
	case NEURAL_HELLINGER: return scuot_nn_add_scalar(g, scuot_nn_exp(g, scuot_nn_scale(g, v, -1)), -1);
	case NEURAL_JS: return scuot_nn_add_scalar(g, scuot_nn_softplus(g, v), -M_LN2);
	}
	return NULL;
}

/* ---- shared helpers ---- */

int openblas_get_num_threads(void) __attribute__((weak));
void openblas_set_num_threads(int) __attribute__((weak));

int neural_blas_small(int64_t rows, int64_t width)
{
	int n;
	if (!openblas_get_num_threads || !openblas_set_num_threads || (double)rows * width * width >= 134217728.0)
		return -1;
	if ((n = openblas_get_num_threads()) != 1)
		openblas_set_num_threads(1);
	return n;
}

void neural_blas_restore(int n)
{
	if (n > 1 && openblas_set_num_threads)
		openblas_set_num_threads(n);
}

int neural_prob_init(neural_prob *np, const scuot_ot_problem *p, scuot_ot_result *r, const char *method,
                     scuot_err *e)
{
	scuot_cost c;
	double med, scale;
	int64_t n = p->n, m = p->m, d = p->d;
	int ret;
	memset(np, 0, sizeof *np);
	if (p->cost != SCUOT_COST_SQEUCLIDEAN)
		return scuot_err_set(e, SCUOT_EUSAGE, "%s: only the squared Euclidean cost is supported (got %s); use "
		                     "--cost sqeuclidean", method, scuot_cost_kind_name(p->cost));
	if ((ret = scuot_cost_init(&c, SCUOT_COST_SQEUCLIDEAN, p->x, n, p->y, m, d, 0, e)))
		return ret;
	if (!(ret = scuot_cost_normalize(&c, SCUOT_COSTNORM_MEDIAN, e))) {
		med = c.scale;
		ret = scuot_cost_normalize(&c, p->cost_norm, e);
		scale = c.scale;
	}
	scuot_cost_free(&c);
	if (ret)
		return ret;
	r->cost = SCUOT_COST_SQEUCLIDEAN, r->cost_norm = p->cost_norm, r->cost_scale = scale;
	np->n = n, np->m = m, np->d = d;
	np->sigma = sqrt(med), np->s2 = med / scale;
	if (!(np->x = scuot_alloc((size_t)(n * d), sizeof(double), 0, "standardised source", e)) ||
	    !(np->y = scuot_alloc((size_t)(m * d), sizeof(double), 0, "standardised target", e)) ||
	    !(np->centre = scuot_alloc((size_t)d, sizeof(double), 1, "centre", e)))
		return e->code;
	for (int64_t i = 0; i < n; i++)
		for (int64_t k = 0; k < d; k++)
			np->centre[k] += p->x[i * d + k];
	for (int64_t j = 0; j < m; j++)
		for (int64_t k = 0; k < d; k++)
			np->centre[k] += p->y[j * d + k];
	for (int64_t k = 0; k < d; k++)
		np->centre[k] /= (double)(n + m);
	for (int64_t i = 0; i < n; i++)
		for (int64_t k = 0; k < d; k++)
			np->x[i * d + k] = (p->x[i * d + k] - np->centre[k]) / np->sigma;
	for (int64_t j = 0; j < m; j++)
		for (int64_t k = 0; k < d; k++)
			np->y[j * d + k] = (p->y[j * d + k] - np->centre[k]) / np->sigma;
	for (int64_t i = 0; i < n; i++)
		np->cmu += p->a[i];
	for (int64_t j = 0; j < m; j++)
		np->cnu += p->b[j];
	if (!(np->pa = gsl_ran_discrete_preproc((size_t)n, p->a)) ||
	    !(np->pb = gsl_ran_discrete_preproc((size_t)m, p->b)))
		return scuot_err_set(e, SCUOT_ENOMEM, "%s: out of memory for the sampling tables", method);
	return 0;
}

void neural_prob_free(neural_prob *np)
{
	free(np->x);
	free(np->y);
	free(np->centre);
	if (np->pa)
		gsl_ran_discrete_free(np->pa);
	if (np->pb)
		gsl_ran_discrete_free(np->pb);
	memset(np, 0, sizeof *np);
}

void neural_gather(const double *src, int64_t d, const int64_t *idx, int64_t k, double *dst)
{
	for (int64_t q = 0; q < k; q++)
		memcpy(dst + q * d, src + idx[q] * d, sizeof(double) * (size_t)d);
}

int neural_mlp3(scuot_nn_mlp *net, scuot_nn_model *m, const char *name, int64_t in, int64_t out, int64_t width,
                int out_act, gsl_rng *rng, scuot_err *e)
{
	scuot_nn_mlp_spec s = { .n_hidden = 3, .hidden = { width, width, width }, .act = SCUOT_NN_RELU,
	                        .bn_at = -1, .dropout_at = -1, .out_bias = 1, .out_act = out_act };
	return scuot_nn_mlp_init(net, m, name, in, out, &s, rng, e);
}

void neural_zero_out(scuot_nn_mlp *net)
{
	scuot_nn_linear *l = &net->lin[net->spec.n_hidden];
	memset(l->w->v, 0, sizeof(double) * (size_t)(l->w->r * l->w->c));
	if (l->b)
		memset(l->b->v, 0, sizeof(double) * (size_t)(l->b->r * l->b->c));
}

int neural_save(scuot_ot_result *r, const scuot_nn_model *m, const neural_prob *np, scuot_err *e)
{
	int ret;
	for (int k = 0; k < m->n; k++)
		if ((ret = scuot_ot_result_add_array(r, m->t[k]->name, m->t[k]->r, m->t[k]->c, m->t[k]->v, e)))
			return ret;
	if (np && ((ret = scuot_ot_result_add_array(r, "standardise.centre", 1, np->d, np->centre, e)) ||
	           (ret = scuot_ot_result_add_array(r, "standardise.sigma", 1, 1, &np->sigma, e))))
		return ret;
	return 0;
}

int neural_curve_push(scuot_ot_result *r, int *cap, double v, scuot_err *e)
{
	if (r->n_curve == *cap) {
		int nc = *cap ? 2 * *cap : 64;
		double *c = scuot_realloc(r->curve, (size_t)nc, sizeof(double), "objective curve", e);
		if (!c)
			return e->code;
		r->curve = c, *cap = nc;
	}
	r->curve[r->n_curve++] = v;
	return 0;
}

int neural_map_snapshots(scuot_ot_result *r, const scuot_ot_problem *p, double *x1, const double *w1,
                         scuot_err *e)
{
	int64_t n = p->n, d = p->d;
	scuot_ot_snapshot *s = scuot_realloc(r->snap, 2, sizeof *s, "snapshots", e);
	if (!s) {
		free(x1);
		return e->code;
	}
	r->snap = s;
	memset(s + r->n_snap, 0, sizeof *s * (size_t)(2 - r->n_snap));
	for (int k = 0; k < 2; k++) {
		s[k].s = k, s[k].np = n;
		if (!(s[k].w = scuot_alloc((size_t)n, sizeof(double), 0, "snapshot masses", e)) ||
		    !(s[k].ancestor = scuot_alloc((size_t)n, sizeof(int64_t), 0, "snapshot ancestors", e)) ||
		    (k == 0 && !(s[k].x = scuot_alloc((size_t)(n * d), sizeof(double), 0, "snapshot", e)))) {
			r->n_snap = 2;
			free(x1);
			return e->code;
		}
		for (int64_t i = 0; i < n; i++)
			s[k].w[i] = k ? w1[i] : p->a[i], s[k].ancestor[i] = i;
	}
	memcpy(s[0].x, p->x, sizeof(double) * (size_t)(n * d));
	s[1].x = x1;
	r->n_snap = 2;
	return 0;
}

double neural_par(const scuot_ot_param *t, int np, const double *par, const char *name)
{
	for (int k = 0; k < np; k++)
		if (!strcmp(t[k].name, name))
			return par[k];
	return NAN;
}

/* ---- the method ---- */

static const scuot_ot_param gan_params[] = {
	{ "iters", SCUOT_PARAM_INT, 3000, 1, 1e9, "training iterations (each: one step of f, one of T and xi)" },
	{ "batch", SCUOT_PARAM_INT, 128, 1, 1e6, "minibatch: source cells, target cells and noise draws per "
	  "iteration" },
	{ "width", SCUOT_PARAM_INT, 64, 1, 65536, "units of each of the 3 hidden ReLU layers of T, xi and f" },
	{ "zdim", SCUOT_PARAM_INT, 2, 0, 4096, "dimension of the noise z ~ N(0, I) of the stochastic map T(x, z) "
	  "(0: a deterministic map)" },
	{ "divergence", SCUOT_PARAM_INT, 0, 0, 3, "psi of the target penalty D_psi(T#(xi mu) | nu), Table 1: 0 KL, "
	  "1 Pearson chi^2, 2 Hellinger, 3 Jensen-Shannon" },
	{ "mass-entropy", SCUOT_PARAM_INT, 0, 0, 3, "entropy function c2 of the mass-variation cost c2(xi), same "
	  "codes" },
	{ "cost-weight", SCUOT_PARAM_REAL, 1, 0, 1e12, "weight of the transport cost c1 (the scaled squared "
	  "Euclidean cost)" },
	{ "mass-weight", SCUOT_PARAM_REAL, 1, 0, 1e12, "weight of the mass-variation cost c2(xi)" },
	{ "div-weight", SCUOT_PARAM_REAL, 10, 1e-12, 1e12, "weight zeta of the divergence penalty (larger: "
	  "T#(xi mu) closer to nu)" },
	{ "gp-f", SCUOT_PARAM_REAL, 1, 0, 1e12, "gradient penalty on f: weight of E (|grad f| - 1)^2 at "
	  "interpolates of target and transported cells" },
	{ "gp-xi", SCUOT_PARAM_REAL, 0, 0, 1e12, "gradient penalty on xi: weight of E |grad xi(x)|^2 at the source "
	  "cells (in standardised coordinates)" },
	{ "lr", SCUOT_PARAM_REAL, 1e-3, 1e-12, 10, "Adam learning rate of T and xi" },
	{ "lr-f", SCUOT_PARAM_REAL, 1e-3, 1e-12, 10, "Adam learning rate of f" },
	{ "lr-end", SCUOT_PARAM_REAL, 0.1, 1e-6, 1, "both learning rates decay geometrically to this fraction by the "
	  "last iteration" },
	{ "beta1", SCUOT_PARAM_REAL, 0.5, 0, 0.999999, "Adam first-moment decay of all three networks (beta2 "
	  "0.999)" },
	{ "t-update", SCUOT_PARAM_INT, 1, 0, 1, "1: Appendix C's T update (per-sample loss c1 + f(T) without the "
	  "weight xi); 0: Algorithm 1's (the same loss weighted by xi)" },
	{ "residual", SCUOT_PARAM_INT, 1, 0, 1, "1: T(x, z) = x + MLP([x, z]) (starts at the identity); 0: T = "
	  "MLP([x, z]) as in the paper" },
	{ "record", SCUOT_PARAM_INT, 10, 1, 1e9, "the objective curve holds the mean minibatch objective of every "
	  "this many iterations" },
};

#define NP(t) ((int)(sizeof t / sizeof t[0]))
#define PAR(name) neural_par(gan_params, NP(gan_params), par, name)

typedef struct gan {
	int div, c2, t_update, residual;
	int64_t nb, zdim, d;
	double wc, wm, zeta, gp_f, gp_xi, cr, s2;
	scuot_nn_mlp T, xi, f;
	scuot_nn_model *mg, *mf; /* T and xi; f */
	scuot_nn_optim og, of;
} gan;

/* T(x, z) and xi(x) at the rows of X (z: Z, zdim columns, or none). */
static void gan_fwd(scuot_nn_graph *g, const gan *G, scuot_nn_node *X, scuot_nn_node *Z, scuot_nn_node **T,
                    scuot_nn_node **xi)
{
	scuot_nn_node *in = Z ? scuot_nn_concat(g, X, Z) : X;
	*T = scuot_nn_mlp_fwd(g, &G->T, in, NULL);
	if (G->residual)
		*T = scuot_nn_add(g, *T, X);
	*xi = scuot_nn_mlp_fwd(g, &G->xi, X, NULL);
}

/* One iteration on the minibatch X, Y, Z (nb rows); *obj receives the minibatch objective l before the steps. */
static int gan_step(scuot_nn_graph *g, gan *G, const double *X, const double *Y, const double *Z, gsl_rng *rng,
                    double *yh, double *obj, scuot_err *e)
{
	int64_t nb = G->nb, d = G->d;
	scuot_nn_node *Xn, *Zn = NULL, *T, *xi, *c1, *Tc, *xic, *vF, *vR, *fobj, *floss, *gloss, *h, *fT;
	int ret;
	scuot_nn_graph_reset(g);
	Xn = G->gp_xi > 0 ? scuot_nn_input(g, nb, d, X) : scuot_nn_const(g, nb, d, X);
	if (G->zdim > 0)
		Zn = scuot_nn_const(g, nb, G->zdim, Z);
	gan_fwd(g, G, Xn, Zn, &T, &xi);
	c1 = scuot_nn_scale(g, scuot_nn_sum_cols(g, scuot_nn_square(g, scuot_nn_sub(g, T, Xn))), G->wc * G->s2);
	if (!c1)
		return scuot_nn_graph_error(g, e);

	/* f ascends l with T and xi fixed */
	Tc = scuot_nn_const(g, nb, d, T->v);
	xic = scuot_nn_const(g, nb, 1, xi->v);
	vF = scuot_nn_mlp_fwd(g, &G->f, Tc, NULL);
	vR = scuot_nn_mlp_fwd(g, &G->f, scuot_nn_const(g, nb, d, Y), NULL);
	fobj = scuot_nn_sub(g, scuot_nn_mean(g, scuot_nn_mul(g, xic, neural_act_node(g, G->div, vF))),
	                    scuot_nn_scale(g, scuot_nn_mean(g, neural_conj_act_node(g, G->div, vR)), G->cr));
	floss = scuot_nn_scale(g, fobj, -G->zeta);
	if (G->gp_f > 0) {
		scuot_nn_node *Yh, *fh, *gy, *nrm;
		for (int64_t i = 0; i < nb; i++) {
			double t = gsl_rng_uniform(rng);
			for (int64_t k = 0; k < d; k++)
				yh[i * d + k] = t * Y[i * d + k] + (1 - t) * T->v[i * d + k];
		}
		Yh = scuot_nn_input(g, nb, d, yh);
		fh = neural_act_node(g, G->div, scuot_nn_mlp_fwd(g, &G->f, Yh, NULL));
		if ((ret = scuot_nn_grad(g, scuot_nn_sum(g, fh), 1, &Yh, &gy, e)))
			return ret;
		nrm = scuot_nn_pow(g, scuot_nn_add_scalar(g, scuot_nn_sum_cols(g, scuot_nn_square(g, gy)), 1e-12), 0.5);
		floss = scuot_nn_add(g, floss, scuot_nn_scale(g, scuot_nn_mean(g, scuot_nn_square(g,
		                     scuot_nn_add_scalar(g, nrm, -1))), G->gp_f));
	}
	if (!floss)
		return scuot_nn_graph_error(g, e);
	{
		double l = 0;
		for (int64_t i = 0; i < nb; i++)
			l += xi->v[i] * c1->v[i] + G->wm * neural_psi(G->c2, xi->v[i]);
		*obj = l / (double)nb + G->zeta * fobj->v[0];
	}
	scuot_nn_model_zero_grad(G->mf);
	if ((ret = scuot_nn_backward(g, floss, G->mf, e)) || (ret = scuot_nn_optim_step(&G->of, G->mf, e)))
		return ret;

	/* T and xi descend l against the updated f (its leaves read the new values in place; the nodes of the f
	 * step above are not differentiated again) */
	fT = neural_act_node(g, G->div, scuot_nn_mlp_fwd(g, &G->f, T, NULL));
	h = scuot_nn_add(g, c1, scuot_nn_scale(g, fT, G->zeta)); /* per-sample loss of T */
	if (!h)
		return scuot_nn_graph_error(g, e);
	if (G->t_update) /* xi sees h as a constant, T sees h unweighted */
		gloss = scuot_nn_add(g, scuot_nn_mean(g, scuot_nn_mul(g, xi, scuot_nn_const(g, nb, 1, h->v))),
		                     scuot_nn_mean(g, h));
	else
		gloss = scuot_nn_mean(g, scuot_nn_mul(g, xi, h));
	if (G->wm > 0)
		gloss = scuot_nn_add(g, gloss, scuot_nn_scale(g, scuot_nn_mean(g, neural_psi_node(g, G->c2, xi)), G->wm));
	if (G->gp_xi > 0) {
		scuot_nn_node *gx;
		if ((ret = scuot_nn_grad(g, scuot_nn_sum(g, xi), 1, &Xn, &gx, e)))
			return ret;
		gloss = scuot_nn_add(g, gloss, scuot_nn_scale(g, scuot_nn_mean(g, scuot_nn_sum_cols(g,
		                     scuot_nn_square(g, gx))), G->gp_xi));
	}
	if (!gloss)
		return scuot_nn_graph_error(g, e);
	scuot_nn_model_zero_grad(G->mg);
	if ((ret = scuot_nn_backward(g, gloss, G->mg, e)) || (ret = scuot_nn_optim_step(&G->og, G->mg, e)))
		return ret;
	return 0;
}

static int run_uotgan(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	neural_prob np;
	gan G;
	scuot_nn_graph *g = NULL;
	gsl_rng *rinit = NULL, *rb = NULL, *rz = NULL;
	int64_t *ia = NULL, *jb = NULL, n = p->n, m = p->m, d = p->d;
	double *X = NULL, *Y = NULL, *Z = NULL, *yh = NULL, *x1 = NULL, *w1 = NULL;
	int64_t iters = (int64_t)PAR("iters"), every = (int64_t)PAR("record"), width = (int64_t)PAR("width");
	int ret, cap = 0, nblas = -1;
	double acc = 0, lr_g = PAR("lr"), lr_f = PAR("lr-f"), lr_end = PAR("lr-end");
	memset(&G, 0, sizeof G);
	G.nb = (int64_t)PAR("batch"), G.zdim = (int64_t)PAR("zdim"), G.d = d;
	G.div = (int)PAR("divergence"), G.c2 = (int)PAR("mass-entropy");
	G.wc = PAR("cost-weight"), G.wm = PAR("mass-weight"), G.zeta = PAR("div-weight");
	G.gp_f = PAR("gp-f"), G.gp_xi = PAR("gp-xi");
	G.t_update = PAR("t-update") != 0, G.residual = PAR("residual") != 0;
	if ((ret = neural_prob_init(&np, p, r, "uotgan", e)))
		goto done;
	G.cr = np.cnu / np.cmu, G.s2 = np.s2;
	scuot_log_info("uotgan: %lld source, %lld target cells, %lld dimensions; psi %s, c2 %s, weights cost %g, "
	               "mass %g, divergence %g; %lld iterations of batch %lld, width %lld, zdim %lld; c_nu / c_mu %.4g",
	               (long long)n, (long long)m, (long long)d, neural_div_name(G.div), neural_div_name(G.c2), G.wc,
	               G.wm, G.zeta, (long long)iters, (long long)G.nb, (long long)width, (long long)G.zdim, G.cr);
	if (!(rinit = scuot_rng_new(p->seed, 0x67616e30u, e)) || !(rb = scuot_rng_new(p->seed, 0x67616e31u, e)) ||
	    !(rz = scuot_rng_new(p->seed, 0x67616e32u, e))) {
		ret = e->code;
		goto done;
	}
	if (!(G.mg = scuot_nn_model_new()) || !(G.mf = scuot_nn_model_new()) || !(g = scuot_nn_graph_new())) {
		ret = scuot_err_set(e, SCUOT_ENOMEM, "uotgan: out of memory for the networks");
		goto done;
	}
	if ((ret = neural_mlp3(&G.T, G.mg, "T", d + G.zdim, d, width, SCUOT_NN_IDENTITY, rinit, e)) < 0 ||
	    (ret = neural_mlp3(&G.xi, G.mg, "xi", d, 1, width, SCUOT_NN_SOFTPLUS, rinit, e)) < 0 ||
	    (ret = neural_mlp3(&G.f, G.mf, "f", d, 1, width, SCUOT_NN_IDENTITY, rinit, e)) < 0)
		goto done;
	if (G.residual)
		neural_zero_out(&G.T);
	G.og = scuot_nn_adam(lr_g), G.of = scuot_nn_adam(lr_f);
	G.og.beta1 = G.of.beta1 = PAR("beta1");
	if (!(ia = scuot_alloc((size_t)G.nb, sizeof(int64_t), 0, "minibatch", e)) ||
	    !(jb = scuot_alloc((size_t)G.nb, sizeof(int64_t), 0, "minibatch", e)) ||
	    !(X = scuot_alloc((size_t)(G.nb * d), sizeof(double), 0, "minibatch", e)) ||
	    !(Y = scuot_alloc((size_t)(G.nb * d), sizeof(double), 0, "minibatch", e)) ||
	    !(yh = scuot_alloc((size_t)(G.nb * d), sizeof(double), 0, "interpolates", e)) ||
	    !(Z = scuot_alloc((size_t)(G.nb * (G.zdim ? G.zdim : 1)), sizeof(double), 0, "noise", e))) {
		ret = e->code;
		goto done;
	}
	nblas = neural_blas_small(G.nb, width);
	for (int64_t it = 1; it <= iters; it++) {
		double obj = NAN;
		for (int64_t k = 0; k < G.nb; k++)
			ia[k] = (int64_t)gsl_ran_discrete(rb, np.pa), jb[k] = (int64_t)gsl_ran_discrete(rb, np.pb);
		for (int64_t k = 0; k < G.nb * G.zdim; k++)
			Z[k] = gsl_ran_gaussian_ziggurat(rb, 1.0);
		neural_gather(np.x, d, ia, G.nb, X);
		neural_gather(np.y, d, jb, G.nb, Y);
		G.og.lr = lr_g * pow(lr_end, (double)(it - 1) / (double)iters);
		G.of.lr = lr_f * pow(lr_end, (double)(it - 1) / (double)iters);
		if ((ret = gan_step(g, &G, X, Y, Z, rb, yh, &obj, e))) {
			scuot_err_prefix(e, "uotgan: ");
			goto done;
		}
		if (!isfinite(obj)) {
			ret = scuot_err_set(e, SCUOT_ENUMERIC, "uotgan: the minibatch objective became %g at iteration %lld; "
			                    "lower --lr and --lr-f or add --gp-f", obj, (long long)it);
			goto done;
		}
		acc += obj;
		if (it % every == 0 || it == iters) {
			int64_t k = it % every == 0 ? every : it % every;
			if ((ret = neural_curve_push(r, &cap, acc / (double)k, e)))
				goto done;
			scuot_log_debug("uotgan: iteration %lld, objective %.6g", (long long)it, acc / (double)k);
			acc = 0;
		}
	}

	neural_blas_restore(nblas);
	nblas = -1;
	/* every source cell through T (one seeded z each) and xi; f at every target cell */
	if (!r->row_sum && !(r->row_sum = scuot_alloc((size_t)n, sizeof(double), 0, "row sums", e))) {
		ret = e->code;
		goto done;
	}
	if (!(r->scaling = scuot_alloc((size_t)n, sizeof(double), 0, "scaling factors", e)) ||
	    !(r->col_sum = scuot_alloc((size_t)m, sizeof(double), 0, "column sums", e)) ||
	    !(x1 = scuot_alloc((size_t)(n * d), sizeof(double), 0, "transported cells", e)) ||
	    !(w1 = scuot_alloc((size_t)n, sizeof(double), 0, "transported masses", e))) {
		ret = e->code;
		goto done;
	}
	double tc = 0, sa = 0, sr = 0, sb = 0, sc = 0, ea = 0, eb = 0;
	for (int64_t i0 = 0; i0 < n; i0 += NEURAL_EVAL_BLOCK) {
		int64_t k = n - i0 < NEURAL_EVAL_BLOCK ? n - i0 : NEURAL_EVAL_BLOCK;
		double *zb = NULL;
		scuot_nn_node *T, *xi;
		if (G.zdim > 0 && !(zb = scuot_alloc((size_t)(k * G.zdim), sizeof(double), 0, "noise", e))) {
			ret = e->code;
			goto done;
		}
		for (int64_t q = 0; q < k * G.zdim; q++)
			zb[q] = gsl_ran_gaussian_ziggurat(rz, 1.0);
		scuot_nn_graph_reset(g);
		gan_fwd(g, &G, scuot_nn_const(g, k, d, np.x + i0 * d), zb ? scuot_nn_const(g, k, G.zdim, zb) : NULL, &T,
		        &xi);
		free(zb);
		if (!T || !xi) {
			ret = scuot_nn_graph_error(g, e);
			goto done;
		}
		for (int64_t i = i0; i < i0 + k; i++) {
			double c = 0;
			for (int64_t j = 0; j < d; j++) {
				double u = T->v[(i - i0) * d + j];
				x1[i * d + j] = np.centre[j] + np.sigma * u;
				c += (u - np.x[i * d + j]) * (u - np.x[i * d + j]);
			}
			r->scaling[i] = xi->v[i - i0];
			r->row_sum[i] = w1[i] = p->a[i] * xi->v[i - i0];
			tc += r->row_sum[i] * c * np.s2;
		}
	}
	for (int64_t j0 = 0; j0 < m; j0 += NEURAL_EVAL_BLOCK) {
		int64_t k = m - j0 < NEURAL_EVAL_BLOCK ? m - j0 : NEURAL_EVAL_BLOCK;
		scuot_nn_graph_reset(g);
		scuot_nn_node *v = scuot_nn_mlp_fwd(g, &G.f, scuot_nn_const(g, k, d, np.y + j0 * d), NULL);
		if (!v) {
			ret = scuot_nn_graph_error(g, e);
			goto done;
		}
		for (int64_t j = j0; j < j0 + k; j++)
			r->col_sum[j] = p->b[j] * neural_conj_deriv(G.div, neural_act(G.div, v->v[j - j0]));
	}
	for (int64_t i = 0; i < n; i++)
		sa += p->a[i], sr += r->row_sum[i], ea += fabs(r->row_sum[i] - p->a[i]);
	for (int64_t j = 0; j < m; j++)
		sb += p->b[j], sc += r->col_sum[j], eb += fabs(r->col_sum[j] - p->b[j]);
	r->transport_cost = tc, r->marg_err_a = ea / sa, r->marg_err_b = eb / sb;
	r->iterations = iters, r->converged = 1;
	r->objective = r->n_curve ? r->curve[r->n_curve - 1] : NAN;
	snprintf(r->curve_name, sizeof r->curve_name, "minibatch objective");
	if ((ret = neural_map_snapshots(r, p, x1, w1, e)))
		goto done_x1;
	x1 = NULL;
	if ((ret = neural_save(r, G.mg, &np, e)) || (ret = neural_save(r, G.mf, NULL, e)))
		goto done;
	scuot_log_info("uotgan: %lld iterations, objective %.4g (first record %.4g); transported mass %.4g of the "
	               "source's %.4g (target %.4g, the adversary's estimate at the target cells %.4g); transport "
	               "cost %.4g", (long long)iters, r->objective, r->n_curve ? r->curve[0] : NAN, sr, sa, sb, sc, tc);
done_x1:
	x1 = NULL;
done:
	neural_blas_restore(nblas);
	free(x1);
	free(w1);
	free(ia);
	free(jb);
	free(X);
	free(Y);
	free(Z);
	free(yh);
	scuot_nn_graph_free(g);
	scuot_nn_model_free(G.mg);
	scuot_nn_model_free(G.mf);
	gsl_rng_free(rinit);
	gsl_rng_free(rb);
	gsl_rng_free(rz);
	neural_prob_free(&np);
	return ret;
}

const scuot_ot_method scuot_method_uotgan = {
	"uotgan", "neural map",
	"UOT-GAN: a stochastic transport map T(x, z), a scaling factor xi(x) and an adversary f trained as a GAN; "
	"the map and mass change interpolate linearly (rule map)",
	"Yang & Uhler 2019 (ICLR), Algorithm 1, Table 1 and Appendix C",
	NP(gan_params), gan_params, SCUOT_COST_SQEUCLIDEAN, run_uotgan, NULL
};
