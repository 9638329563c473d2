/* uotgen.c -- UOT-gen (uotgen.h): the swfr geodesic (swfr.c) trained from weighted samples to N(0, I), weighted
 * samples generated back from N(0, I), warm-started online updates, and the model file (io/arrays.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/log.h"
#include "core/mat.h"
#include "core/rng.h"
#include "io/arrays.h"
#include "neural/swfr_internal.h"
#include "neural/uotgen.h"

#define UOTGEN_FORMAT "scuot-uotgen"
#define UOTGEN_VERSION 1

struct scuot_uotgen {
	scuot_uotgen_opts o;
	int64_t d;
	double *mean, scale; /* whitening: z = (x - mean) / scale */
	swfr *s;
	int64_t iters;       /* trained so far */
	double costs[4];
	double *curve;       /* J of the last training call */
	int64_t ncurve;
	char **labels;       /* d names, or NULL */
};

void scuot_uotgen_opts_init(scuot_uotgen_opts *o)
{
	swfr_opts so;
	swfr_opts_init(&so);
	memset(o, 0, sizeof(*o));
	o->alpha = so.alpha, o->width = so.width, o->rank = so.rank;
	o->gamma1 = so.gamma1, o->gamma2 = so.gamma2, o->steps = so.steps;
	o->whiten = 1;
	o->iters = 1000, o->batch = 512, o->tbatch = 512, o->lr = so.lr, o->lr_decay = 0.1, o->seed = 1;
}

static swfr_opts to_swfr(const scuot_uotgen_opts *o)
{
	swfr_opts so;
	swfr_opts_init(&so);
	so.alpha = o->alpha, so.width = o->width, so.rank = o->rank, so.gamma1 = o->gamma1, so.gamma2 = o->gamma2;
	so.steps = o->steps, so.iters = o->iters, so.batch = o->batch, so.tbatch = o->tbatch, so.lr = o->lr;
	so.lr_decay = o->lr_decay;
	so.seed = o->seed;
	return so;
}

/* an empty model: settings, no whitening yet, a freshly initialised potential */
static int alloc_model(scuot_uotgen **out, int64_t d, const scuot_uotgen_opts *o, scuot_err *e)
{
	scuot_uotgen *u = calloc(1, sizeof(*u));
	int ret;
	*out = NULL;
	if (!u)
		return scuot_err_set(e, SCUOT_ENOMEM, "out of memory for a UOT-gen model");
	u->o = *o, u->d = d, u->scale = 1;
	for (int k = 0; k < 4; k++)
		u->costs[k] = NAN;
	swfr_opts so = to_swfr(o);
	if (!(u->mean = scuot_alloc((size_t)d, sizeof(double), 1, "whitening", e))) {
		ret = e->code;
		goto fail;
	}
	if ((ret = swfr_new(&u->s, &so, d, e)))
		goto fail;
	*out = u;
	return 0;
fail:
	scuot_uotgen_free(u);
	return ret;
}

int scuot_uotgen_new(scuot_uotgen **out, const double *x, int64_t n, int64_t d, const scuot_uotgen_opts *o,
                     scuot_err *e)
{
	int ret;
	if (d < 1 || n < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "UOT-gen needs at least one sample of at least one coordinate");
	if ((ret = alloc_model(out, d, o, e)))
		return ret;
	scuot_uotgen *u = *out;
	if (o->whiten) {
		double v = 0;
		for (int64_t q = 0; q < d; q++) {
			double s1 = 0;
			for (int64_t i = 0; i < n; i++)
				s1 += x[i * d + q];
			u->mean[q] = s1 / (double)n;
			for (int64_t i = 0; i < n; i++)
				v += (x[i * d + q] - u->mean[q]) * (x[i * d + q] - u->mean[q]);
		}
		v /= (double)n * (double)d;
		u->scale = v > 0 && isfinite(v) ? sqrt(v) : 1;
	}
	return 0;
}

int scuot_uotgen_train(scuot_uotgen *u, const double *x, const double *w, int64_t n, const scuot_uotgen_opts *o,
                       double *curve, scuot_err *e)
{
	int64_t d = u->d;
	double *z = NULL, *cv = NULL, wsum = 0;
	int ret;
	for (int64_t i = 0; i < n * d; i++)
		if (!isfinite(x[i]))
			return scuot_err_set(e, SCUOT_EINPUT, "sample %lld, coordinate %lld is %g", (long long)(i / d + 1),
			                     (long long)(i % d + 1), x[i]);
	for (int64_t i = 0; w && i < n; i++) {
		if (!(w[i] >= 0) || !isfinite(w[i]))
			return scuot_err_set(e, SCUOT_EINPUT, "sample %lld has weight %g; weights must be finite and >= 0",
			                     (long long)(i + 1), w[i]);
		wsum += w[i];
	}
	if (w && !(wsum > 0))
		return scuot_err_set(e, SCUOT_EINPUT, "all %lld weights are 0", (long long)n);
	if (o->iters < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "UOT-gen training needs at least one iteration");
	if (!(z = scuot_alloc((size_t)(n * d), sizeof(double), 0, "whitened samples", e)) ||
	    !(cv = scuot_alloc((size_t)o->iters, sizeof(double), 0, "cost curve", e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t i = 0; i < n * d; i++)
		z[i] = (x[i] - u->mean[i % d]) / u->scale;
	if ((ret = swfr_set_budget(u->s, o->lr, o->lr_decay, o->batch, o->tbatch, o->seed, e)))
		goto done;
	u->o.iters = o->iters, u->o.batch = o->batch, u->o.tbatch = o->tbatch, u->o.lr = o->lr, u->o.seed = o->seed;
	u->o.lr_decay = o->lr_decay;
	swfr_target tg = { swfr_logp_gauss, swfr_sample_gauss, &u->d, NULL, NULL, 0 };
	swfr_costs c;
	if ((ret = swfr_train(u->s, z, w, n, &tg, o->iters, cv, &c, e)))
		goto done;
	u->iters += o->iters;
	u->costs[0] = c.J, u->costs[1] = c.kl, u->costs[2] = c.swfr, u->costs[3] = c.reg;
	if (curve)
		memcpy(curve, cv, sizeof(double) * (size_t)o->iters);
	free(u->curve);
	u->curve = cv, u->ncurve = o->iters;
	cv = NULL;
done:
	free(z);
	free(cv);
	return ret;
}

int scuot_uotgen_sample(scuot_uotgen *u, int64_t n, uint64_t seed, double *x, double *w, scuot_err *e)
{
	int64_t d = u->d;
	double *y = NULL;
	gsl_rng *r = NULL;
	int ret;
	if (n < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "UOT-gen: at least one sample must be drawn");
	if (!(y = scuot_alloc((size_t)(n * d), sizeof(double), 0, "N(0, I) draws", e)) ||
	    !(r = scuot_rng_new(seed, 0x06e7, e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t i = 0; i < n * d; i++)
		y[i] = gsl_ran_gaussian_ziggurat(r, 1);
	if ((ret = swfr_generate(u->s, y, NULL, n, 1024, x, w, e)))
		goto done;
	for (int64_t i = 0; i < n * d; i++)
		x[i] = u->mean[i % d] + u->scale * x[i];
done:
	free(y);
	gsl_rng_free(r);
	return ret;
}

/* ---- the model file ---- */

static const struct setting {
	const char *name;
	double lo, hi;
	int integer;
} settings[] = {
	{ "dim", 1, 1e6, 1 },          { "alpha", 1e-12, 1e15, 0 },  { "width", 1, 65536, 1 },
	{ "rank", 0, 1e6, 1 },         { "gamma1", 0, 1e15, 0 },     { "gamma2", 0, 1e15, 0 },
	{ "rk_steps", 1, 65536, 1 },   { "whiten", 0, 1, 1 },        { "iterations", 0, 1e18, 1 },
};

#define NSET ((int)(sizeof settings / sizeof settings[0]))

static double setting_of(const scuot_uotgen *u, int k)
{
	switch (k) {
	case 0: return (double)u->d;
	case 1: return u->o.alpha;
	case 2: return (double)u->o.width;
	case 3: return (double)u->o.rank;
	case 4: return u->o.gamma1;
	case 5: return u->o.gamma2;
	case 6: return u->o.steps;
	case 7: return u->o.whiten;
	default: return (double)u->iters;
	}
}

int scuot_uotgen_save(const scuot_uotgen *u, const char *path, scuot_err *e)
{
	scuot_arrays a = { 0 };
	const scuot_nn_model *m = swfr_model(u->s);
	int ret = 0;
	for (int k = 0; k < NSET && !ret; k++)
		ret = scuot_arrays_add_scalar(&a, settings[k].name, setting_of(u, k), e);
	if (!ret)
		ret = scuot_arrays_add(&a, "whiten.mean", 1, u->d, u->mean, e);
	if (!ret)
		ret = scuot_arrays_add_scalar(&a, "whiten.scale", u->scale, e);
	for (int k = 0; k < m->n && !ret; k++)
		ret = scuot_arrays_add(&a, m->t[k]->name, m->t[k]->r, m->t[k]->c, m->t[k]->v, e);
	if (!ret && u->iters > 0 && isfinite(u->costs[0]))
		ret = scuot_arrays_add(&a, "costs", 1, 4, u->costs, e);
	if (!ret && u->ncurve > 0)
		ret = scuot_arrays_add(&a, "curve", 1, u->ncurve, u->curve, e);
	if (!ret && u->labels)
		ret = scuot_arrays_set_labels(&a, u->labels, u->d, e);
	if (!ret)
		ret = scuot_arrays_write(path, UOTGEN_FORMAT, UOTGEN_VERSION, &a, e);
	scuot_arrays_clear(&a);
	return ret;
}

int scuot_uotgen_load(scuot_uotgen **out, const char *path, scuot_err *e)
{
	scuot_arrays a = { 0 };
	scuot_uotgen *u = NULL;
	scuot_uotgen_opts o;
	double v[NSET];
	const scuot_array *p;
	int ret;
	*out = NULL;
	if ((ret = scuot_arrays_read(path, UOTGEN_FORMAT, UOTGEN_VERSION, "scuot-uotgen train", &a, e)))
		return ret;
	for (int k = 0; k < NSET; k++)
		if ((ret = scuot_arrays_scalar(&a, path, settings[k].name, settings[k].lo, settings[k].hi,
		                               settings[k].integer, &v[k], e)))
			goto done;
	scuot_uotgen_opts_init(&o);
	o.alpha = v[1], o.width = (int64_t)v[2], o.rank = (int64_t)v[3], o.gamma1 = v[4], o.gamma2 = v[5];
	o.steps = (int)v[6], o.whiten = (int)v[7];
	int64_t d = (int64_t)v[0];
	if ((ret = alloc_model(&u, d, &o, e)))
		goto done;
	u->iters = (int64_t)v[8];
	if ((ret = scuot_arrays_get(&a, path, "whiten.mean", 1, d, &p, e)))
		goto done;
	memcpy(u->mean, p->v, sizeof(double) * (size_t)d);
	if ((ret = scuot_arrays_scalar(&a, path, "whiten.scale", 1e-300, INFINITY, 0, &u->scale, e)))
		goto done;
	const scuot_nn_model *m = swfr_model(u->s);
	for (int k = 0; k < m->n; k++) {
		if ((ret = scuot_arrays_get(&a, path, m->t[k]->name, m->t[k]->r, m->t[k]->c, &p, e)))
			goto done;
		memcpy(m->t[k]->v, p->v, sizeof(double) * (size_t)(p->r * p->c));
	}
	if (scuot_arrays_find(&a, "costs")) {
		if ((ret = scuot_arrays_get(&a, path, "costs", 1, 4, &p, e)))
			goto done;
		memcpy(u->costs, p->v, sizeof u->costs);
	}
	if (a.labels && a.nlabels != d) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /labels holds %lld names for %lld coordinates", path,
		                    (long long)a.nlabels, (long long)d);
		goto done;
	}
	if (a.labels && (ret = scuot_uotgen_set_labels(u, a.labels, e)))
		goto done;
	*out = u;
	u = NULL;
done:
	scuot_uotgen_free(u);
	scuot_arrays_clear(&a);
	return ret;
}

int scuot_uotgen_set_labels(scuot_uotgen *u, char *const *labels, scuot_err *e)
{
	char **l = calloc((size_t)u->d, sizeof(char *));
	if (!l)
		return scuot_err_set(e, SCUOT_ENOMEM, "out of memory for %lld labels", (long long)u->d);
	for (int64_t q = 0; q < u->d; q++)
		if (!(l[q] = strdup(labels[q] ? labels[q] : ""))) {
			scuot_strs_free(l, q);
			return scuot_err_set(e, SCUOT_ENOMEM, "out of memory for %lld labels", (long long)u->d);
		}
	scuot_strs_free(u->labels, u->labels ? u->d : 0);
	u->labels = l;
	return 0;
}

char *const *scuot_uotgen_labels(const scuot_uotgen *u)
{
	return u->labels;
}

int64_t scuot_uotgen_dim(const scuot_uotgen *u)
{
	return u->d;
}

int64_t scuot_uotgen_iterations(const scuot_uotgen *u)
{
	return u->iters;
}

void scuot_uotgen_costs(const scuot_uotgen *u, double out[4])
{
	memcpy(out, u->costs, sizeof u->costs);
}

const scuot_uotgen_opts *scuot_uotgen_get_opts(const scuot_uotgen *u)
{
	return &u->o;
}

void scuot_uotgen_free(scuot_uotgen *u)
{
	if (!u)
		return;
	swfr_free(u->s);
	free(u->mean);
	free(u->curve);
	scuot_strs_free(u->labels, u->labels ? u->d : 0);
	free(u);
}
