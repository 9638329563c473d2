/* layers.c -- parameter tensors and models, layers (linear, batch normalisation, dropout, MLP, residual
 * network) written with nn.h's operations, and the SGD and Adam/AMSGrad optimisers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/mat.h"
#include "nn/layers.h"
#include "nn/nn_internal.h"

scuot_nn_model *scuot_nn_model_new(void)
{
	return calloc(1, sizeof(scuot_nn_model));
}

static void tensor_free(scuot_nn_tensor *t)
{
	if (!t)
		return;
	free(t->v);
	free(t->g);
	free(t->m1);
	free(t->m2);
	free(t->m2hat);
	free(t);
}

void scuot_nn_model_free(scuot_nn_model *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->n; i++)
		tensor_free(m->t[i]);
	free(m->t);
	free(m);
}

scuot_nn_tensor *scuot_nn_model_find(const scuot_nn_model *m, const char *name)
{
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->t[i]->name, name))
			return m->t[i];
	return NULL;
}

scuot_nn_tensor *scuot_nn_model_add(scuot_nn_model *m, const char *name, int64_t r, int64_t c, scuot_err *e)
{
	if (strlen(name) >= sizeof(((scuot_nn_tensor *)0)->name) || scuot_nn_model_find(m, name) || r <= 0 ||
	    c <= 0) {
		scuot_err_set(e, SCUOT_EINTERNAL, "parameter '%s': duplicate name, name too long or empty shape", name);
		return NULL;
	}
	if (m->n == m->cap) {
		int cap = m->cap ? 2 * m->cap : 16;
		scuot_nn_tensor **t = realloc(m->t, sizeof(*t) * (size_t)cap);
		if (!t) {
			scuot_err_set(e, SCUOT_ENOMEM, "out of memory for parameter '%s'", name);
			return NULL;
		}
		m->t = t;
		m->cap = cap;
	}
	scuot_nn_tensor *t = calloc(1, sizeof(*t));
	if (t) {
		t->v = scuot_alloc((size_t)(r * c), sizeof(double), 1, name, e);
		t->g = t->v ? scuot_alloc((size_t)(r * c), sizeof(double), 1, name, e) : NULL;
	}
	if (!t || !t->g) {
		tensor_free(t);
		if (!e || !e->code)
			scuot_err_set(e, SCUOT_ENOMEM, "out of memory for parameter '%s'", name);
		return NULL;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->r = r;
	t->c = c;
	m->t[m->n++] = t;
	return t;
}

int64_t scuot_nn_model_count(const scuot_nn_model *m)
{
	int64_t s = 0;
	for (int i = 0; i < m->n; i++)
		s += m->t[i]->r * m->t[i]->c;
	return s;
}

void scuot_nn_model_zero_grad(scuot_nn_model *m)
{
	for (int i = 0; i < m->n; i++)
		memset(m->t[i]->g, 0, sizeof(double) * (size_t)(m->t[i]->r * m->t[i]->c));
}

int scuot_nn_backward(scuot_nn_graph *g, scuot_nn_node *loss, scuot_nn_model *m, scuot_err *e)
{
	scuot_nn_node **wrt = malloc(sizeof(*wrt) * (size_t)(m->n ? m->n : 1));
	scuot_nn_node **d = malloc(sizeof(*d) * (size_t)(m->n ? m->n : 1));
	scuot_nn_tensor **ts = malloc(sizeof(*ts) * (size_t)(m->n ? m->n : 1));
	int k = 0, ret = 0;
	if (!wrt || !d || !ts) {
		ret = scuot_err_set(e, SCUOT_ENOMEM, "out of memory for gradients");
		goto out;
	}
	for (int i = 0; i < m->n; i++) {
		scuot_nn_tensor *t = m->t[i];
		if (t->leaf && t->leaf_graph == g && t->leaf_epoch == g->epoch) {
			ts[k] = t;
			wrt[k++] = t->leaf;
		}
	}
	if ((ret = nn_grad(g, loss, k, wrt, d, 1, e)) < 0)
		goto out;
	for (int i = 0; i < k; i++)
		for (int64_t j = 0; j < ts[i]->r * ts[i]->c; j++)
			ts[i]->g[j] += d[i]->v[j];
out:
	free(wrt);
	free(d);
	free(ts);
	return ret;
}

int scuot_nn_model_copy(scuot_nn_model *dst, const scuot_nn_model *src, scuot_err *e)
{
	for (int i = 0; i < src->n; i++) {
		const scuot_nn_tensor *s = src->t[i];
		scuot_nn_tensor *t = scuot_nn_model_find(dst, s->name);
		if (!t || t->r != s->r || t->c != s->c)
			return scuot_err_set(e, SCUOT_EINPUT, "parameter '%s' (%lld x %lld) %s", s->name,
			                     (long long)s->r, (long long)s->c,
			                     t ? "has another shape in the network" : "is not a parameter of the network");
	}
	for (int i = 0; i < src->n; i++) {
		scuot_nn_tensor *t = scuot_nn_model_find(dst, src->t[i]->name);
		memcpy(t->v, src->t[i]->v, sizeof(double) * (size_t)(t->r * t->c));
	}
	return 0;
}

/* ---- activations ---- */

scuot_nn_node *scuot_nn_activate(scuot_nn_graph *g, scuot_nn_node *x, int act, double slope)
{
	switch (act) {
	case SCUOT_NN_RELU:
		return scuot_nn_relu(g, x);
	case SCUOT_NN_LEAKY:
		return scuot_nn_leaky(g, x, slope);
	case SCUOT_NN_SOFTPLUS:
		return scuot_nn_softplus(g, x);
	case SCUOT_NN_TANH:
		return scuot_nn_tanh(g, x);
	case SCUOT_NN_SIGMOID:
		return scuot_nn_sigmoid(g, x);
	case SCUOT_NN_LOGCOSH:
		return scuot_nn_logcosh(g, x);
	}
	return x;
}

int scuot_nn_act_parse(const char *s)
{
	static const char *names[] = { "identity", "relu", "leaky", "softplus", "tanh", "sigmoid", "logcosh" };
	for (int i = 0; i < (int)(sizeof(names) / sizeof(*names)); i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/* ---- layers ---- */

static void uniform(scuot_nn_tensor *t, double bound, gsl_rng *rng)
{
	for (int64_t i = 0; i < t->r * t->c; i++)
		t->v[i] = bound * (2 * gsl_rng_uniform(rng) - 1);
}

int scuot_nn_linear_init(scuot_nn_linear *l, scuot_nn_model *m, const char *name, int64_t in, int64_t out,
                         int bias, gsl_rng *rng, scuot_err *e)
{
	char nm[64];
	snprintf(nm, sizeof(nm), "%s.weight", name);
	l->w = scuot_nn_model_add(m, nm, in, out, e);
	l->b = NULL;
	if (!l->w)
		return e ? e->code : SCUOT_ENOMEM;
	double bound = 1 / sqrt((double)in);
	uniform(l->w, bound, rng);
	if (bias) {
		snprintf(nm, sizeof(nm), "%s.bias", name);
		if (!(l->b = scuot_nn_model_add(m, nm, 1, out, e)))
			return e ? e->code : SCUOT_ENOMEM;
		uniform(l->b, bound, rng);
	}
	return 0;
}

scuot_nn_node *scuot_nn_linear_fwd(scuot_nn_graph *g, const scuot_nn_linear *l, scuot_nn_node *x)
{
	scuot_nn_node *y = scuot_nn_matmul(g, x, 0, scuot_nn_param(g, l->w), 0);
	return l->b ? scuot_nn_add_row(g, y, scuot_nn_param(g, l->b)) : y;
}

int scuot_nn_bn_init(scuot_nn_bn *l, scuot_nn_model *m, const char *name, int64_t width, scuot_err *e)
{
	char nm[64];
	snprintf(nm, sizeof(nm), "%s.gamma", name);
	if (!(l->gamma = scuot_nn_model_add(m, nm, 1, width, e)))
		return e ? e->code : SCUOT_ENOMEM;
	snprintf(nm, sizeof(nm), "%s.beta", name);
	if (!(l->beta = scuot_nn_model_add(m, nm, 1, width, e)))
		return e ? e->code : SCUOT_ENOMEM;
	for (int64_t j = 0; j < width; j++)
		l->gamma->v[j] = 1;
	l->eps = 1e-5;
	return 0;
}

scuot_nn_node *scuot_nn_bn_fwd(scuot_nn_graph *g, const scuot_nn_bn *l, scuot_nn_node *x)
{
	if (!x)
		return NULL;
	double inv_n = 1.0 / (double)x->r;
	scuot_nn_node *mu = scuot_nn_scale(g, scuot_nn_sum_rows(g, x), -inv_n);
	scuot_nn_node *xc = scuot_nn_add_row(g, x, mu);
	scuot_nn_node *var = scuot_nn_scale(g, scuot_nn_sum_rows(g, scuot_nn_square(g, xc)), inv_n);
	scuot_nn_node *inv = scuot_nn_pow(g, scuot_nn_add_scalar(g, var, l->eps), -0.5);
	scuot_nn_node *s = scuot_nn_mul(g, inv, scuot_nn_param(g, l->gamma));
	return scuot_nn_add_row(g, scuot_nn_mul_row(g, xc, s), scuot_nn_param(g, l->beta));
}

scuot_nn_node *scuot_nn_dropout(scuot_nn_graph *g, scuot_nn_node *x, double p, gsl_rng *rng)
{
	if (!x || !rng || p <= 0)
		return x;
	scuot_nn_node *mask = scuot_nn_const(g, x->r, x->c, NULL);
	if (!mask)
		return NULL;
	double keep = 1 / (1 - p);
	for (int64_t i = 0; i < x->r * x->c; i++)
		mask->v[i] = gsl_rng_uniform(rng) < p ? 0 : keep;
	return scuot_nn_mul(g, x, mask);
}

int scuot_nn_mlp_init(scuot_nn_mlp *net, scuot_nn_model *m, const char *name, int64_t in, int64_t out,
                      const scuot_nn_mlp_spec *spec, gsl_rng *rng, scuot_err *e)
{
	char nm[64];
	int ret;
	memset(net, 0, sizeof(*net));
	if (spec->n_hidden < 0 || spec->n_hidden > SCUOT_NN_MAX_HIDDEN)
		return scuot_err_set(e, SCUOT_EUSAGE, "%s: %d hidden layers (at most %d)", name, spec->n_hidden,
		                     SCUOT_NN_MAX_HIDDEN);
	net->spec = *spec;
	net->in = in;
	net->out = out;
	int64_t w = in;
	for (int k = 0; k < spec->n_hidden; k++) {
		snprintf(nm, sizeof(nm), "%s.%d", name, k);
		if ((ret = scuot_nn_linear_init(&net->lin[k], m, nm, w, spec->hidden[k], 1, rng, e)) < 0)
			return ret;
		w = spec->hidden[k];
		if (k == spec->bn_at) {
			snprintf(nm, sizeof(nm), "%s.bn%d", name, k);
			if ((ret = scuot_nn_bn_init(&net->bn, m, nm, w, e)) < 0)
				return ret;
		}
	}
	snprintf(nm, sizeof(nm), "%s.out", name);
	return scuot_nn_linear_init(&net->lin[spec->n_hidden], m, nm, w, out, spec->out_bias, rng, e);
}

scuot_nn_node *scuot_nn_mlp_fwd(scuot_nn_graph *g, const scuot_nn_mlp *net, scuot_nn_node *x, gsl_rng *rng)
{
	const scuot_nn_mlp_spec *s = &net->spec;
	for (int k = 0; k < s->n_hidden; k++) {
		x = scuot_nn_linear_fwd(g, &net->lin[k], x);
		if (k == s->bn_at)
			x = scuot_nn_bn_fwd(g, &net->bn, x);
		x = scuot_nn_activate(g, x, s->act, s->slope);
		if (k == s->dropout_at)
			x = scuot_nn_dropout(g, x, s->dropout, rng);
	}
	x = scuot_nn_linear_fwd(g, &net->lin[s->n_hidden], x);
	return scuot_nn_activate(g, x, s->out_act, s->slope);
}

int scuot_nn_resnet_init(scuot_nn_resnet *net, scuot_nn_model *m, const char *name, int64_t in, int64_t width,
                         int depth, int act, gsl_rng *rng, scuot_err *e)
{
	char nm[64];
	int ret;
	memset(net, 0, sizeof(*net));
	if (depth < 1 || depth > SCUOT_NN_MAX_HIDDEN)
		return scuot_err_set(e, SCUOT_EUSAGE, "%s: depth %d (1 to %d)", name, depth, SCUOT_NN_MAX_HIDDEN);
	net->depth = depth;
	net->act = act;
	net->in = in;
	net->width = width;
	for (int k = 0; k < depth; k++) {
		snprintf(nm, sizeof(nm), "%s.%d", name, k);
		if ((ret = scuot_nn_linear_init(&net->lin[k], m, nm, k ? width : in, width, 1, rng, e)) < 0)
			return ret;
	}
	return 0;
}

scuot_nn_node *scuot_nn_resnet_fwd(scuot_nn_graph *g, const scuot_nn_resnet *net, scuot_nn_node *x)
{
	double h = net->depth > 1 ? 1.0 / (net->depth - 1) : 1;
	scuot_nn_node *u = scuot_nn_activate(g, scuot_nn_linear_fwd(g, &net->lin[0], x), net->act, 0.01);
	for (int k = 1; k < net->depth; k++) {
		scuot_nn_node *r = scuot_nn_activate(g, scuot_nn_linear_fwd(g, &net->lin[k], u), net->act, 0.01);
		u = scuot_nn_add(g, u, scuot_nn_scale(g, r, h));
	}
	return u;
}

/* ---- optimisers ---- */

scuot_nn_optim scuot_nn_adam(double lr)
{
	return (scuot_nn_optim){ .kind = SCUOT_NN_ADAM, .lr = lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8 };
}

scuot_nn_optim scuot_nn_sgd(double lr, double momentum)
{
	return (scuot_nn_optim){ .kind = SCUOT_NN_SGD, .lr = lr, .momentum = momentum };
}

void scuot_nn_optim_reset(scuot_nn_optim *o, scuot_nn_model *m)
{
	o->steps = 0;
	for (int i = 0; i < m->n; i++) {
		scuot_nn_tensor *t = m->t[i];
		size_t sz = sizeof(double) * (size_t)(t->r * t->c);
		if (t->m1)
			memset(t->m1, 0, sz);
		if (t->m2)
			memset(t->m2, 0, sz);
		if (t->m2hat)
			memset(t->m2hat, 0, sz);
	}
}

/* Adam: Kingma and Ba, ICLR 2015, Algorithm 1 (bias corrections as PyTorch's torch.optim.Adam); AMSGrad:
 * Reddi et al., ICLR 2018, with the maximum taken of the raw second moment as PyTorch does. */
int scuot_nn_optim_step(scuot_nn_optim *o, scuot_nn_model *m, scuot_err *e)
{
	o->steps++;
	double bc1 = 1 - pow(o->beta1, (double)o->steps), bc2 = 1 - pow(o->beta2, (double)o->steps);
	for (int i = 0; i < m->n; i++) {
		scuot_nn_tensor *t = m->t[i];
		int64_t n = t->r * t->c;
		int need1 = o->kind == SCUOT_NN_ADAM || o->momentum != 0, need2 = o->kind == SCUOT_NN_ADAM;
		if ((need1 && !t->m1 && !(t->m1 = scuot_alloc((size_t)n, sizeof(double), 1, t->name, e))) ||
		    (need2 && !t->m2 && !(t->m2 = scuot_alloc((size_t)n, sizeof(double), 1, t->name, e))) ||
		    (need2 && o->amsgrad && !t->m2hat &&
		     !(t->m2hat = scuot_alloc((size_t)n, sizeof(double), 1, t->name, e))))
			return e ? e->code : SCUOT_ENOMEM;
		double *v = t->v, *gr = t->g;
		for (int64_t j = 0; j < n; j++) {
			double gj = gr[j];
			if (o->decoupled)
				v[j] -= o->lr * o->weight_decay * v[j];
			else
				gj += o->weight_decay * v[j];
			if (o->kind == SCUOT_NN_SGD) {
				if (o->momentum != 0)
					gj = t->m1[j] = o->steps > 1 ? o->momentum * t->m1[j] + gj : gj;
				v[j] -= o->lr * gj;
				continue;
			}
			t->m1[j] = o->beta1 * t->m1[j] + (1 - o->beta1) * gj;
			t->m2[j] = o->beta2 * t->m2[j] + (1 - o->beta2) * gj * gj;
			double s = t->m2[j];
			if (o->amsgrad)
				s = t->m2hat[j] = t->m2hat[j] > s ? t->m2hat[j] : s;
			v[j] -= o->lr * (t->m1[j] / bc1) / (sqrt(s / bc2) + o->eps);
		}
	}
	return 0;
}
