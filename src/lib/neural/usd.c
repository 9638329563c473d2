/* usd.c -- neural Sobolev descent (nsd) and neural unbalanced Sobolev descent with a weights (mirror) step
 * (nusd) or a birth-death process (nusd-bd): an MLP critic trained by an augmented Lagrangian, particles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/log.h"
#include "core/mat.h"
#include "core/rng.h"
#include "flow/flow.h"
#include "flow/flow_internal.h"
#include "neural/neural.h"
#include "nn/layers.h"
#include "nn/nn.h"
#include "ot/cost.h"
#include "ot/ot_internal.h"

struct scuot_usd_critic {
	scuot_usd_opts o;
	int64_t d;
	scuot_nn_model *m;
	scuot_nn_mlp net;
	scuot_nn_optim opt;
	scuot_nn_graph *g;
	gsl_rng *rng;
	int64_t *idx;  /* minibatch indices, 2 maxn */
	int64_t maxn;
	double lam;    /* Lagrange multiplier of the constraint */
	double con;    /* constraint value of the last update */
	double gap;    /* E_p f - E_q f of the last update (the Sobolev discrepancy estimate) */
	double flops;  /* of the last update's matrix products */
	double *bn_mean, *bn_var; /* batch normalisation: running statistics of the joint minibatches */
	int bn_have;              /* bn_mean and bn_var hold statistics (after the first update) */
};

/* Momentum of the running batch-normalisation statistics (PyTorch's default). */
#define BN_MOMENTUM 0.1

void scuot_usd_critic_spec(const scuot_usd_opts *o, scuot_nn_mlp_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->n_hidden = 3;
	s->hidden[0] = o->width;
	s->hidden[1] = o->hidden;
	s->hidden[2] = o->last > 0 ? o->last : o->width;
	s->act = SCUOT_NN_RELU;
	s->bn_at = o->batchnorm ? 1 : -1;
	s->dropout_at = o->dropout > 0 ? 1 : -1;
	s->dropout = o->dropout;
	s->out_bias = 0;
	s->out_act = SCUOT_NN_IDENTITY;
}

int scuot_usd_critic_new(scuot_usd_critic **out, const scuot_usd_opts *o, int64_t d, int64_t maxn, uint64_t seed,
                         scuot_err *e)
{
	scuot_usd_critic *c = calloc(1, sizeof(*c));
	int ret;
	*out = NULL;
	if (!c)
		return scuot_err_set(e, SCUOT_ENOMEM, "out of memory for the critic");
	c->o = *o;
	c->d = d;
	c->maxn = maxn;
	if (!(c->idx = scuot_alloc((size_t)(2 * maxn), sizeof(int64_t), 0, "minibatch indices", e)) ||
	    !(c->rng = scuot_rng_new(seed, 0x75d, e))) {
		ret = e->code;
		goto fail;
	}
	if (!(c->m = scuot_nn_model_new()) || !(c->g = scuot_nn_graph_new())) {
		ret = scuot_err_set(e, SCUOT_ENOMEM, "out of memory for the critic");
		goto fail;
	}
	scuot_nn_mlp_spec s;
	scuot_usd_critic_spec(o, &s);
	if ((ret = scuot_nn_mlp_init(&c->net, c->m, "critic", d, 1, &s, c->rng, e)))
		goto fail;
	size_t wbn = (size_t)s.hidden[1];
	if (o->batchnorm == 2 && (!(c->bn_mean = scuot_alloc(wbn, sizeof(double), 1, "batch norm", e)) ||
	                          !(c->bn_var = scuot_alloc(wbn, sizeof(double), 1, "batch norm", e)))) {
		ret = e->code;
		goto fail;
	}
	c->opt = scuot_nn_adam(o->lr);
	c->opt.amsgrad = 1;
	c->opt.weight_decay = o->weight_decay;
	c->lam = o->lambda0;
	*out = c;
	return 0;
fail:
	scuot_usd_critic_free(c);
	return ret;
}

void scuot_usd_critic_free(scuot_usd_critic *c)
{
	if (!c)
		return;
	free(c->idx);
	free(c->bn_mean);
	free(c->bn_var);
	scuot_nn_model_free(c->m);
	scuot_nn_graph_free(c->g);
	gsl_rng_free(c->rng);
	free(c);
}

void scuot_usd_critic_reset_optim(scuot_usd_critic *c)
{
	scuot_nn_optim_reset(&c->opt, c->m);
}

void scuot_usd_critic_stats(const scuot_usd_critic *c, double *con, double *lam, double *gap)
{
	if (con)
		*con = c->con;
	if (lam)
		*lam = c->lam;
	if (gap)
		*gap = c->gap;
}

double scuot_usd_critic_flops(const scuot_usd_critic *c)
{
	return c->flops;
}

const scuot_nn_model *scuot_usd_critic_model(const scuot_usd_critic *c)
{
	return c->m;
}

/* Draw k of n indices without replacement (all n, in order, when k >= n); returns the count drawn. */
static int64_t draw(gsl_rng *rng, int64_t n, int64_t k, int64_t *idx)
{
	for (int64_t i = 0; i < n; i++)
		idx[i] = i;
	if (k >= n)
		return n;
	for (int64_t i = 0; i < k; i++) { /* partial Fisher-Yates */
		int64_t j = i + (int64_t)gsl_rng_uniform_int(rng, (unsigned long)(n - i));
		int64_t t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	return k;
}

/* Rows idx of x as a constant or input node. */
static scuot_nn_node *rows_node(scuot_nn_graph *g, const double *x, const int64_t *idx, int64_t k, int64_t d,
                                int input)
{
	scuot_nn_node *v = input ? scuot_nn_input(g, k, d, NULL) : scuot_nn_const(g, k, d, NULL);
	if (v)
		for (int64_t i = 0; i < k; i++)
			memcpy(v->v + i * d, x + idx[i] * d, sizeof(double) * (size_t)d);
	return v;
}

/* scale * w[idx] as a column. */
static scuot_nn_node *weights_node(scuot_nn_graph *g, const double *w, const int64_t *idx, int64_t k, double scale)
{
	scuot_nn_node *v = scuot_nn_const(g, k, 1, NULL);
	if (v)
		for (int64_t i = 0; i < k; i++)
			v->v[i] = scale * w[idx[i]];
	return v;
}

/* Batch normalisation of the pre-activations h[0] (target minibatch) and h[1] (particle minibatch) with the
 * statistics of both together, so that the critic is one function on the minibatch and a difference in
 * location between the two survives the normalisation; the statistics join the running averages used by
 * evaluation.  (The reference, IBM/USD D_mlp with BatchNorm1d(track_running_stats=False), normalises each pass
 * by its own statistics: the target and the particles apart in training, the particles by theirs at every
 * step.  The critic then hardly sees the mass to create or destroy: on two clusters whose target masses are
 * 2 : 1 the nusd scaling factors come out 1.03 : 0.97, with joint statistics 1.22 : 0.78,
 * tests/unit/test_neural.c.)  Used for batchnorm 2 (--bn-joint); batchnorm 1 (--batchnorm) is the reference's. */
static void bn_joint(scuot_usd_critic *c, scuot_nn_node **h)
{
	scuot_nn_graph *g = c->g;
	const scuot_nn_bn *bn = &c->net.bn;
	if (!h[0] || !h[1])
		return;
	double inv_n = 1.0 / (double)(h[0]->r + h[1]->r);
	scuot_nn_node *sum = scuot_nn_add(g, scuot_nn_sum_rows(g, h[0]), scuot_nn_sum_rows(g, h[1]));
	scuot_nn_node *nmean = scuot_nn_scale(g, sum, -inv_n);
	scuot_nn_node *c0 = scuot_nn_add_row(g, h[0], nmean), *c1 = scuot_nn_add_row(g, h[1], nmean);
	scuot_nn_node *var = scuot_nn_scale(g, scuot_nn_add(g, scuot_nn_sum_rows(g, scuot_nn_square(g, c0)),
	                                                    scuot_nn_sum_rows(g, scuot_nn_square(g, c1))), inv_n);
	scuot_nn_node *sc = scuot_nn_mul(g, scuot_nn_pow(g, scuot_nn_add_scalar(g, var, bn->eps), -0.5),
	                                 scuot_nn_param(g, bn->gamma));
	h[0] = scuot_nn_add_row(g, scuot_nn_mul_row(g, c0, sc), scuot_nn_param(g, bn->beta));
	h[1] = scuot_nn_add_row(g, scuot_nn_mul_row(g, c1, sc), scuot_nn_param(g, bn->beta));
	if (!nmean || !var)
		return;
	double mom = c->bn_have ? BN_MOMENTUM : 1;
	for (int64_t q = 0; q < var->c; q++) {
		c->bn_mean[q] += mom * (-nmean->v[q] - c->bn_mean[q]);
		c->bn_var[q] += mom * (var->v[q] - c->bn_var[q]);
	}
	c->bn_have = 1;
}

/* Batch normalisation of h with the running statistics (evaluation), or with its own before any update. */
static scuot_nn_node *bn_running(scuot_usd_critic *c, scuot_nn_node *h)
{
	scuot_nn_graph *g = c->g;
	const scuot_nn_bn *bn = &c->net.bn;
	if (!c->bn_have || !h)
		return scuot_nn_bn_fwd(g, bn, h);
	scuot_nn_node *nmean = scuot_nn_const(g, 1, h->c, NULL), *inv = scuot_nn_const(g, 1, h->c, NULL);
	if (!nmean || !inv)
		return NULL;
	for (int64_t q = 0; q < h->c; q++) {
		nmean->v[q] = -c->bn_mean[q];
		inv->v[q] = 1 / sqrt(c->bn_var[q] + bn->eps);
	}
	scuot_nn_node *sc = scuot_nn_mul(g, inv, scuot_nn_param(g, bn->gamma));
	scuot_nn_node *hc = scuot_nn_add_row(g, h, nmean);
	return scuot_nn_add_row(g, scuot_nn_mul_row(g, hc, sc), scuot_nn_param(g, bn->beta));
}

/* The critic (scuot_nn_mlp_fwd's layers) at the rows of x[0] and x[1] (training: dropout; batch
 * normalisation 2 joint, 1 per pass) or, when x[1] is NULL, at x[0] alone (evaluation: no dropout; batch
 * normalisation 2 with the running statistics, 1 with those of x[0]). */
static void critic_fwd(scuot_usd_critic *c, scuot_nn_node **x, int train)
{
	const scuot_nn_mlp *net = &c->net;
	const scuot_nn_mlp_spec *s = &net->spec;
	int nx = x[1] ? 2 : 1;
	for (int k = 0; k < s->n_hidden; k++) {
		for (int j = 0; j < nx; j++)
			x[j] = scuot_nn_linear_fwd(c->g, &net->lin[k], x[j]);
		if (k == s->bn_at && c->o.batchnorm == 2) {
			if (nx == 2)
				bn_joint(c, x);
			else
				x[0] = bn_running(c, x[0]);
		} else if (k == s->bn_at) {
			for (int j = 0; j < nx; j++)
				x[j] = scuot_nn_bn_fwd(c->g, &net->bn, x[j]);
		}
		for (int j = 0; j < nx; j++) {
			x[j] = scuot_nn_activate(c->g, x[j], s->act, s->slope);
			if (k == s->dropout_at && train)
				x[j] = scuot_nn_dropout(c->g, x[j], s->dropout, c->rng);
		}
	}
	for (int j = 0; j < nx; j++)
		x[j] = scuot_nn_activate(c->g, scuot_nn_linear_fwd(c->g, &net->lin[s->n_hidden], x[j]), s->out_act,
		                         s->slope);
}

/* One critic update (NOTES.md, "Unbalanced Sobolev descent"; Mroueh & Rigotti 2020, Sec. 4 and the reference
 * implementation's augmented Lagrangian, as in Sobolev GAN): expectations over minibatches weighted by the
 * masses (n / B sum_batch w_i f_i, unbiased for sum_i w_i f_i); the Sobolev term uses each particle's own
 * gradient grad_x f(x_i). */
int scuot_usd_critic_update(scuot_usd_critic *c, const double *y, const double *bt, int64_t m, const double *x,
                            const double *w, int64_t n, scuot_err *e)
{
	const scuot_usd_opts *o = &c->o;
	scuot_nn_graph *g = c->g;
	int64_t d = c->d, *ip = c->idx, *iq = c->idx + c->maxn;
	if (m > c->maxn || n > c->maxn)
		return scuot_err_set(e, SCUOT_EINTERNAL, "critic made for %lld points, given %lld and %lld",
		                     (long long)c->maxn, (long long)m, (long long)n);
	int64_t kp = draw(c->rng, m, o->batch, ip), kq = draw(c->rng, n, o->batch, iq);
	scuot_nn_graph_reset(g);
	scuot_nn_node *xp = rows_node(g, y, ip, kp, d, 0), *xq = rows_node(g, x, iq, kq, d, 1), *gq = NULL;
	scuot_nn_node *wp = weights_node(g, bt, ip, kp, (double)m / (double)kp);
	scuot_nn_node *wq = weights_node(g, w, iq, kq, (double)n / (double)kq);
	scuot_nn_node *fx[2] = { xp, xq };
	critic_fwd(c, fx, 1);
	scuot_nn_node *fp = fx[0], *fq = fx[1];
	scuot_nn_node *ep = scuot_nn_sum(g, scuot_nn_mul(g, wp, fp)), *eq = scuot_nn_sum(g, scuot_nn_mul(g, wq, fq));
	int ret = scuot_nn_grad(g, scuot_nn_sum(g, fq), 1, &xq, &gq, e);
	if (ret)
		return ret;
	scuot_nn_node *con = scuot_nn_sum(g, scuot_nn_mul(g, wq, scuot_nn_sum_cols(g, scuot_nn_square(g, gq))));
	if (o->alpha > 0) {
		scuot_nn_node *f2 = scuot_nn_sum(g, scuot_nn_mul(g, wq, scuot_nn_square(g, fq)));
		scuot_nn_node *fis = o->gamma ? scuot_nn_sub(g, f2, scuot_nn_square(g, eq)) : f2;
		con = scuot_nn_add(g, con, scuot_nn_scale(g, fis, o->alpha));
	}
	con = scuot_nn_add_scalar(g, con, -1);
	scuot_nn_node *pen = scuot_nn_add(g, scuot_nn_scale(g, con, c->lam),
	                                  scuot_nn_scale(g, scuot_nn_square(g, con), o->rho / 2));
	scuot_nn_node *loss = scuot_nn_sub(g, pen, scuot_nn_sub(g, ep, eq));
	scuot_nn_model_zero_grad(c->m);
	if ((ret = scuot_nn_backward(g, loss, c->m, e)) || (ret = scuot_nn_optim_step(&c->opt, c->m, e)))
		return ret;
	if (!isfinite(loss->v[0]))
		return scuot_err_set(e, SCUOT_ENUMERIC, "the critic's objective became %g; lower --lr or --step",
		                     loss->v[0]);
	c->con = con->v[0];
	c->gap = ep->v[0] - eq->v[0];
	c->flops = scuot_nn_graph_flops(g);
	c->lam += o->rho * c->con;
	return 0;
}

int scuot_usd_critic_eval(scuot_usd_critic *c, const double *x, int64_t n, double *f, double *grad, scuot_err *e)
{
	int64_t B = c->o.eval_batch > 0 ? c->o.eval_batch : n, d = c->d;
	for (int64_t i0 = 0; i0 < n; i0 += B) {
		int64_t k = n - i0 < B ? n - i0 : B;
		scuot_nn_graph_reset(c->g);
		scuot_nn_node *xi = scuot_nn_input(c->g, k, d, x + i0 * d), *gx = NULL;
		scuot_nn_node *fx[2] = { xi, NULL };
		critic_fwd(c, fx, 0);
		scuot_nn_node *fi = fx[0];
		int ret = grad ? scuot_nn_grad(c->g, scuot_nn_sum(c->g, fi), 1, &xi, &gx, e) :
		                 scuot_nn_graph_error(c->g, e);
		if (ret)
			return ret;
		if (f)
			memcpy(f + i0, fi->v, sizeof(double) * (size_t)k);
		if (grad)
			memcpy(grad + i0 * d, gx->v, sizeof(double) * (size_t)(k * d));
	}
	return 0;
}

/* ---- the methods ---- */

enum { NSD, NUSD, NUSD_BD };

#define P_NSD_COMMON \
	{ "sigma", SCUOT_PARAM_REAL, 0, 0, 1e300, "Gaussian bandwidth of the recorded MMDs (0: median " \
	  "source-target distance)" }, \
	{ "width", SCUOT_PARAM_INT, 64, 1, 1e6, "critic: width of the first hidden layer" }, \
	{ "hidden", SCUOT_PARAM_INT, 1024, 1, 1e6, "critic: width of the middle hidden layer" }, \
	{ "last", SCUOT_PARAM_INT, 64, 1, 1e6, "critic: width of the last hidden layer" }, \
	{ "batchnorm", SCUOT_PARAM_FLAG, 0, 0, 1, "critic: batch normalisation after the middle layer with the " \
	  "statistics of each pass, as the reference (the target and particle minibatches apart, all particles at " \
	  "each step): f is not one function of x; on data/example the EMD is lower than without it but the nusd and " \
	  "nusd-bd scaling factors lose the growth signal (reports/neural/growth-notes.md)" }, \
	{ "bn-joint", SCUOT_PARAM_FLAG, 0, 0, 1, "critic: batch normalisation after the middle layer with the joint " \
	  "statistics of the target and particle minibatches in training and their running averages (momentum " \
	  "0.1) at evaluation, stored as critic.bn1.running_mean and _var: f is one function of x and the scaling " \
	  "factors keep the growth signal (overrides --batchnorm)" }, \
	{ "dropout", SCUOT_PARAM_REAL, 0.2, 0, 0.95, "critic: dropout after the middle layer (training)" }, \
	{ "batch", SCUOT_PARAM_INT, 512, 1, 1e9, "critic minibatch per side" }, \
	{ "critic-steps", SCUOT_PARAM_INT, 20, 1, 1e9, "critic updates per descent step (n_c)" }, \
	{ "critic-start", SCUOT_PARAM_INT, 200, 1, 1e9, "critic updates before the first step" }, \
	{ "lr", SCUOT_PARAM_REAL, 1e-4, 1e-12, 10, "critic learning rate (Adam with AMSGrad, fresh at each step)" }, \
	{ "weight-decay", SCUOT_PARAM_REAL, 1e-5, 0, 10, "critic weight decay" }, \
	{ "lambda0", SCUOT_PARAM_REAL, 1e-5, -1e12, 1e12, "initial Lagrange multiplier of the constraint" }, \
	{ "rho", SCUOT_PARAM_REAL, 1e-6, 0, 1e12, "augmented Lagrangian penalty and multiplier step" }, \
	{ "step", SCUOT_PARAM_REAL, 1e-4, 1e-12, 1e12, "advection step epsilon: x <- x + epsilon grad f(x) " \
	  "(whitened units)" }, \
	{ "steps", SCUOT_PARAM_INT, 800, 1, 1e9, "descent steps" }, \
	{ "record", SCUOT_PARAM_INT, 10, 1, 1e9, "a snapshot and MMD values every this many steps" }, \
	{ "whiten", SCUOT_PARAM_FLAG, 1, 0, 1, "the critic sees coordinates minus the source mean, divided by " \
	  "sqrt(d) times the source standard deviation (NOTES.md)" }

static const scuot_ot_param nsd_params[] = {
	P_NSD_COMMON,
};

static const scuot_ot_param nusd_params[] = {
	P_NSD_COMMON,
	{ "alpha", SCUOT_PARAM_REAL, 0.6, 0, 1e12, "weight of the Fisher term of the critic's constraint" },
	{ "gamma", SCUOT_PARAM_INT, 1, 0, 1, "1: total mass conserved; 0: created or destroyed (target mass sum b / "
	  "sum a)" },
	{ "tau", SCUOT_PARAM_REAL, 1e-3, 0, 1e12, "reaction step: log w <- log w + tau (f(x) - gamma E_w f)" },
};

static const scuot_ot_param nusd_bd_params[] = {
	P_NSD_COMMON,
	{ "alpha", SCUOT_PARAM_REAL, 0.6, 0, 1e12, "weight of the Fisher term and of the birth-death rate" },
	{ "tau", SCUOT_PARAM_REAL, 1e-3, 0, 1e12, "birth-death step: a particle with b = f(x) - mean f is "
	  "duplicated (b > 0) or removed (b <= 0) with probability 1 - exp(-alpha tau |b|) (the rate is alpha tau, "
	  "nusd's reaction step tau: nusd-bd needs tau about 1 / alpha times nusd's for as much mass change)" },
};

#define NP(t) ((int)(sizeof t / sizeof t[0]))

/* The birth-death step (NOTES.md; Mroueh & Rigotti 2020, Sec. 4, "birth-death"; Rotskoff et al. 2019):
 * b_j = f(x_j) - mean f; a particle with b > 0 is duplicated with probability 1 - exp(-alpha tau b), one
 * with b <= 0 removed with probability 1 - exp(-alpha tau |b|); random duplications or removals then bring
 * the population back to n.  x (n x d) and anc (n) are rearranged in place; work holds 2 n x d doubles and
 * 2 n indices.  Returns births + deaths. */
static int64_t birth_death(gsl_rng *rng, double *x, int64_t *anc, const double *f, int64_t n, int64_t d,
                           double rate, double *wx, int64_t *wa)
{
	double mean = 0;
	int64_t k = 0, events = 0;
	for (int64_t i = 0; i < n; i++)
		mean += f[i] / (double)n;
	for (int64_t i = 0; i < n; i++) { /* survivors, then the newborn copies after them */
		double b = f[i] - mean, pr = 1 - exp(-rate * fabs(b));
		int hit = gsl_rng_uniform(rng) < pr;
		if (b <= 0 && hit) {
			events++;
			continue;
		}
		memcpy(wx + k * d, x + i * d, sizeof(double) * (size_t)d);
		wa[k++] = anc[i];
		if (b > 0 && hit) {
			memcpy(wx + k * d, x + i * d, sizeof(double) * (size_t)d);
			wa[k++] = anc[i];
			events++;
		}
	}
	if (k == 0) { /* everything died: keep the old population (cannot happen for a finite f: max b >= 0) */
		return events;
	}
	if (k > n) { /* keep a random n of the k */
		for (int64_t i = 0; i < n; i++) {
			int64_t j = i + (int64_t)gsl_rng_uniform_int(rng, (unsigned long)(k - i));
			for (int64_t q = 0; q < d; q++) {
				double t = wx[i * d + q];
				wx[i * d + q] = wx[j * d + q];
				wx[j * d + q] = t;
			}
			int64_t t = wa[i];
			wa[i] = wa[j];
			wa[j] = t;
		}
		k = n;
	}
	for (int64_t i = k; i < n; i++) { /* duplicate random survivors */
		int64_t j = (int64_t)gsl_rng_uniform_int(rng, (unsigned long)k);
		memcpy(wx + i * d, wx + j * d, sizeof(double) * (size_t)d);
		wa[i] = wa[j];
	}
	memcpy(x, wx, sizeof(double) * (size_t)(n * d));
	memcpy(anc, wa, sizeof(int64_t) * (size_t)n);
	return events;
}

/* Neural Sobolev descent (Mroueh et al. 2019, Sec. 4) and neural unbalanced Sobolev descent (Mroueh & Rigotti
 * 2020, Sec. 4; Algorithms of the IBM/USD reference as NOTES.md describes them): at each step n_c critic
 * updates warm-started from the previous critic, then advection x <- x + eps grad f(x) and, for nusd, the
 * mirror step log w <- log w + tau (f(x) - gamma m) at the new positions, or, for nusd-bd, birth and death. */
static int run_usd(int kind, const scuot_ot_param *t, int np, const scuot_ot_problem *p, const double *par,
                   scuot_ot_result *r, scuot_err *e)
{
	static const char *names[] = { "nsd", "nusd", "nusd-bd" };
	flow_state s;
	scuot_usd_critic *c = NULL;
	scuot_usd_opts o = { 0 };
	gsl_rng *rng = NULL;
	int64_t n = p->n, m = p->m, d = p->d, *anc = NULL, *wa = NULL, events = 0;
	double *mu = NULL, *sc = NULL, *xw = NULL, *yw = NULL, *grad = NULL, *f = NULL, *wx = NULL, d0, d1;
	int ret;
	memset(&s, 0, sizeof(s));
	o.width = (int64_t)flow_par(t, np, par, "width");
	o.hidden = (int64_t)flow_par(t, np, par, "hidden");
	o.last = (int64_t)flow_par(t, np, par, "last");
	o.batchnorm = flow_par(t, np, par, "bn-joint") != 0 ? 2 : flow_par(t, np, par, "batchnorm") != 0;
	o.dropout = flow_par(t, np, par, "dropout");
	o.batch = (int64_t)flow_par(t, np, par, "batch");
	o.critic_steps = (int64_t)flow_par(t, np, par, "critic-steps");
	o.critic_start = (int64_t)flow_par(t, np, par, "critic-start");
	o.lr = flow_par(t, np, par, "lr");
	o.weight_decay = flow_par(t, np, par, "weight-decay");
	o.lambda0 = flow_par(t, np, par, "lambda0");
	o.rho = flow_par(t, np, par, "rho");
	o.alpha = kind == NSD ? 0 : flow_par(t, np, par, "alpha");
	o.gamma = kind == NUSD ? (int)flow_par(t, np, par, "gamma") : 1;
	o.eval_batch = 1000;
	double eps = flow_par(t, np, par, "step"), tau = kind == NSD ? 0 : flow_par(t, np, par, "tau");
	double sigma = flow_par(t, np, par, "sigma");
	int64_t steps = (int64_t)flow_par(t, np, par, "steps"), every = (int64_t)flow_par(t, np, par, "record");
	int whiten = flow_par(t, np, par, "whiten") != 0;
	int64_t maxn = n > m ? n : m;
	if ((ret = flow_state_init(&s, p, kind == NUSD && o.gamma == 0, e)))
		goto done;
	if (!(sigma > 0))
		sigma = scuot_flow_median_sigma(p->x, n, p->y, m, d);
	if (!(mu = scuot_alloc((size_t)d, sizeof(double), 1, "whitening", e)) ||
	    !(sc = scuot_alloc((size_t)d, sizeof(double), 1, "whitening", e)) ||
	    !(xw = scuot_alloc((size_t)(n * d), sizeof(double), 0, "whitened particles", e)) ||
	    !(yw = scuot_alloc((size_t)(m * d), sizeof(double), 0, "whitened targets", e)) ||
	    !(grad = scuot_alloc((size_t)(n * d), sizeof(double), 0, "critic gradients", e)) ||
	    !(f = scuot_alloc((size_t)n, sizeof(double), 0, "critic values", e)) ||
	    !(anc = scuot_alloc((size_t)n, sizeof(int64_t), 0, "ancestors", e)) ||
	    (kind == NUSD_BD && (!(wx = scuot_alloc((size_t)(2 * n * d), sizeof(double), 0, "birth-death", e)) ||
	                         !(wa = scuot_alloc((size_t)(2 * n), sizeof(int64_t), 0, "birth-death", e)))) ||
	    !(rng = scuot_rng_new(p->seed, 0xbd, e))) {
		ret = e->code;
		goto done;
	}
	/* whitening (NOTES.md): subtract the source mean, divide by sqrt(d) times the source sd */
	for (int64_t q = 0; q < d; q++) {
		double s1 = 0, s2 = 0;
		for (int64_t i = 0; i < n; i++)
			s1 += p->x[i * d + q];
		s1 /= (double)n;
		for (int64_t i = 0; i < n; i++)
			s2 += (p->x[i * d + q] - s1) * (p->x[i * d + q] - s1);
		double sd = sqrt(s2 / (double)n);
		mu[q] = whiten ? s1 : 0;
		sc[q] = whiten && sd > 0 ? sqrt((double)d) * sd : 1;
	}
	for (int64_t j = 0; j < m; j++)
		for (int64_t q = 0; q < d; q++)
			yw[j * d + q] = (p->y[j * d + q] - mu[q]) / sc[q];
	for (int64_t i = 0; i < n; i++)
		anc[i] = i;
	if ((ret = scuot_usd_critic_new(&c, &o, d, maxn, p->seed, e)))
		goto done;
	scuot_log_info("%s: %lld particles, %lld targets, critic %lld-%lld-%lld (%lld parameters), batch %lld, "
	               "n_c %lld (%lld at the start), step %g, %lld steps", names[kind], (long long)n, (long long)m,
	               (long long)o.width, (long long)o.hidden, (long long)o.last,
	               (long long)scuot_nn_model_count(scuot_usd_critic_model(c)), (long long)o.batch,
	               (long long)o.critic_steps, (long long)o.critic_start, eps, (long long)steps);
	if ((ret = flow_exact_mmd(&s, p, sigma, &d0, &d1, e)) || (ret = flow_record(&s, r, 0, d0, d1, e)))
		goto done;
	for (int64_t it = 1; it <= steps; it++) {
		for (int64_t k = 0; k < n * d; k++)
			xw[k] = (s.x[k] - mu[k % d]) / sc[k % d];
		scuot_usd_critic_reset_optim(c);
		int64_t nc = it == 1 ? o.critic_start : o.critic_steps;
		for (int64_t k = 0; k < nc; k++)
			if ((ret = scuot_usd_critic_update(c, yw, s.bt, m, xw, s.w, n, e)))
				goto done;
		if ((ret = scuot_usd_critic_eval(c, xw, n, NULL, grad, e)))
			goto done;
		for (int64_t k = 0; k < n * d; k++) {
			xw[k] += eps * grad[k];
			s.x[k] += eps * sc[k % d] * grad[k];
		}
		if (kind == NUSD) {
			double mbar = 0, tot = 0, wsum = 0;
			if ((ret = scuot_usd_critic_eval(c, xw, n, f, NULL, e)))
				goto done;
			for (int64_t i = 0; i < n; i++)
				mbar += s.w[i] * f[i], wsum += s.w[i];
			mbar /= wsum;
			for (int64_t i = 0; i < n; i++)
				tot += s.w[i] *= exp(tau * (f[i] - o.gamma * mbar));
			if (!(tot > 0) || !isfinite(tot)) {
				ret = scuot_err_set(e, SCUOT_ENUMERIC, "nusd: particle masses became %g at step %lld; lower "
				                    "--tau", tot, (long long)it);
				goto done;
			}
			if (o.gamma)
				for (int64_t i = 0; i < n; i++)
					s.w[i] /= tot;
		} else if (kind == NUSD_BD) {
			if ((ret = scuot_usd_critic_eval(c, xw, n, f, NULL, e)))
				goto done;
			events += birth_death(rng, s.x, anc, f, n, d, o.alpha * tau, wx, wa);
			for (int64_t i = 0; i < n; i++)
				s.w[i] = s.w0[anc[i]];
		}
		if (flow_due(it, steps, every)) {
			double con, lam, gap;
			scuot_usd_critic_stats(c, &con, &lam, &gap);
			if ((ret = flow_exact_mmd(&s, p, sigma, &d0, &d1, e)) || (ret = flow_record(&s, r, it, d0, d1, e)))
				goto done;
			memcpy(r->snap[r->n_snap - 1].ancestor, anc, sizeof(int64_t) * (size_t)n);
			scuot_log_debug("step %lld: critic gap %.4g, constraint %.4g, multiplier %.4g", (long long)it, gap,
			                con, lam);
		}
	}
	if ((ret = flow_finish(&s, r, steps, "mmd to target", e)))
		goto done;
	if (kind == NUSD_BD) { /* scaling factor: living descendants of each source cell */
		for (int64_t i = 0; i < n; i++)
			r->scaling[i] = 0;
		for (int64_t i = 0; i < n; i++)
			r->scaling[anc[i]] += 1;
		for (int64_t i = 0; i < n; i++)
			r->row_sum[i] = r->a[i] * r->scaling[i];
		scuot_log_info("nusd-bd: %lld births and deaths over %lld steps", (long long)events, (long long)steps);
	}
	const scuot_nn_model *mod = scuot_usd_critic_model(c);
	for (int k = 0; k < mod->n; k++)
		if ((ret = scuot_ot_result_add_array(r, mod->t[k]->name, mod->t[k]->r, mod->t[k]->c, mod->t[k]->v, e)))
			goto done;
	if (o.batchnorm == 2 && c->bn_have &&
	    ((ret = scuot_ot_result_add_array(r, "critic.bn1.running_mean", 1, o.hidden, c->bn_mean, e)) ||
	     (ret = scuot_ot_result_add_array(r, "critic.bn1.running_var", 1, o.hidden, c->bn_var, e))))
		goto done;
	if ((ret = scuot_ot_result_add_array(r, "whiten.mean", 1, d, mu, e)) ||
	    (ret = scuot_ot_result_add_array(r, "whiten.scale", 1, d, sc, e)))
		goto done;
done:
	flow_state_free(&s);
	scuot_usd_critic_free(c);
	gsl_rng_free(rng);
	free(mu);
	free(sc);
	free(xw);
	free(yw);
	free(grad);
	free(f);
	free(anc);
	free(wx);
	free(wa);
	return ret;
}

static int run_nsd(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	return run_usd(NSD, nsd_params, NP(nsd_params), p, par, r, e);
}

static int run_nusd(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	return run_usd(NUSD, nusd_params, NP(nusd_params), p, par, r, e);
}

static int run_nusd_bd(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	return run_usd(NUSD_BD, nusd_bd_params, NP(nusd_bd_params), p, par, r, e);
}

const scuot_ot_method scuot_method_nsd = {
	"nsd", "particle flow, neural",
	"neural Sobolev descent: particles follow the gradient of an MLP critic trained under the Sobolev "
	"constraint (augmented Lagrangian)",
	"Mroueh, Sercu, Raj 2019 (AISTATS), Sec. 4; NOTES.md",
	NP(nsd_params), nsd_params, SCUOT_COST_SQEUCLIDEAN, run_nsd, NULL
};

const scuot_ot_method scuot_method_nusd = {
	"nusd", "particle flow, neural",
	"neural unbalanced Sobolev descent with weights: advection along an MLP critic under the Sobolev-Fisher "
	"constraint and a mirror step on the particle masses (gamma 1: mass conserved, 0: not)",
	"Mroueh & Rigotti 2020 (NeurIPS), Sec. 4; IBM/USD weighted_descent; NOTES.md",
	NP(nusd_params), nusd_params, SCUOT_COST_SQEUCLIDEAN, run_nusd, NULL
};

const scuot_ot_method scuot_method_nusd_bd = {
	"nusd-bd", "particle flow, neural",
	"neural unbalanced Sobolev descent with birth-death: advection along the critic, particles duplicated or "
	"removed at the critic's rate; scaling factor = living descendants of each source cell",
	"Mroueh & Rigotti 2020 (NeurIPS), Sec. 4; IBM/USD unbalanced_descent; NOTES.md",
	NP(nusd_bd_params), nusd_bd_params, SCUOT_COST_SQEUCLIDEAN, run_nusd_bd, NULL
};
