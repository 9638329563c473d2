/* eval.c -- distances between a predicted population and held-out cells (MMD by random features and
 * exact, EMD W1 and W2), normalised by the source-target distance, and the trivial baselines.
 * Protocol: Lyu et al., "Unbalanced Sobolev Descent" (NeurIPS 2020), Section 6: MMD with 300 random
 * Fourier features, bandwidth sqrt(d), and EMD as Waddington-OT computes it (Schiebinger et al., Cell
 * 2019; wot/ot/util.py point_cloud_distance: exact OT on squared Euclidean costs, square root of the
 * optimum), both divided by the distance between the two endpoint populations. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/log.h"
#include "core/mat.h"
#include "core/rng.h"
#include "eval/eval.h"
#include "kern/kern.h"
#include "ot/cost.h"
#include "ot/emd.h"

/* Stream ids under the scorer's seed: feature draw r uses RFF_STREAM + r, the EMD subsample of the
 * population with id k uses SUB_STREAM + k. */
#define RFF_STREAM 0x52464600u
#define SUB_STREAM 0x53554200u

static const char *const metric_names[SCUOT_EVAL_NMETRIC] = {"mmd_rff", "mmd", "emd", "emd2"};

/* A population prepared for EMD: scaled and, above the cap, subsampled (owned copies). */
typedef struct emd_pop {
	double *x, *w;
	int64_t n;
} emd_pop;

struct scuot_eval {
	scuot_eval_opts o;
	int64_t d;
	double sigma;
	double *scale;                        /* d EMD factors, or NULL */
	scuot_kern_rff **rff;                 /* rff_draws feature draws */
	double *mu_truth;                     /* rff_draws x D mean embeddings of the truth */
	double k_truth;                       /* sum_ij p_i p_j k(t_i, t_j) with normalised truth weights */
	scuot_eval_pop truth, source, target; /* copies */
	double *tx, *tw, *sx, *sw, *gx, *gw;  /* their arrays */
	emd_pop emd_truth;
	double st[SCUOT_EVAL_NMETRIC]; /* source-target distances */
};

void scuot_eval_opts_init(scuot_eval_opts *o)
{
	memset(o, 0, sizeof *o);
	o->metrics = (1u << SCUOT_EVAL_NMETRIC) - 1;
	o->rff_features = 300;
	o->rff_draws = 10;
	o->bandwidth = 0;
	o->emd_max_cells = 5000;
	o->baseline_pairs = 0;
	o->seed = 0;
}

int scuot_eval_opts_check(const scuot_eval_opts *o, scuot_err *e)
{
	if (!o->metrics || o->metrics >= 1u << SCUOT_EVAL_NMETRIC)
		return scuot_err_set(e, SCUOT_EUSAGE,
		                     "--metrics: choose one or more of mmd_rff, mmd, emd, emd2");
	if (o->rff_features < 1 || o->rff_features > 1000000)
		return scuot_err_set(e, SCUOT_EUSAGE, "--rff-features must be in 1..1000000 (got %lld)",
		                     (long long)o->rff_features);
	if (o->rff_draws < 1 || o->rff_draws > 100000)
		return scuot_err_set(e, SCUOT_EUSAGE, "--rff-draws must be in 1..100000 (got %d)",
		                     o->rff_draws);
	if (!(o->bandwidth >= 0) || !isfinite(o->bandwidth))
		return scuot_err_set(e, SCUOT_EUSAGE, "--bandwidth must be finite and > 0 (got %g)",
		                     o->bandwidth);
	if (o->emd_max_cells < 0 || o->emd_max_cells == 1)
		return scuot_err_set(e, SCUOT_EUSAGE,
		                     "--emd-max-cells must be 0 (no cap) or at least 2 (got %lld)",
		                     (long long)o->emd_max_cells);
	if (o->baseline_pairs < 0)
		return scuot_err_set(e, SCUOT_EUSAGE, "--baseline-pairs must be >= 1 (got %lld)",
		                     (long long)o->baseline_pairs);
	return 0;
}

const char *scuot_eval_metric_name(int metric)
{
	return metric >= 0 && metric < SCUOT_EVAL_NMETRIC ? metric_names[metric] : "unknown";
}

int scuot_eval_metric_parse(const char *s)
{
	for (int k = 0; k < SCUOT_EVAL_NMETRIC; k++)
		if (!strcmp(s, metric_names[k]))
			return k;
	return -1;
}

int scuot_eval_metrics_parse(const char *list, unsigned *mask, scuot_err *e)
{
	const char *p = list;
	char name[32];
	*mask = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		int k = -1;
		if (len > 0 && len < sizeof name) {
			memcpy(name, p, len);
			name[len] = 0;
			k = scuot_eval_metric_parse(name);
		}
		if (k < 0)
			return scuot_err_set(e, SCUOT_EUSAGE,
			                     "--metrics: '%.*s' is not one of mmd_rff, mmd, emd, emd2",
			                     (int)len, p);
		*mask |= 1u << k;
		p += len;
		if (*p == ',')
			p++;
	}
	if (!*mask)
		return scuot_err_set(e, SCUOT_EUSAGE, "--metrics: empty list");
	return 0;
}

/* Check a population and fill its normalised weights' sum. */
static int pop_check(const scuot_eval_pop *p, int64_t d, double *wsum, scuot_err *e)
{
	int ret;
	if (p->n < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: no cells", p->name);
	if ((ret = scuot_kern_weights_check(p->w, p->n, p->name, wsum, e)))
		return ret;
	for (int64_t i = 0; i < p->n * d; i++)
		if (!isfinite(p->x[i]))
			return scuot_err_set(e, SCUOT_EINPUT,
			                     "%s: cell %lld has a non-finite coordinate (%g)", p->name,
			                     (long long)(i / d), p->x[i]);
	return 0;
}

/* Copy of a population into owned arrays x, w (w NULL when uniform). */
static int pop_copy(const scuot_eval_pop *p, int64_t d, scuot_eval_pop *q, double **x, double **w,
                    scuot_err *e)
{
	*q = *p;
	*x = scuot_alloc((size_t)(p->n * d), sizeof(double), 0, "population copy", e);
	*w = NULL;
	if (!*x)
		return e->code;
	memcpy(*x, p->x, sizeof(double) * (size_t)(p->n * d));
	if (p->w) {
		if (!(*w = scuot_alloc((size_t)p->n, sizeof(double), 0, "population weights", e)))
			return e->code;
		memcpy(*w, p->w, sizeof(double) * (size_t)p->n);
	}
	q->x = *x, q->w = *w;
	return 0;
}

static void emd_pop_clear(emd_pop *p)
{
	free(p->x);
	free(p->w);
	memset(p, 0, sizeof *p);
}

/* Prepare p for EMD: above the cap, a weighted subsample of cap draws with replacement (probability
 * proportional to the weight; the distinct cells drawn keep their draw counts as weights), from the
 * stream (seed, SUB_STREAM + id), so the subsample is an unbiased sample of the weighted population;
 * coordinates multiplied by the scale factors when given. */
static int emd_prepare(const scuot_eval *ev, const scuot_eval_pop *p, emd_pop *out, scuot_err *e)
{
	int64_t d = ev->d, cap = ev->o.emd_max_cells, n = p->n, k = 0;
	gsl_ran_discrete_t *tab = NULL;
	gsl_rng *r = NULL;
	unsigned *cnt = NULL;
	double *pw = NULL;
	int ret = 0;
	memset(out, 0, sizeof *out);
	if (cap > 0 && n > cap) {
		if (!(pw = scuot_alloc((size_t)n, sizeof(double), 0, "subsample weights", e)) ||
		    !(cnt = scuot_alloc((size_t)n, sizeof(unsigned), 1, "subsample counts", e)) ||
		    !(r = scuot_rng_new(ev->o.seed, SUB_STREAM + p->id, e))) {
			ret = e->code;
			goto done;
		}
		for (int64_t i = 0; i < n; i++)
			pw[i] = p->w ? p->w[i] : 1.0;
		if (!(tab = gsl_ran_discrete_preproc((size_t)n, pw))) {
			ret = scuot_err_set(e, SCUOT_ENOMEM, "%s: cannot set up the EMD subsample", p->name);
			goto done;
		}
		for (int64_t t = 0; t < cap; t++)
			cnt[gsl_ran_discrete(r, tab)]++;
		for (int64_t i = 0; i < n; i++)
			k += cnt[i] > 0;
		scuot_log_info("EMD: %s has %lld cells, more than --emd-max-cells %lld: weighted subsample "
		               "of %lld draws "
		               "(%lld distinct cells)",
		               p->name, (long long)n, (long long)cap, (long long)cap, (long long)k);
	} else {
		k = n;
	}
	if (!(out->x = scuot_alloc((size_t)(k * d), sizeof(double), 0, "EMD points", e)) ||
	    !(out->w = scuot_alloc((size_t)k, sizeof(double), 0, "EMD weights", e))) {
		ret = e->code;
		goto done;
	}
	out->n = k;
	for (int64_t i = 0, o = 0; i < n; i++) {
		if (cnt && !cnt[i])
			continue;
		for (int64_t c = 0; c < d; c++)
			out->x[o * d + c] = p->x[i * d + c] * (ev->scale ? ev->scale[c] : 1.0);
		out->w[o] = cnt ? (double)cnt[i] : p->w ? p->w[i] : 1.0;
		o++;
	}
done:
	if (ret)
		emd_pop_clear(out);
	gsl_ran_discrete_free(tab);
	gsl_rng_free(r);
	free(cnt);
	free(pw);
	return ret;
}

static int emd_between(const scuot_eval *ev, int metric, const emd_pop *a, const emd_pop *b, double *v,
                       scuot_err *e)
{
	double c;
	int ret = scuot_emd_distance(a->x, a->n, a->w, b->x, b->n, b->w, ev->d,
	                             metric == SCUOT_EVAL_EMD ? SCUOT_COST_EUCLIDEAN : SCUOT_COST_SQEUCLIDEAN,
	                             &c, e);
	if (ret)
		return ret;
	/* W2 = sqrt of the optimal squared-Euclidean cost; W1 is the optimal Euclidean cost itself */
	*v = metric == SCUOT_EVAL_EMD2 ? sqrt(c > 0 ? c : 0) : c;
	return 0;
}

/* mmd_rff between p and q; mu_p (draws x D) given when already known (the truth). */
static int rff_between(const scuot_eval *ev, const scuot_eval_pop *p, const double *mu_p,
                       const scuot_eval_pop *q, double *value, double *sd, scuot_err *e)
{
	int64_t D = ev->o.rff_features, R = ev->o.rff_draws;
	double *mu = scuot_alloc((size_t)D, 2 * sizeof(double), 0, "mean embeddings", e), s1 = 0, s2 = 0;
	int ret = 0;
	if (!mu)
		return e->code;
	for (int64_t r = 0; r < R; r++) {
		double v = 0;
		const double *a = mu_p ? mu_p + r * D : mu;
		if ((!mu_p && (ret = scuot_kern_rff_embed(ev->rff[r], p->x, p->n, p->w, mu, e))) ||
		    (ret = scuot_kern_rff_embed(ev->rff[r], q->x, q->n, q->w, mu + D, e)))
			goto done;
		for (int64_t k = 0; k < D; k++)
			v += (a[k] - mu[D + k]) * (a[k] - mu[D + k]);
		v = sqrt(v);
		s1 += v, s2 += v * v;
	}
	*value = s1 / (double)R;
	*sd = R > 1 ? sqrt(fmax(0, (s2 - s1 * s1 / (double)R) / (double)(R - 1))) : 0;
done:
	free(mu);
	return ret;
}

/* Exact MMD; kpp = normalised self-sum of p when known (NaN otherwise). */
static int mmd_between(const scuot_eval *ev, const scuot_eval_pop *p, double kpp, const scuot_eval_pop *q,
                       double *value, scuot_err *e)
{
	double sp, sq, kqq, kpq, v;
	int ret;
	if ((ret = scuot_kern_weights_check(p->w, p->n, p->name, &sp, e)) ||
	    (ret = scuot_kern_weights_check(q->w, q->n, q->name, &sq, e)))
		return ret;
	if (isnan(kpp)) {
		if ((ret = scuot_kern_gauss_sum(p->x, p->n, p->w, p->x, p->n, p->w, ev->d, ev->sigma, &kpp,
		                                e)))
			return ret;
		kpp /= sp * sp;
	}
	if ((ret = scuot_kern_gauss_sum(q->x, q->n, q->w, q->x, q->n, q->w, ev->d, ev->sigma, &kqq, e)) ||
	    (ret = scuot_kern_gauss_sum(p->x, p->n, p->w, q->x, q->n, q->w, ev->d, ev->sigma, &kpq, e)))
		return ret;
	v = kpp + kqq / (sq * sq) - 2 * kpq / (sp * sq);
	*value = sqrt(v > 0 ? v : 0);
	return 0;
}

int scuot_eval_distance(scuot_eval *ev, int metric, const scuot_eval_pop *p, const scuot_eval_pop *q,
                        double *value, double *sd, scuot_err *e)
{
	emd_pop a = {0}, b = {0};
	int ret;
	*sd = NAN;
	if ((ret = pop_check(p, ev->d, NULL, e)) || (ret = pop_check(q, ev->d, NULL, e)))
		return ret;
	switch (metric) {
	case SCUOT_EVAL_MMD_RFF: return rff_between(ev, p, NULL, q, value, sd, e);
	case SCUOT_EVAL_MMD: return mmd_between(ev, p, NAN, q, value, e);
	case SCUOT_EVAL_EMD:
	case SCUOT_EVAL_EMD2:
		if (!(ret = emd_prepare(ev, p, &a, e)) && !(ret = emd_prepare(ev, q, &b, e)))
			ret = emd_between(ev, metric, &a, &b, value, e);
		emd_pop_clear(&a);
		emd_pop_clear(&b);
		return ret;
	default: return scuot_err_set(e, SCUOT_EUSAGE, "unknown metric %d", metric);
	}
}

scuot_eval *scuot_eval_new(const scuot_eval_opts *o, int64_t d, const scuot_eval_pop *truth,
                           const scuot_eval_pop *source, const scuot_eval_pop *target,
                           const double *emd_scale, scuot_err *e)
{
	scuot_eval *ev = NULL;
	double sw;
	int64_t D = o->rff_features;
	if (scuot_eval_opts_check(o, e))
		return NULL;
	if (d < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "scoring needs at least one dimension"), NULL;
	if (pop_check(truth, d, &sw, e) || pop_check(source, d, NULL, e) || pop_check(target, d, NULL, e))
		return NULL;
	if (!(ev = scuot_alloc(1, sizeof *ev, 1, "scorer", e)))
		return NULL;
	ev->o = *o, ev->d = d;
	ev->sigma = o->bandwidth > 0 ? o->bandwidth : sqrt((double)d);
	for (int k = 0; k < SCUOT_EVAL_NMETRIC; k++)
		ev->st[k] = NAN;
	if (pop_copy(truth, d, &ev->truth, &ev->tx, &ev->tw, e) ||
	    pop_copy(source, d, &ev->source, &ev->sx, &ev->sw, e) ||
	    pop_copy(target, d, &ev->target, &ev->gx, &ev->gw, e))
		goto fail;
	if (emd_scale) {
		if (!(ev->scale = scuot_alloc((size_t)d, sizeof(double), 0, "EMD scale", e)))
			goto fail;
		for (int64_t k = 0; k < d; k++) {
			if (!isfinite(emd_scale[k]) || emd_scale[k] <= 0) {
				scuot_err_set(e, SCUOT_EINPUT,
				              "EMD scale factor %lld is %g; factors must be finite and > 0",
				              (long long)k, emd_scale[k]);
				goto fail;
			}
			ev->scale[k] = emd_scale[k];
		}
	}
	if (o->metrics & 1u << SCUOT_EVAL_MMD_RFF) {
		if (!(ev->rff = scuot_alloc((size_t)o->rff_draws, sizeof *ev->rff, 1, "feature draws", e)) ||
		    !(ev->mu_truth = scuot_alloc((size_t)o->rff_draws, (size_t)D * sizeof(double), 0,
		                                 "truth embeddings", e)))
			goto fail;
		for (int r = 0; r < o->rff_draws; r++)
			if (!(ev->rff[r] = scuot_kern_rff_new(d, D, ev->sigma, o->seed,
			                                      RFF_STREAM + (uint64_t)r, e)) ||
			    scuot_kern_rff_embed(ev->rff[r], ev->truth.x, ev->truth.n, ev->truth.w,
			                         ev->mu_truth + r * D, e))
				goto fail;
	}
	if (o->metrics & 1u << SCUOT_EVAL_MMD) {
		if (scuot_kern_gauss_sum(ev->truth.x, ev->truth.n, ev->truth.w, ev->truth.x, ev->truth.n,
		                         ev->truth.w, d, ev->sigma, &ev->k_truth, e))
			goto fail;
		ev->k_truth /= sw * sw;
	}
	if ((o->metrics & (1u << SCUOT_EVAL_EMD | 1u << SCUOT_EVAL_EMD2)) &&
	    emd_prepare(ev, &ev->truth, &ev->emd_truth, e))
		goto fail;
	for (int k = 0; k < SCUOT_EVAL_NMETRIC; k++) {
		double sd;
		if ((o->metrics & 1u << k) &&
		    scuot_eval_distance(ev, k, &ev->source, &ev->target, &ev->st[k], &sd, e))
			goto fail;
		if ((o->metrics & 1u << k) && !(ev->st[k] > 0))
			scuot_log_warning("%s between %s and %s is %g: normalised values are undefined (NA)",
			                  metric_names[k], source->name, target->name, ev->st[k]);
	}
	return ev;
fail:
	scuot_eval_free(ev);
	return NULL;
}

void scuot_eval_free(scuot_eval *ev)
{
	if (!ev)
		return;
	if (ev->rff)
		for (int r = 0; r < ev->o.rff_draws; r++)
			scuot_kern_rff_free(ev->rff[r]);
	free(ev->rff);
	free(ev->mu_truth);
	free(ev->scale);
	free(ev->tx);
	free(ev->tw);
	free(ev->sx);
	free(ev->sw);
	free(ev->gx);
	free(ev->gw);
	emd_pop_clear(&ev->emd_truth);
	free(ev);
}

double scuot_eval_bandwidth(const scuot_eval *ev)
{
	return ev->sigma;
}

double scuot_eval_source_target(const scuot_eval *ev, int metric)
{
	return metric >= 0 && metric < SCUOT_EVAL_NMETRIC ? ev->st[metric] : NAN;
}

int scuot_eval_score_pop(scuot_eval *ev, const scuot_eval_pop *p, scuot_eval_score *out, scuot_err *e)
{
	emd_pop a = {0};
	int ret = 0;
	for (int k = 0; k < SCUOT_EVAL_NMETRIC; k++)
		out->value[k] = out->sd[k] = out->normalised[k] = NAN;
	if ((ret = pop_check(p, ev->d, NULL, e)))
		return ret;
	for (int k = 0; k < SCUOT_EVAL_NMETRIC && !ret; k++) {
		if (!(ev->o.metrics & 1u << k))
			continue;
		switch (k) {
		case SCUOT_EVAL_MMD_RFF:
			ret = rff_between(ev, &ev->truth, ev->mu_truth, p, &out->value[k], &out->sd[k], e);
			break;
		case SCUOT_EVAL_MMD:
			ret = mmd_between(ev, &ev->truth, ev->k_truth, p, &out->value[k], e);
			break;
		default:
			if (!a.x && (ret = emd_prepare(ev, p, &a, e)))
				break;
			ret = emd_between(ev, k, &ev->emd_truth, &a, &out->value[k], e);
			break;
		}
		if (!ret && ev->st[k] > 0)
			out->normalised[k] = out->value[k] / ev->st[k];
	}
	emd_pop_clear(&a);
	return ret;
}

int scuot_eval_union(const scuot_eval_pop *source, const scuot_eval_pop *target, int64_t d, double **x,
                     double **w, scuot_err *e)
{
	int64_t n = source->n, m = target->n;
	double sn, sm;
	int ret;
	*x = *w = NULL;
	if ((ret = scuot_kern_weights_check(source->w, n, source->name, &sn, e)) ||
	    (ret = scuot_kern_weights_check(target->w, m, target->name, &sm, e)))
		return ret;
	if (!(*x = scuot_alloc((size_t)((n + m) * d), sizeof(double), 0, "union baseline", e)) ||
	    !(*w = scuot_alloc((size_t)(n + m), sizeof(double), 0, "union baseline weights", e))) {
		free(*x);
		*x = NULL;
		return e->code;
	}
	memcpy(*x, source->x, sizeof(double) * (size_t)(n * d));
	memcpy(*x + n * d, target->x, sizeof(double) * (size_t)(m * d));
	for (int64_t i = 0; i < n; i++)
		(*w)[i] = 0.5 * (source->w ? source->w[i] : 1.0) / sn;
	for (int64_t j = 0; j < m; j++)
		(*w)[n + j] = 0.5 * (target->w ? target->w[j] : 1.0) / sm;
	return 0;
}

int scuot_eval_independent(const scuot_eval_pop *source, const scuot_eval_pop *target, int64_t d, double s,
                           int64_t npairs, uint64_t seed, uint64_t stream, double **x, scuot_err *e)
{
	gsl_ran_discrete_t *ts = NULL, *tt = NULL;
	gsl_rng *r = NULL;
	double *ws = NULL, *wt = NULL;
	int ret = 0;
	*x = NULL;
	if (!(s >= 0 && s <= 1))
		return scuot_err_set(e, SCUOT_EUSAGE, "independent baseline: s = %g is not in [0, 1]", s);
	if (npairs < 1)
		return scuot_err_set(e, SCUOT_EUSAGE, "independent baseline: %lld pairs", (long long)npairs);
	if ((ret = scuot_kern_weights_check(source->w, source->n, source->name, NULL, e)) ||
	    (ret = scuot_kern_weights_check(target->w, target->n, target->name, NULL, e)))
		return ret;
	if (!(*x = scuot_alloc((size_t)(npairs * d), sizeof(double), 0, "independent baseline", e)) ||
	    !(ws = scuot_alloc((size_t)source->n, sizeof(double), 0, "source weights", e)) ||
	    !(wt = scuot_alloc((size_t)target->n, sizeof(double), 0, "target weights", e)) ||
	    !(r = scuot_rng_new(seed, stream, e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t i = 0; i < source->n; i++)
		ws[i] = source->w ? source->w[i] : 1.0;
	for (int64_t j = 0; j < target->n; j++)
		wt[j] = target->w ? target->w[j] : 1.0;
	if (!(ts = gsl_ran_discrete_preproc((size_t)source->n, ws)) ||
	    !(tt = gsl_ran_discrete_preproc((size_t)target->n, wt))) {
		ret = scuot_err_set(e, SCUOT_ENOMEM, "independent baseline: cannot set up the sampler");
		goto done;
	}
	/* pair k: i from the source, then j from the target, on one stream in order */
	for (int64_t k = 0; k < npairs; k++) {
		size_t i = gsl_ran_discrete(r, ts), j = gsl_ran_discrete(r, tt);
		const double *xi = source->x + i * (size_t)d, *yj = target->x + j * (size_t)d;
		for (int64_t c = 0; c < d; c++)
			(*x)[k * d + c] = (1 - s) * xi[c] + s * yj[c];
	}
done:
	if (ret) {
		free(*x);
		*x = NULL;
	}
	gsl_ran_discrete_free(ts);
	gsl_ran_discrete_free(tt);
	gsl_rng_free(r);
	free(ws);
	free(wt);
	return ret;
}
