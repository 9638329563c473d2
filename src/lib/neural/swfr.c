/* swfr.c -- learned spherical Wasserstein-Fisher-Rao geodesics and UOT-gen (Jing, Li, Liu, Zhou, "Learning
 * geodesics under spherical WFR", the swfr paper of NOTES.md, Sec. 4-6): the potential network, RK4. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/log.h"
#include "core/mat.h"
#include "core/rng.h"
#include "neural/neural_internal.h"
#include "neural/swfr_internal.h"
#include "ot/cost.h"
#include "ot/ot.h"
#include "ot/ot_internal.h"

#define LOG2PI 1.8378770664093454836

/* ---- the potential ---- */

static void unif(scuot_nn_tensor *t, double a, gsl_rng *rng)
{
	for (int64_t i = 0; i < t->r * t->c; i++)
		t->v[i] = a * (2 * gsl_rng_uniform(rng) - 1);
}

int swfr_net_init(swfr_net *net, scuot_nn_model *mod, int64_t d, int64_t m, int64_t r, gsl_rng *rng, scuot_err *e)
{
	memset(net, 0, sizeof(*net));
	net->d = d, net->m = m, net->r = r;
	if (!(net->K0 = scuot_nn_model_add(mod, "phi.K0", m, d + 1, e)) ||
	    !(net->b0 = scuot_nn_model_add(mod, "phi.b0", 1, m, e)) ||
	    !(net->K1 = scuot_nn_model_add(mod, "phi.K1", m, m, e)) ||
	    !(net->b1 = scuot_nn_model_add(mod, "phi.b1", 1, m, e)) ||
	    !(net->w = scuot_nn_model_add(mod, "phi.w", 1, m, e)) ||
	    !(net->A = scuot_nn_model_add(mod, "phi.A", r, d + 1, e)) ||
	    !(net->b = scuot_nn_model_add(mod, "phi.b", 1, d + 1, e)) ||
	    !(net->c = scuot_nn_model_add(mod, "phi.c", 1, 1, e)))
		return e->code;
	unif(net->K0, 1 / sqrt((double)(d + 1)), rng);
	unif(net->b0, 1 / sqrt((double)(d + 1)), rng);
	unif(net->K1, 1 / sqrt((double)m), rng);
	unif(net->b1, 1 / sqrt((double)m), rng);
	/* departure from OT-Flow (A Xavier-uniform, w ones): A at 0.1 Xavier and w at 0.1, so that the first flows
	 * stay near the identity and the weight equation, stiff as |Phi - Phi-bar| / alpha, is not */
	unif(net->A, 0.1 * sqrt(6.0 / (double)(r + d + 1)), rng);
	for (int64_t i = 0; i < m; i++)
		net->w->v[i] = 0.1;
	return 0;
}

/* With a0 = s K0^T + b0, u0 = act(a0), a1 = u0 K1^T + b1 (rows are particles):
 *   grad_s Phi = (tanh(a0) * z1) K0 + s A^T A + b,   z1 = w + (tanh(a1) * w) K1   (OT-Flow eq. 14-15),
 *   tr Hess_x Phi = sum_i [(1 - tanh^2 a0) * z1]_i |K0_i,x|^2                        (t0, eq. 17)
 *                 + sum_i [(1 - tanh^2 a1) * w]_i sum_j (K1 J_j)_i^2                   (t1, eq. 18-19)
 *                 + tr((A^T A)_xx),
 * J_j = tanh(a0) * K0[:, j] the j-th column of grad_x u0 (j < d: space only). */
void swfr_phi(scuot_nn_graph *g, const swfr_net *net, scuot_nn_node *s, scuot_nn_node **phi, scuot_nn_node **grad,
              scuot_nn_node **lap)
{
	int64_t n = s ? s->r : 1, d = net->d;
	scuot_nn_node *K0 = scuot_nn_param(g, net->K0), *b0 = scuot_nn_param(g, net->b0);
	scuot_nn_node *K1 = scuot_nn_param(g, net->K1), *b1 = scuot_nn_param(g, net->b1);
	scuot_nn_node *w = scuot_nn_param(g, net->w), *A = scuot_nn_param(g, net->A);
	scuot_nn_node *b = scuot_nn_param(g, net->b), *c = scuot_nn_param(g, net->c);
	scuot_nn_node *a0 = scuot_nn_add_row(g, scuot_nn_matmul(g, s, 0, K0, 1), b0);
	scuot_nn_node *t0, *t1, *u0 = scuot_nn_logcosh_tanh(g, a0, &t0); /* tanh for grad Phi, from the same pass */
	scuot_nn_node *a1 = scuot_nn_add_row(g, scuot_nn_matmul(g, u0, 0, K1, 1), b1);
	scuot_nn_node *u1 = scuot_nn_add(g, u0, scuot_nn_logcosh_tanh(g, a1, &t1));
	scuot_nn_node *As = scuot_nn_matmul(g, s, 0, A, 1);
	scuot_nn_node *f = scuot_nn_add(g, scuot_nn_matmul(g, u1, 0, w, 1),
	                                scuot_nn_scale(g, scuot_nn_sum_cols(g, scuot_nn_square(g, As)), 0.5));
	f = scuot_nn_add(g, f, scuot_nn_matmul(g, s, 0, b, 1));
	*phi = scuot_nn_add(g, f, scuot_nn_bcast(g, c, n, 1));
	scuot_nn_node *z1 = scuot_nn_add_row(g, scuot_nn_matmul(g, scuot_nn_mul_row(g, t1, w), 0, K1, 0), w);
	scuot_nn_node *Kx = scuot_nn_slice(g, K0, 0, d), *Ax = scuot_nn_slice(g, A, 0, d);
	scuot_nn_node *gr = scuot_nn_add(g, scuot_nn_matmul(g, scuot_nn_mul(g, t0, z1), 0, Kx, 0),
	                                 scuot_nn_matmul(g, As, 0, Ax, 0));
	*grad = scuot_nn_add_row(g, gr, scuot_nn_slice(g, b, 0, d));
	if (!lap)
		return;
	/* 1 - tanh^2 */
	scuot_nn_node *d0 = scuot_nn_add_scalar(g, scuot_nn_scale(g, scuot_nn_square(g, t0), -1), 1);
	scuot_nn_node *d1 = scuot_nn_add_scalar(g, scuot_nn_scale(g, scuot_nn_square(g, t1), -1), 1);
	scuot_nn_node *tr = scuot_nn_matmul(g, scuot_nn_mul(g, d0, z1), 0,
	                                    scuot_nn_sum_cols(g, scuot_nn_square(g, Kx)), 0);
	/* all d columns in one product: (K1 J_j)_iq = sum_l t0_il K1_ql Kx_lj = (t0 M)_i,qd+j with the m x md
	 * matrix M_l,qd+j = K1_ql Kx_lj, K1^T with each column repeated d times times Kx tiled m times (E picks
	 * column j of Kx for column qd+j); then the squares summed over each group of d columns */
	int64_t m = net->m;
	scuot_nn_node *I = scuot_nn_const(g, m, m, NULL), *E = scuot_nn_const(g, d, m * d, NULL);
	if (I && E) {
		memset(I->v, 0, sizeof(double) * (size_t)(m * m));
		memset(E->v, 0, sizeof(double) * (size_t)(d * m * d));
		for (int64_t q = 0; q < m; q++) {
			I->v[q * m + q] = 1;
			for (int64_t j = 0; j < d; j++)
				E->v[j * m * d + q * d + j] = 1;
		}
	}
	scuot_nn_node *M = scuot_nn_mul(g, scuot_nn_repeat_cols(g, scuot_nn_matmul(g, I, 0, K1, 1), d),
	                                scuot_nn_matmul(g, Kx, 0, E, 0));
	scuot_nn_node *acc = scuot_nn_sumsq_groups(g, scuot_nn_matmul(g, t0, 0, M, 0), d);
	tr = scuot_nn_add(g, tr, scuot_nn_sum_cols(g, scuot_nn_mul(g, scuot_nn_mul_row(g, d1, w), acc)));
	*lap = scuot_nn_add(g, tr, scuot_nn_bcast(g, scuot_nn_sum(g, scuot_nn_square(g, Ax)), n, 1));
}

/* ---- RK4 ---- */

/* a + k b (b NULL: a) */
static scuot_nn_node *axpy(scuot_nn_graph *g, scuot_nn_node *a, double k, scuot_nn_node *b)
{
	return b ? scuot_nn_add(g, a, scuot_nn_scale(g, b, k)) : a;
}

int swfr_rk4(scuot_nn_graph *g, int k, scuot_nn_node **y, double t0, double t1, int steps, swfr_rhs_fn f,
             void *ctx, swfr_step_fn cb, void *cbctx, scuot_err *e)
{
	scuot_nn_node *k1[SWFR_MAXSTATE], *k2[SWFR_MAXSTATE], *k3[SWFR_MAXSTATE], *k4[SWFR_MAXSTATE];
	scuot_nn_node *tmp[SWFR_MAXSTATE];
	double h = (t1 - t0) / steps;
	int ret;
	if (k > SWFR_MAXSTATE || steps < 1)
		return scuot_err_set(e, SCUOT_EINTERNAL, "RK4: %d states, %d steps", k, steps);
	for (int st = 0; st < steps; st++) {
		double t = t0 + st * h;
		memset(k1, 0, sizeof k1), memset(k2, 0, sizeof k2), memset(k3, 0, sizeof k3), memset(k4, 0, sizeof k4);
		if ((ret = f(g, t, y, k1, ctx)))
			return scuot_nn_graph_error(g, e) ? scuot_nn_graph_error(g, e) : ret;
		for (int q = 0; q < k; q++)
			tmp[q] = y[q] ? axpy(g, y[q], h / 2, k1[q]) : NULL;
		if ((ret = f(g, t + h / 2, tmp, k2, ctx)))
			return scuot_nn_graph_error(g, e) ? scuot_nn_graph_error(g, e) : ret;
		for (int q = 0; q < k; q++)
			tmp[q] = y[q] ? axpy(g, y[q], h / 2, k2[q]) : NULL;
		if ((ret = f(g, t + h / 2, tmp, k3, ctx)))
			return scuot_nn_graph_error(g, e) ? scuot_nn_graph_error(g, e) : ret;
		for (int q = 0; q < k; q++)
			tmp[q] = y[q] ? axpy(g, y[q], h, k3[q]) : NULL;
		if ((ret = f(g, t + h, tmp, k4, ctx)))
			return scuot_nn_graph_error(g, e) ? scuot_nn_graph_error(g, e) : ret;
		for (int q = 0; q < k; q++) {
			if (!y[q])
				continue;
			scuot_nn_node *s = axpy(g, axpy(g, k1[q], 2, k2[q]), 2, k3[q]);
			s = axpy(g, s, 1, k4[q]);
			y[q] = axpy(g, y[q], h / 6, s);
		}
		if ((ret = scuot_nn_graph_error(g, e)))
			return ret;
		if (cb && (ret = cb(st + 1, t0 + (st + 1) * h, y, cbctx)))
			return ret;
	}
	return scuot_nn_graph_error(g, e);
}

/* ---- the ODE system (4.9) ---- */

enum { SZ, SW, SL, SP, SS, SR, SQ, NSTATE };

/* State: SZ positions z (n x d), SW weights w (n x 1), SL log-determinant l, SP int Phi dt, SS the J_SWFR
 * integrand w (|grad Phi|^2 + (Phi - Phi-bar)^2 / alpha), SR the J_R integrand w |w grad Phi - w0 grad Phi_0|^2
 * (all n x 1), SQ int Phi-bar dt (1 x 1); NULL entries are not integrated.
 *   dz/dt = -grad Phi(z, t),  dw/dt = -(Phi(z, t) - Phi-bar(t)) w / alpha,  dl/dt = -tr Hess Phi(z, t),
 * Phi-bar(t) = sum_i w_i Phi_i / sum_i w_i ((4.10) with the weights' sum kept: every RK4 stage's weight
 * derivatives sum to zero, so sum_i w_i is conserved exactly).  Integrated backwards in time from t = 1 with
 * weights from rho1, the same field gives (4.11), and SQ becomes -int Phi-hat dt. */
typedef struct {
	const swfr_net *net;
	double ialpha;   /* 1 / alpha */
	scuot_nn_node *gw0; /* w0 grad_x Phi(x, 0) for SR */
} ode_ctx;

static int ode_rhs(scuot_nn_graph *g, double t, scuot_nn_node *const *y, scuot_nn_node **dy, void *vctx)
{
	ode_ctx *c = vctx;
	scuot_nn_node *z = y[SZ], *w = y[SW], *phi = NULL, *grad = NULL, *lap = NULL;
	int64_t n = z->r;
	scuot_nn_node *tc = scuot_nn_const(g, n, 1, NULL);
	if (tc)
		for (int64_t i = 0; i < n; i++)
			tc->v[i] = t;
	swfr_phi(g, c->net, scuot_nn_concat(g, z, tc), &phi, &grad, y[SL] ? &lap : NULL);
	scuot_nn_node *wphi = scuot_nn_sum(g, scuot_nn_mul(g, w, phi));
	scuot_nn_node *bar = scuot_nn_smul(g, wphi, scuot_nn_pow(g, scuot_nn_sum(g, w), -1));
	scuot_nn_node *dev = scuot_nn_sub(g, phi, scuot_nn_bcast(g, bar, n, 1));
	dy[SZ] = scuot_nn_scale(g, grad, -1);
	dy[SW] = scuot_nn_scale(g, scuot_nn_mul(g, dev, w), -c->ialpha);
	if (y[SL])
		dy[SL] = scuot_nn_scale(g, lap, -1);
	if (y[SP])
		dy[SP] = phi;
	scuot_nn_node *g2 = y[SS] || y[SR] ? scuot_nn_sum_cols(g, scuot_nn_square(g, grad)) : NULL;
	if (y[SS])
		dy[SS] = scuot_nn_mul(g, w, scuot_nn_add(g, g2, scuot_nn_scale(g, scuot_nn_square(g, dev), c->ialpha)));
	if (y[SR]) {
		scuot_nn_node *u = scuot_nn_sub(g, scuot_nn_mul_col(g, grad, w), c->gw0);
		dy[SR] = scuot_nn_mul(g, w, scuot_nn_sum_cols(g, scuot_nn_square(g, u)));
	}
	if (y[SQ])
		dy[SQ] = bar;
	return scuot_nn_graph_error(g, NULL);
}

/* ---- target densities ---- */

scuot_nn_node *swfr_logp_gauss(scuot_nn_graph *g, scuot_nn_node *z, void *ctx)
{
	(void)ctx;
	if (!z)
		return NULL;
	return scuot_nn_add_scalar(g, scuot_nn_scale(g, scuot_nn_sum_cols(g, scuot_nn_square(g, z)), -0.5),
	                           -0.5 * (double)z->c * LOG2PI);
}

void swfr_sample_gauss(void *ctx, gsl_rng *rng, int64_t n, double *out)
{
	int64_t d = *(const int64_t *)ctx;
	for (int64_t i = 0; i < n * d; i++)
		out[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
}

/* log sum_c pi_c N(z; mu_c, Sigma_c) = logsumexp_c (lnorm_c - |(z - mu_c) L_c^-T|^2 / 2), the row maxima
 * subtracted as constants (the value and the gradient do not depend on them). */
scuot_nn_node *swfr_logp_gmm(scuot_nn_graph *g, scuot_nn_node *z, void *ctx)
{
	const scuot_gmm *gm = ctx;
	int64_t d = gm->d;
	if (!z)
		return NULL;
	int64_t n = z->r;
	scuot_nn_node *cat = NULL;
	for (int c = 0; c < gm->k; c++) {
		scuot_nn_node *mu = scuot_nn_const(g, 1, d, gm->mu + c * d);
		scuot_nn_node *df = scuot_nn_sub(g, z, scuot_nn_bcast(g, mu, n, d)), *y;
		if (gm->full)
			y = scuot_nn_matmul(g, df, 0, scuot_nn_const(g, d, d, gm->linv + (size_t)c * (size_t)(d * d)), 1);
		else
			y = scuot_nn_mul_row(g, df, scuot_nn_const(g, 1, d, gm->linv + c * d));
		scuot_nn_node *col = scuot_nn_add_scalar(g, scuot_nn_scale(g, scuot_nn_sum_cols(g, scuot_nn_square(g, y)),
		                                                           -0.5), gm->lnorm[c]);
		cat = cat ? scuot_nn_concat(g, cat, col) : col;
	}
	if (!cat || gm->k == 1)
		return cat;
	scuot_nn_node *mx = scuot_nn_const(g, n, 1, NULL);
	if (!mx)
		return NULL;
	for (int64_t i = 0; i < n; i++) {
		double m = -INFINITY;
		for (int c = 0; c < gm->k; c++)
			if (cat->v[i * gm->k + c] > m)
				m = cat->v[i * gm->k + c];
		mx->v[i] = isfinite(m) ? m : 0;
	}
	scuot_nn_node *ex = scuot_nn_exp(g, scuot_nn_sub(g, cat, scuot_nn_bcast(g, mx, n, gm->k)));
	return scuot_nn_add(g, scuot_nn_log(g, scuot_nn_sum_cols(g, ex)), mx);
}

void swfr_sample_gmm(void *ctx, gsl_rng *rng, int64_t n, double *out)
{
	scuot_gmm_sample(ctx, rng, n, out, NULL);
}

/* ---- training ---- */

void swfr_opts_init(swfr_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->width = 32;
	o->rank = 0;
	o->alpha = 1;
	o->gamma1 = 0.01;
	o->gamma2 = 0.01;
	o->steps = 8;
	o->iters = 1000;
	o->batch = 1024;
	o->tbatch = 1024;
	o->lr = 0.01;
	o->lr_decay = 1;
	o->seed = 1;
}

struct swfr {
	swfr_opts o;
	int64_t d;
	scuot_nn_model *m;
	swfr_net net;
	scuot_nn_optim opt;
	scuot_nn_graph *g;
	gsl_rng *rng;
	double *buf;   /* particle and draw minibatches */
	int64_t cap;
	int64_t *idx;
	int64_t icap;
};

int swfr_new(swfr **out, const swfr_opts *o, int64_t d, scuot_err *e)
{
	swfr *s = calloc(1, sizeof(*s));
	int ret;
	*out = NULL;
	if (!s)
		return scuot_err_set(e, SCUOT_ENOMEM, "out of memory for the swfr model");
	s->o = *o;
	s->d = d;
	int64_t r = o->rank > 0 ? o->rank : d;
	if (!(s->m = scuot_nn_model_new()) || !(s->g = scuot_nn_graph_new())) {
		ret = scuot_err_set(e, SCUOT_ENOMEM, "out of memory for the swfr model");
		goto fail;
	}
	if (!(s->rng = scuot_rng_new(o->seed, 0x5f1, e)) ||
	    (ret = swfr_net_init(&s->net, s->m, d, o->width, r, s->rng, e))) {
		ret = e->code;
		goto fail;
	}
	s->opt = scuot_nn_adam(o->lr);
	*out = s;
	return 0;
fail:
	swfr_free(s);
	return ret;
}

void swfr_free(swfr *s)
{
	if (!s)
		return;
	scuot_nn_model_free(s->m);
	scuot_nn_graph_free(s->g);
	gsl_rng_free(s->rng);
	free(s->buf);
	free(s->idx);
	free(s);
}

scuot_nn_model *swfr_model(swfr *s)
{
	return s->m;
}

const swfr_net *swfr_get_net(const swfr *s)
{
	return &s->net;
}

double swfr_last_flops(const swfr *s)
{
	return scuot_nn_graph_flops(s->g);
}

static int grow(swfr *s, int64_t nd, int64_t ni, scuot_err *e)
{
	if (nd > s->cap) {
		double *b = scuot_realloc(s->buf, (size_t)nd, sizeof(double), "swfr minibatches", e);
		if (!b)
			return e->code;
		s->buf = b, s->cap = nd;
	}
	if (ni > s->icap) {
		int64_t *b = scuot_realloc(s->idx, (size_t)ni, sizeof(int64_t), "swfr minibatches", e);
		if (!b)
			return e->code;
		s->idx = b, s->icap = ni;
	}
	return 0;
}

/* k of n indices without replacement into idx (all, in order, when k >= n); returns the count. */
static int64_t draw_idx(gsl_rng *rng, int64_t n, int64_t k, int64_t *idx)
{
	for (int64_t i = 0; i < n; i++)
		idx[i] = i;
	if (k <= 0 || k >= n)
		return n;
	for (int64_t i = 0; i < k; i++) {
		int64_t j = i + (int64_t)gsl_rng_uniform_int(rng, (unsigned long)(n - i));
		int64_t t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	return k;
}

/* weights as an n x 1 constant of mean 1 (w NULL: ones), rows idx (NULL: 0 .. n-1) */
static scuot_nn_node *weights_node(scuot_nn_graph *g, const double *w, const int64_t *idx, int64_t n)
{
	scuot_nn_node *v = scuot_nn_const(g, n, 1, NULL);
	double tot = 0;
	if (!v)
		return NULL;
	for (int64_t i = 0; i < n; i++)
		tot += v->v[i] = w ? w[idx ? idx[i] : i] : 1;
	for (int64_t i = 0; i < n; i++)
		v->v[i] *= (double)n / tot;
	return v;
}

static int train_body(swfr *s, const double *x, const double *w0, int64_t n, const swfr_target *tg, int64_t iters,
                      double *curve, swfr_costs *last, scuot_err *e)
{
	scuot_nn_graph *g = s->g;
	int64_t d = s->d, B = s->o.batch > 0 && s->o.batch < n ? s->o.batch : n;
	int64_t ny = tg->sample ? s->o.tbatch : tg->ny, NB = tg->sample ? s->o.tbatch :
	             (s->o.tbatch > 0 && s->o.tbatch < tg->ny ? s->o.tbatch : tg->ny);
	double ia = 1 / s->o.alpha;
	int ret;
	if ((ret = grow(s, (B + NB) * d, n > ny ? n : ny, e)))
		return ret;
	for (int64_t it = 0; it < iters; it++) {
		scuot_nn_graph_reset(g);
		s->opt.lr = s->o.lr * (iters > 1 ? pow(s->o.lr_decay, (double)it / (double)(iters - 1)) : 1);
		/* rho0 particles */
		int64_t k = draw_idx(s->rng, n, B, s->idx);
		scuot_nn_node *xb = scuot_nn_const(g, k, d, NULL);
		scuot_nn_node *wb = weights_node(g, w0, s->idx, k);
		if (xb)
			for (int64_t i = 0; i < k; i++)
				memcpy(xb->v + i * d, x + s->idx[i] * d, sizeof(double) * (size_t)d);
		/* rho1 draws */
		scuot_nn_node *yb, *vb;
		int64_t kb;
		if (tg->sample) {
			kb = NB;
			yb = scuot_nn_const(g, kb, d, NULL);
			if (yb)
				tg->sample(tg->ctx, s->rng, kb, yb->v);
			vb = weights_node(g, NULL, NULL, kb);
		} else {
			kb = draw_idx(s->rng, tg->ny, NB, s->idx);
			yb = scuot_nn_const(g, kb, d, NULL);
			if (yb)
				for (int64_t j = 0; j < kb; j++)
					memcpy(yb->v + j * d, tg->y + s->idx[j] * d, sizeof(double) * (size_t)d);
			vb = weights_node(g, tg->yw, s->idx, kb);
		}
		/* forward (4.9) with the cost integrands */
		scuot_nn_node *phi0, *grad0, *st[NSTATE] = { 0 };
		scuot_nn_node *t0 = scuot_nn_const(g, k, 1, NULL);
		swfr_phi(g, &s->net, scuot_nn_concat(g, xb, t0), &phi0, &grad0, NULL);
		ode_ctx c = { &s->net, ia, scuot_nn_mul_col(g, grad0, wb) };
		st[SZ] = xb, st[SW] = wb, st[SL] = scuot_nn_const(g, k, 1, NULL), st[SP] = st[SL], st[SS] = st[SL];
		st[SR] = st[SL];
		if ((ret = scuot_nn_graph_error(g, e)) ||
		    (ret = swfr_rk4(g, NSTATE, st, 0, 1, s->o.steps, ode_rhs, &c, NULL, NULL, e)))
			return ret;
		/* backward (4.11) from rho1 for int Phi-hat */
		scuot_nn_node *bt[NSTATE] = { 0 };
		bt[SZ] = yb, bt[SW] = vb, bt[SQ] = scuot_nn_scalar(g, 0);
		if ((ret = swfr_rk4(g, NSTATE, bt, 1, 0, s->o.steps, ode_rhs, &c, NULL, NULL, e)))
			return ret;
		scuot_nn_node *hat = scuot_nn_scale(g, bt[SQ], -1); /* int_0^1 Phi-hat dt */
		/* J_KL = 1/n sum_i w0_i [-l_i - log rho1(z_i) - P_i / alpha] + int Phi-hat / alpha: the signs of the
		 * alpha terms as in (4.3)-(4.4) (log rho-tilde = log rho1(z) + l + int (Phi - Phi-hat) / alpha); the
		 * display of J_KL in Sec. 4.4 has them the other way round, which rewards the weights for drifting */
		scuot_nn_node *lp = tg->logp(g, st[SZ], tg->ctx);
		scuot_nn_node *kl = scuot_nn_add(g, scuot_nn_scale(g, scuot_nn_add(g, st[SL], lp), -1),
		                                 scuot_nn_scale(g, st[SP], -ia));
		kl = scuot_nn_add(g, scuot_nn_scale(g, scuot_nn_sum(g, scuot_nn_mul(g, wb, kl)), 1 / (double)k),
		                  scuot_nn_scale(g, hat, ia));
		scuot_nn_node *js = scuot_nn_scale(g, scuot_nn_sum(g, st[SS]), 0.5 / (double)k);
		scuot_nn_node *jr = scuot_nn_scale(g, scuot_nn_sum(g, st[SR]), 1 / (double)k);
		scuot_nn_node *J = scuot_nn_add(g, kl, scuot_nn_add(g, scuot_nn_scale(g, js, s->o.gamma1),
		                                                    scuot_nn_scale(g, jr, s->o.gamma2)));
		scuot_nn_model_zero_grad(s->m);
		if ((ret = scuot_nn_backward(g, J, s->m, e)) || (ret = scuot_nn_optim_step(&s->opt, s->m, e)))
			return ret;
		if (!isfinite(J->v[0]))
			return scuot_err_set(e, SCUOT_ENUMERIC, "swfr: the cost became %g at iteration %lld; lower --lr",
			                     J->v[0], (long long)it + 1);
		if (curve)
			curve[it] = J->v[0];
		if (last)
			*last = (swfr_costs){ J->v[0], kl->v[0], js->v[0], jr->v[0] };
	}
	return 0;
}

/* snapshot recorder of swfr_forward / swfr_inverse: state k of the steps at slot (backwards: steps - k) */
typedef struct {
	double *zs, *ws;
	int64_t n, d;
	int steps, backwards;
} rec_ctx;

static void rec_put(rec_ctx *r, int k, scuot_nn_node *const *y)
{
	int slot = r->backwards ? r->steps - k : k;
	if (r->zs)
		memcpy(r->zs + (size_t)slot * (size_t)(r->n * r->d), y[SZ]->v, sizeof(double) * (size_t)(r->n * r->d));
	if (r->ws)
		memcpy(r->ws + (size_t)slot * (size_t)r->n, y[SW]->v, sizeof(double) * (size_t)r->n);
}

static int rec_step(int step, double t, scuot_nn_node *const *y, void *ctx)
{
	(void)t;
	rec_put(ctx, step, y);
	return 0;
}

static int forward_body(swfr *s, const double *x, const double *w0, int64_t n, double *zs, double *ws, double *l,
                        swfr_costs *c, scuot_err *e)
{
	scuot_nn_graph *g = s->g;
	int64_t d = s->d;
	int ret;
	scuot_nn_graph_reset(g);
	scuot_nn_node *xb = scuot_nn_const(g, n, d, x), *wb = weights_node(g, w0, NULL, n), *phi0, *grad0;
	swfr_phi(g, &s->net, scuot_nn_concat(g, xb, scuot_nn_const(g, n, 1, NULL)), &phi0, &grad0, NULL);
	ode_ctx oc = { &s->net, 1 / s->o.alpha, scuot_nn_mul_col(g, grad0, wb) };
	scuot_nn_node *st[NSTATE] = { 0 }, *zero = scuot_nn_const(g, n, 1, NULL);
	st[SZ] = xb, st[SW] = wb, st[SL] = l ? zero : NULL, st[SS] = c ? zero : NULL, st[SR] = c ? zero : NULL;
	if ((ret = scuot_nn_graph_error(g, e)))
		return ret;
	rec_ctx rc = { zs, ws, n, d, s->o.steps, 0 };
	rec_put(&rc, 0, st);
	if ((ret = swfr_rk4(g, NSTATE, st, 0, 1, s->o.steps, ode_rhs, &oc, rec_step, &rc, e)))
		return ret;
	if (l)
		memcpy(l, st[SL]->v, sizeof(double) * (size_t)n);
	if (c) {
		double a = 0, b = 0;
		for (int64_t i = 0; i < n; i++)
			a += st[SS]->v[i], b += st[SR]->v[i];
		*c = (swfr_costs){ NAN, NAN, 0.5 * a / (double)n, b / (double)n };
	}
	return 0;
}

static int inverse_body(swfr *s, const double *y, const double *wy, int64_t n, double *xs, double *ws, double *l,
                        scuot_err *e)
{
	scuot_nn_graph *g = s->g;
	int64_t d = s->d;
	int ret;
	scuot_nn_graph_reset(g);
	ode_ctx oc = { &s->net, 1 / s->o.alpha, NULL };
	scuot_nn_node *st[NSTATE] = { 0 };
	st[SZ] = scuot_nn_const(g, n, d, y), st[SW] = weights_node(g, wy, NULL, n);
	st[SL] = l ? scuot_nn_const(g, n, 1, NULL) : NULL;
	if ((ret = scuot_nn_graph_error(g, e)))
		return ret;
	rec_ctx rc = { xs, ws, n, d, s->o.steps, 1 };
	rec_put(&rc, 0, st);
	if ((ret = swfr_rk4(g, NSTATE, st, 1, 0, s->o.steps, ode_rhs, &oc, rec_step, &rc, e)))
		return ret;
	if (l)
		memcpy(l, st[SL]->v, sizeof(double) * (size_t)n);
	return 0;
}

static int generate_body(swfr *s, const double *y, const double *wy, int64_t n, int64_t chunk, double *x,
                         double *w, scuot_err *e)
{
	scuot_nn_graph *g = s->g;
	int64_t d = s->d, C = chunk > 0 ? chunk : 1024;
	double h = -1.0 / s->o.steps, *p = NULL, lmax = -INFINITY, tot = 0;
	int ret = 0;
	if (C > n)
		C = n;
	if (!(p = scuot_alloc((size_t)C, sizeof(double), 0, "generated weights", e)))
		return e->code;
	ode_ctx oc = { &s->net, 1 / s->o.alpha, NULL };
	for (int64_t i0 = 0; i0 < n; i0 += C) {
		int64_t k = n - i0 < C ? n - i0 : C;
		double *z = x + i0 * d;
		memcpy(z, y + i0 * d, sizeof(double) * (size_t)(k * d));
		memset(p, 0, sizeof(double) * (size_t)k);
		for (int st = 0; st < s->o.steps; st++) {
			scuot_nn_node *y1[NSTATE] = { 0 };
			scuot_nn_graph_reset(g);
			y1[SZ] = scuot_nn_const(g, k, d, z);
			y1[SW] = weights_node(g, NULL, NULL, k);
			y1[SP] = scuot_nn_const(g, k, 1, p);
			if ((ret = scuot_nn_graph_error(g, e)) ||
			    (ret = swfr_rk4(g, NSTATE, y1, 1 + st * h, 1 + (st + 1) * h, 1, ode_rhs, &oc, NULL, NULL, e)))
				goto done;
			memcpy(z, y1[SZ]->v, sizeof(double) * (size_t)(k * d));
			memcpy(p, y1[SP]->v, sizeof(double) * (size_t)k);
		}
		/* SP holds int_1^0 Phi dt = -int_0^1 Phi dt: log w(0) = log w(1) - SP / alpha + const */
		for (int64_t i = 0; i < k; i++) {
			double wi = wy ? wy[i0 + i] : 1;
			w[i0 + i] = wi > 0 ? log(wi) - p[i] / s->o.alpha : -INFINITY;
			if (w[i0 + i] > lmax)
				lmax = w[i0 + i];
		}
	}
	if (!isfinite(lmax)) {
		ret = scuot_err_set(e, SCUOT_ENUMERIC, "swfr: no generated sample has a positive finite weight");
		goto done;
	}
	for (int64_t i = 0; i < n; i++)
		tot += w[i] = exp(w[i] - lmax);
	for (int64_t i = 0; i < n; i++)
		w[i] *= (double)n / tot;
done:
	free(p);
	return ret;
}

/* The public entry points run their bodies with OpenBLAS on one thread while the products are small: the
 * potential's products (rows x (d + 1) by (d + 1) x m, rows x m by m x m, m = 32 by default) are far below
 * the size where OpenBLAS's threads gain, and at 2 threads they made a training iteration slower than at 1
 * (tests/bench/swfr). */
int swfr_train(swfr *s, const double *x, const double *w0, int64_t n, const swfr_target *tg, int64_t iters,
               double *curve, swfr_costs *last, scuot_err *e)
{
	int64_t B = s->o.batch > 0 && s->o.batch < n ? s->o.batch : n, NB = tg->sample ? s->o.tbatch :
	        (s->o.tbatch > 0 && s->o.tbatch < tg->ny ? s->o.tbatch : tg->ny);
	int nb = neural_blas_small(B + NB, s->net.m), ret;
	ret = train_body(s, x, w0, n, tg, iters, curve, last, e);
	neural_blas_restore(nb);
	return ret;
}

int swfr_forward(swfr *s, const double *x, const double *w0, int64_t n, double *zs, double *ws, double *l,
                 swfr_costs *c, scuot_err *e)
{
	int nb = neural_blas_small(n, s->net.m), ret = forward_body(s, x, w0, n, zs, ws, l, c, e);
	neural_blas_restore(nb);
	return ret;
}

int swfr_inverse(swfr *s, const double *y, const double *wy, int64_t n, double *xs, double *ws, double *l,
                 scuot_err *e)
{
	int nb = neural_blas_small(n, s->net.m), ret = inverse_body(s, y, wy, n, xs, ws, l, e);
	neural_blas_restore(nb);
	return ret;
}

int swfr_generate(swfr *s, const double *y, const double *wy, int64_t n, int64_t chunk, double *x, double *w,
                  scuot_err *e)
{
	int nb = neural_blas_small(chunk > 0 && chunk < n ? chunk : n, s->net.m), ret;
	ret = generate_body(s, y, wy, n, chunk, x, w, e);
	neural_blas_restore(nb);
	return ret;
}

const swfr_opts *swfr_get_opts(const swfr *s)
{
	return &s->o;
}

int swfr_set_budget(swfr *s, double lr, double lr_decay, int64_t batch, int64_t tbatch, uint64_t seed,
                    scuot_err *e)
{
	gsl_rng *r = scuot_rng_new(seed, 0x5f1, e);
	if (!r)
		return e->code;
	gsl_rng_free(s->rng);
	s->rng = r;
	s->o.seed = seed;
	s->o.lr = s->opt.lr = lr;
	s->o.lr_decay = lr_decay;
	s->o.batch = batch, s->o.tbatch = tbatch;
	return 0;
}

/* ---- the transport method ---- */

static const scuot_ot_param swfr_params[] = {
	{ "alpha", SCUOT_PARAM_REAL, 1, 1e-6, 1e12, "source coefficient alpha of the spherical WFR metric (large: "
	  "the Wasserstein limit, pure transport)" },
	{ "width", SCUOT_PARAM_INT, 32, 1, 4096, "potential: width m of the two-layer ResNet" },
	{ "rank", SCUOT_PARAM_INT, 0, 0, 4096, "potential: rows r of A in s^T A^T A s / 2 (0: d)" },
	{ "gamma1", SCUOT_PARAM_REAL, 0.01, 0, 1e6, "weight of J_SWFR (the squared distance) in the cost" },
	{ "gamma2", SCUOT_PARAM_REAL, 0.01, 0, 1e6, "weight of the velocity-weight regulariser J_R" },
	{ "rk-steps", SCUOT_PARAM_INT, 8, 1, 4096, "RK4 steps on [0, 1] (a snapshot after each)" },
	{ "iters", SCUOT_PARAM_INT, 500, 1, 1e9, "Adam iterations" },
	{ "batch", SCUOT_PARAM_INT, 512, 0, 1e9, "source cells per iteration (0: all)" },
	{ "tbatch", SCUOT_PARAM_INT, 512, 0, 1e9, "target cells per iteration for Phi-hat (4.11) (0: all)" },
	{ "lr", SCUOT_PARAM_REAL, 0.01, 1e-12, 10, "Adam learning rate" },
	{ "gmm-max", SCUOT_PARAM_INT, 8, 1, 256, "target log density: Gaussian mixture by EM, at most this many "
	  "components (BIC chooses)" },
	{ "gmm-full", SCUOT_PARAM_FLAG, 1, 0, 1, "full covariances of the mixture (0: diagonal)" },
	{ "whiten", SCUOT_PARAM_FLAG, 1, 0, 1, "work in coordinates minus the pooled mean over one pooled standard "
	  "deviation (distances, alpha and J_SWFR in those units)" },
};

#define NPAR ((int)(sizeof swfr_params / sizeof swfr_params[0]))

static double par_of(const double *par, const char *name)
{
	for (int k = 0; k < NPAR; k++)
		if (!strcmp(swfr_params[k].name, name))
			return par[k];
	return NAN;
}

/* Algorithm 1 between two days: rho0 = the source cells with masses a, log rho1 from a Gaussian mixture fitted
 * to the target cells (masses b) by EM with BIC, the draws of rho1 for Phi-hat the target cells themselves.
 * Snapshots at t = k / steps hold z(x, t) and masses a w(x, t) / w(x, 0) (total mass sum a, spherical WFR
 * conserves it); the scaling factor is w(x, 1) / w(x, 0); the objective is J_SWFR of the trained flow over all
 * source cells, the estimate of the squared spherical WFR distance (Sec. 6.1). */
static int run_swfr(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	int64_t n = p->n, m = p->m, d = p->d;
	double *xw = NULL, *yw = NULL, *zs = NULL, *ws = NULL, *curve = NULL, *bic = NULL, mu_s = 0;
	double *mean = NULL, *scale = NULL;
	swfr *s = NULL;
	scuot_gmm *gm = NULL;
	swfr_opts o;
	scuot_gmm_opts go;
	swfr_costs c;
	int ret;
	swfr_opts_init(&o);
	o.alpha = par_of(par, "alpha");
	o.width = (int64_t)par_of(par, "width");
	o.rank = (int64_t)par_of(par, "rank");
	o.gamma1 = par_of(par, "gamma1");
	o.gamma2 = par_of(par, "gamma2");
	o.steps = (int)par_of(par, "rk-steps");
	o.iters = (int64_t)par_of(par, "iters");
	o.batch = (int64_t)par_of(par, "batch");
	o.tbatch = (int64_t)par_of(par, "tbatch");
	o.lr = par_of(par, "lr");
	o.seed = p->seed;
	scuot_gmm_opts_init(&go);
	go.kmax = (int)par_of(par, "gmm-max");
	go.full = par_of(par, "gmm-full") != 0;
	go.seed = p->seed;
	int whiten = par_of(par, "whiten") != 0;
	if (!(xw = scuot_alloc((size_t)(n * d), sizeof(double), 0, "whitened source", e)) ||
	    !(yw = scuot_alloc((size_t)(m * d), sizeof(double), 0, "whitened target", e)) ||
	    !(mean = scuot_alloc((size_t)d, sizeof(double), 1, "whitening", e)) ||
	    !(scale = scuot_alloc(1, sizeof(double), 0, "whitening", e)) ||
	    !(zs = scuot_alloc((size_t)(o.steps + 1) * (size_t)(n * d), sizeof(double), 0, "trajectories", e)) ||
	    !(ws = scuot_alloc((size_t)(o.steps + 1) * (size_t)n, sizeof(double), 0, "weights", e)) ||
	    !(curve = scuot_alloc((size_t)o.iters, sizeof(double), 0, "cost curve", e)) ||
	    !(bic = scuot_alloc((size_t)go.kmax, sizeof(double), 0, "BIC values", e))) {
		ret = e->code;
		goto done;
	}
	/* whitening: pooled mean, one pooled standard deviation */
	scale[0] = 1;
	if (whiten) {
		double v = 0;
		for (int64_t q = 0; q < d; q++) {
			double s1 = 0;
			for (int64_t i = 0; i < n; i++)
				s1 += p->x[i * d + q];
			for (int64_t j = 0; j < m; j++)
				s1 += p->y[j * d + q];
			mean[q] = s1 / (double)(n + m);
			for (int64_t i = 0; i < n; i++)
				v += (p->x[i * d + q] - mean[q]) * (p->x[i * d + q] - mean[q]);
			for (int64_t j = 0; j < m; j++)
				v += (p->y[j * d + q] - mean[q]) * (p->y[j * d + q] - mean[q]);
		}
		v /= (double)(n + m) * (double)d;
		scale[0] = v > 0 ? sqrt(v) : 1;
	}
	for (int64_t i = 0; i < n * d; i++)
		xw[i] = (p->x[i] - mean[i % d]) / scale[0];
	for (int64_t j = 0; j < m * d; j++)
		yw[j] = (p->y[j] - mean[j % d]) / scale[0];
	if ((ret = scuot_gmm_fit_bic(&gm, yw, p->b, m, d, &go, bic, e))) {
		scuot_err_prefix(e, "swfr: the target's log density: ");
		goto done;
	}
	scuot_log_info("swfr: target density a %s-covariance Gaussian mixture of %d components (BIC %.6g)",
	               go.full ? "full" : "diagonal", gm->k, gm->bic);
	if ((ret = swfr_new(&s, &o, d, e)))
		goto done;
	scuot_log_info("swfr: %lld cells -> %lld cells in %lld dimensions, alpha %g, potential width %lld "
	               "(%lld parameters), %d RK4 steps, %lld iterations", (long long)n, (long long)m, (long long)d,
	               o.alpha, (long long)o.width, (long long)scuot_nn_model_count(swfr_model(s)), o.steps,
	               (long long)o.iters);
	swfr_target tg = { swfr_logp_gmm, NULL, gm, yw, p->b, m };
	if ((ret = swfr_train(s, xw, p->a, n, &tg, o.iters, curve, &c, e)))
		goto done;
	scuot_log_info("swfr: last iteration J %.6g (J_KL %.6g, J_SWFR %.6g, J_R %.6g)", c.J, c.kl, c.swfr, c.reg);
	if ((ret = swfr_forward(s, xw, p->a, n, zs, ws, NULL, &c, e)))
		goto done;
	/* snapshots, scaling factors, curve */
	double asum = 0;
	for (int64_t i = 0; i < n; i++)
		asum += p->a[i];
	if (!(r->snap = calloc((size_t)(o.steps + 1), sizeof(*r->snap)))) {
		ret = scuot_err_set(e, SCUOT_ENOMEM, "out of memory for %d snapshots", o.steps + 1);
		goto done;
	}
	for (int k = 0; k <= o.steps; k++) {
		scuot_ot_snapshot *sn = &r->snap[k];
		sn->s = (double)k / o.steps;
		sn->np = n;
		if (!(sn->x = scuot_alloc((size_t)(n * d), sizeof(double), 0, "snapshot", e)) ||
		    !(sn->w = scuot_alloc((size_t)n, sizeof(double), 0, "snapshot masses", e)) ||
		    !(sn->ancestor = scuot_alloc((size_t)n, sizeof(int64_t), 0, "snapshot ancestors", e))) {
			ret = e->code;
			goto done;
		}
		r->n_snap = k + 1;
		const double *zk = zs + (size_t)k * (size_t)(n * d), *wk = ws + (size_t)k * (size_t)n;
		for (int64_t i = 0; i < n * d; i++)
			sn->x[i] = mean[i % d] + scale[0] * zk[i];
		for (int64_t i = 0; i < n; i++)
			sn->w[i] = wk[i] * asum / (double)n, sn->ancestor[i] = i;
	}
	if (!(r->scaling = scuot_alloc((size_t)n, sizeof(double), 0, "scaling factors", e)) ||
	    !(r->row_sum = scuot_alloc((size_t)n, sizeof(double), 0, "row sums", e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t i = 0; i < n; i++) {
		r->scaling[i] = ws[(size_t)o.steps * (size_t)n + (size_t)i] / ws[i];
		r->row_sum[i] = p->a[i] * r->scaling[i];
		mu_s += r->scaling[i] / (double)n;
	}
	r->curve = curve, r->n_curve = (int)o.iters;
	curve = NULL;
	snprintf(r->curve_name, sizeof r->curve_name, "J");
	r->iterations = o.iters, r->converged = 1;
	r->objective = c.swfr;
	scuot_log_info("swfr: J_SWFR (squared spherical WFR distance, whitened units) %.6g, J_R %.6g; scaling "
	               "factors w(x,1)/w(x,0) of mean %.4g", c.swfr, c.reg, mu_s);
	/* the model */
	const scuot_nn_model *mod = swfr_model(s);
	for (int k = 0; k < mod->n; k++)
		if ((ret = scuot_ot_result_add_array(r, mod->t[k]->name, mod->t[k]->r, mod->t[k]->c, mod->t[k]->v, e)))
			goto done;
	if ((ret = scuot_ot_result_add_array(r, "whiten.mean", 1, d, mean, e)) ||
	    (ret = scuot_ot_result_add_array(r, "whiten.scale", 1, 1, scale, e)) ||
	    (ret = scuot_ot_result_add_array(r, "gmm.pi", 1, gm->k, gm->pi, e)) ||
	    (ret = scuot_ot_result_add_array(r, "gmm.mu", gm->k, d, gm->mu, e)) ||
	    (ret = scuot_ot_result_add_array(r, "gmm.cov", gm->k, gm->full ? d * d : d, gm->cov, e)))
		goto done;
done:
	free(xw);
	free(yw);
	free(zs);
	free(ws);
	free(curve);
	free(bic);
	free(mean);
	free(scale);
	swfr_free(s);
	scuot_gmm_free(gm);
	return ret;
}

const scuot_ot_method scuot_method_swfr = {
	"swfr", "particle flow, neural",
	"learned spherical-WFR geodesic: an OT-Flow potential trained so that particles (dz/dt = -grad Phi) and "
	"weights (dw/dt = -(Phi - mean Phi) w / alpha) carry the source to a Gaussian-mixture fit of the target",
	"Jing, Li, Liu, Zhou, learning geodesics under spherical WFR (Sec. 4, Alg. 1); Onken et al. 2021 (OT-Flow)",
	NPAR, swfr_params, SCUOT_COST_SQEUCLIDEAN, run_swfr, NULL
};
