/* gmm.c -- Gaussian mixtures by EM (Dempster, Laird, Rubin 1977; Bishop 2006, Sec. 9.2.2) from k-means++
 * starts (Arthur and Vassilvitskii 2007), BIC model choice (Schwarz 1978), log density, gradient, sampling. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/log.h"
#include "core/mat.h"
#include "core/rng.h"
#include "dens/gmm.h"

#define LOG2PI 1.8378770664093454836

void scuot_gmm_opts_init(scuot_gmm_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->kmin = 1;
	o->kmax = 8;
	o->full = 1;
	o->max_iter = 200;
	o->tol = 1e-6;
	o->reg = 1e-6;
	o->n_init = 2;
	o->seed = 1;
}

int scuot_gmm_opts_check(const scuot_gmm_opts *o, scuot_err *e)
{
	if (o->kmin < 1)
		return scuot_err_set(e, SCUOT_EUSAGE, "Gaussian mixture: the smallest number of components %d is not "
		                     "positive", o->kmin);
	if (o->kmax < o->kmin)
		return scuot_err_set(e, SCUOT_EUSAGE, "Gaussian mixture: the largest number of components %d is below "
		                     "the smallest %d", o->kmax, o->kmin);
	if (o->max_iter < 1 || o->n_init < 1)
		return scuot_err_set(e, SCUOT_EUSAGE, "Gaussian mixture: iterations (%d) and starts (%d) must be "
		                     "positive", o->max_iter, o->n_init);
	if (!(o->tol >= 0) || !(o->reg >= 0))
		return scuot_err_set(e, SCUOT_EUSAGE, "Gaussian mixture: tolerance %g and regularisation %g must be "
		                     "non-negative", o->tol, o->reg);
	return 0;
}

void scuot_gmm_free(scuot_gmm *g)
{
	if (!g)
		return;
	free(g->pi);
	free(g->mu);
	free(g->cov);
	free(g->chol);
	free(g->linv);
	free(g->lnorm);
	free(g);
}

static scuot_gmm *gmm_alloc(int k, int64_t d, int full, scuot_err *e)
{
	scuot_gmm *g = calloc(1, sizeof(*g));
	size_t cs = (size_t)k * (size_t)(full ? d * d : d);
	if (!g) {
		scuot_err_set(e, SCUOT_ENOMEM, "out of memory for a Gaussian mixture");
		return NULL;
	}
	g->k = k, g->d = d, g->full = full;
	if (!(g->pi = scuot_alloc((size_t)k, sizeof(double), 1, "mixture weights", e)) ||
	    !(g->mu = scuot_alloc((size_t)k * (size_t)d, sizeof(double), 1, "mixture means", e)) ||
	    !(g->cov = scuot_alloc(cs, sizeof(double), 1, "mixture covariances", e)) ||
	    !(g->chol = scuot_alloc(cs, sizeof(double), 1, "mixture covariances", e)) ||
	    !(g->linv = scuot_alloc(cs, sizeof(double), 1, "mixture covariances", e)) ||
	    !(g->lnorm = scuot_alloc((size_t)k, sizeof(double), 1, "mixture constants", e))) {
		scuot_gmm_free(g);
		return NULL;
	}
	return g;
}

/* Cholesky factor L (lower) of the d x d matrix a and its inverse; returns log det L, or NAN when a is not
 * positive definite. */
static double chol_inv(const double *a, int64_t d, double *l, double *li)
{
	double ld = 0;
	memset(l, 0, sizeof(double) * (size_t)(d * d));
	memset(li, 0, sizeof(double) * (size_t)(d * d));
	for (int64_t j = 0; j < d; j++) {
		double s = a[j * d + j];
		for (int64_t q = 0; q < j; q++)
			s -= l[j * d + q] * l[j * d + q];
		if (!(s > 0))
			return NAN;
		double ljj = sqrt(s);
		l[j * d + j] = ljj;
		ld += log(ljj);
		for (int64_t i = j + 1; i < d; i++) {
			double t = a[i * d + j];
			for (int64_t q = 0; q < j; q++)
				t -= l[i * d + q] * l[j * d + q];
			l[i * d + j] = t / ljj;
		}
	}
	/* L^-1 by forward substitution, column by column */
	for (int64_t c = 0; c < d; c++)
		for (int64_t i = c; i < d; i++) {
			double t = i == c ? 1 : 0;
			for (int64_t q = c; q < i; q++)
				t -= l[i * d + q] * li[q * d + c];
			li[i * d + c] = t / l[i * d + i];
		}
	return ld;
}

/* chol, linv and lnorm from pi and cov; SCUOT_ENUMERIC naming the component that is not positive definite. */
static int gmm_factor(scuot_gmm *g, scuot_err *e)
{
	int64_t d = g->d;
	for (int c = 0; c < g->k; c++) {
		double ld = 0;
		if (g->full) {
			size_t o = (size_t)c * (size_t)(d * d);
			ld = chol_inv(g->cov + o, d, g->chol + o, g->linv + o);
		} else {
			for (int64_t q = 0; q < d; q++) {
				double v = g->cov[c * d + q];
				if (!(v > 0)) {
					ld = NAN;
					break;
				}
				g->chol[c * d + q] = sqrt(v);
				g->linv[c * d + q] = 1 / sqrt(v);
				ld += 0.5 * log(v);
			}
		}
		if (isnan(ld))
			return scuot_err_set(e, SCUOT_ENUMERIC, "Gaussian mixture: the covariance of component %d is not "
			                     "positive definite", c);
		g->lnorm[c] = log(g->pi[c]) - ld - 0.5 * (double)d * LOG2PI;
	}
	return 0;
}

/* y = L_c^-1 (x - mu_c), returns |y|^2 / 2. */
static double gmm_maha(const scuot_gmm *g, int c, const double *x, double *y)
{
	int64_t d = g->d;
	const double *mu = g->mu + c * d;
	double s = 0;
	if (g->full) {
		const double *li = g->linv + (size_t)c * (size_t)(d * d);
		for (int64_t i = 0; i < d; i++) {
			double t = 0;
			for (int64_t q = 0; q <= i; q++)
				t += li[i * d + q] * (x[q] - mu[q]);
			y[i] = t;
			s += t * t;
		}
	} else {
		for (int64_t q = 0; q < d; q++) {
			y[q] = (x[q] - mu[q]) * g->linv[c * d + q];
			s += y[q] * y[q];
		}
	}
	return 0.5 * s;
}

int scuot_gmm_new(scuot_gmm **out, int k, int64_t d, int full, const double *pi, const double *mu,
                  const double *cov, scuot_err *e)
{
	*out = NULL;
	if (k < 1 || d < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "Gaussian mixture: %d components in %lld dimensions", k,
		                     (long long)d);
	scuot_gmm *g = gmm_alloc(k, d, full, e);
	if (!g)
		return e->code;
	double tot = 0;
	for (int c = 0; c < k; c++) {
		if (!(pi[c] >= 0)) {
			scuot_gmm_free(g);
			return scuot_err_set(e, SCUOT_EINPUT, "Gaussian mixture: weight %d is %g", c, pi[c]);
		}
		tot += pi[c];
	}
	if (!(tot > 0)) {
		scuot_gmm_free(g);
		return scuot_err_set(e, SCUOT_EINPUT, "Gaussian mixture: the weights sum to %g", tot);
	}
	for (int c = 0; c < k; c++)
		g->pi[c] = pi[c] / tot;
	memcpy(g->mu, mu, sizeof(double) * (size_t)(k * d));
	memcpy(g->cov, cov, sizeof(double) * (size_t)k * (size_t)(full ? d * d : d));
	int ret = gmm_factor(g, e);
	if (ret) {
		scuot_gmm_free(g);
		if (ret == SCUOT_ENUMERIC)
			e->code = ret = SCUOT_EINPUT; /* a given covariance: the caller's input */
		return ret;
	}
	*out = g;
	return 0;
}

int64_t scuot_gmm_nparams(const scuot_gmm *g)
{
	int64_t d = g->d;
	return (g->k - 1) + g->k * d + g->k * (g->full ? d * (d + 1) / 2 : d);
}

/* The log of each component's term at x into lc (k); returns log p(x). */
static double gmm_terms(const scuot_gmm *g, const double *x, double *lc, double *y)
{
	double mx = -INFINITY, s = 0;
	for (int c = 0; c < g->k; c++) {
		lc[c] = g->lnorm[c] - gmm_maha(g, c, x, y);
		if (lc[c] > mx)
			mx = lc[c];
	}
	if (mx == -INFINITY)
		return mx;
	for (int c = 0; c < g->k; c++)
		s += exp(lc[c] - mx);
	return mx + log(s);
}

void scuot_gmm_logpdf(const scuot_gmm *g, const double *x, int64_t n, double *logp, double *grad)
{
	int64_t d = g->d;
	double lc[64], *lcp = g->k <= 64 ? lc : malloc(sizeof(double) * (size_t)g->k);
	double yb[64], *y = d <= 64 ? yb : malloc(sizeof(double) * (size_t)d);
	if (!lcp || !y) { /* no memory for the work rows of a very large mixture */
		for (int64_t i = 0; i < n; i++)
			logp[i] = NAN;
		goto done;
	}
	for (int64_t i = 0; i < n; i++) {
		const double *xi = x + i * d;
		double lp = gmm_terms(g, xi, lcp, y);
		logp[i] = lp;
		if (!grad)
			continue;
		double *gi = grad + i * d;
		memset(gi, 0, sizeof(double) * (size_t)d);
		for (int c = 0; c < g->k; c++) {
			double r = exp(lcp[c] - lp);
			if (!(r > 0))
				continue;
			gmm_maha(g, c, xi, y);
			/* grad log N = -Sigma^-1 (x - mu) = -L^-T y */
			if (g->full) {
				const double *li = g->linv + (size_t)c * (size_t)(d * d);
				for (int64_t i2 = 0; i2 < d; i2++)
					for (int64_t q = 0; q <= i2; q++)
						gi[q] -= r * li[i2 * d + q] * y[i2];
			} else {
				for (int64_t q = 0; q < d; q++)
					gi[q] -= r * g->linv[c * d + q] * y[q];
			}
		}
	}
done:
	if (lcp != lc)
		free(lcp);
	if (y != yb)
		free(y);
}

void scuot_gmm_sample(const scuot_gmm *g, gsl_rng *rng, int64_t n, double *x, int *comp)
{
	int64_t d = g->d;
	for (int64_t i = 0; i < n; i++) {
		double u = gsl_rng_uniform(rng), acc = 0;
		int c = g->k - 1;
		for (int q = 0; q < g->k; q++) {
			acc += g->pi[q];
			if (u < acc) {
				c = q;
				break;
			}
		}
		double *xi = x + i * d;
		const double *mu = g->mu + c * d;
		if (g->full) {
			const double *l = g->chol + (size_t)c * (size_t)(d * d);
			double zb[64], *z = d <= 64 ? zb : xi; /* d > 64: draw into xi then transform in place backwards */
			for (int64_t q = 0; q < d; q++)
				z[q] = gsl_ran_gaussian_ziggurat(rng, 1.0);
			for (int64_t r = d - 1; r >= 0; r--) { /* backwards: xi[r] uses z[0..r] only */
				double t = 0;
				for (int64_t q = 0; q <= r; q++)
					t += l[r * d + q] * z[q];
				xi[r] = mu[r] + t;
			}
		} else {
			for (int64_t q = 0; q < d; q++)
				xi[q] = mu[q] + g->chol[c * d + q] * gsl_ran_gaussian_ziggurat(rng, 1.0);
		}
		if (comp)
			comp[i] = c;
	}
}

/* ---- EM ---- */

typedef struct {
	const double *x;
	double *w;       /* weights scaled to sum n */
	int64_t n, d;
	double regv;     /* variance added to every covariance diagonal */
	double *resp;    /* n x k responsibilities */
	double *work;    /* k + d */
} em_data;

/* k-means++ seeding (weights w D^2) then 10 weighted Lloyd iterations; hard responsibilities into resp. */
static void kmeanspp(em_data *s, int k, gsl_rng *rng, double *ctr, double *dist, int *lab)
{
	int64_t n = s->n, d = s->d;
	double tot = 0;
	for (int64_t i = 0; i < n; i++)
		tot += s->w[i];
	for (int c = 0; c < k; c++) {
		int64_t pick = n - 1;
		double u = gsl_rng_uniform(rng), acc = 0, z = 0;
		if (c == 0) {
			for (int64_t i = 0; i < n; i++)
				if ((acc += s->w[i] / tot) > u) {
					pick = i;
					break;
				}
		} else {
			for (int64_t i = 0; i < n; i++)
				z += s->w[i] * dist[i];
			if (z > 0) {
				for (int64_t i = 0; i < n; i++)
					if ((acc += s->w[i] * dist[i] / z) > u) {
						pick = i;
						break;
					}
			} else {
				pick = (int64_t)gsl_rng_uniform_int(rng, (unsigned long)n);
			}
		}
		memcpy(ctr + c * d, s->x + pick * d, sizeof(double) * (size_t)d);
		for (int64_t i = 0; i < n; i++) {
			double t = 0;
			for (int64_t q = 0; q < d; q++) {
				double u2 = s->x[i * d + q] - ctr[c * d + q];
				t += u2 * u2;
			}
			if (c == 0 || t < dist[i])
				dist[i] = t;
		}
	}
	for (int it = 0; it < 10; it++) {
		for (int64_t i = 0; i < n; i++) {
			double best = INFINITY;
			for (int c = 0; c < k; c++) {
				double t = 0;
				for (int64_t q = 0; q < d; q++) {
					double u2 = s->x[i * d + q] - ctr[c * d + q];
					t += u2 * u2;
				}
				if (t < best)
					best = t, lab[i] = c;
			}
		}
		for (int c = 0; c < k; c++) { /* new centres; an empty cluster keeps its centre */
			double wc = 0;
			for (int64_t i = 0; i < n; i++)
				if (lab[i] == c)
					wc += s->w[i];
			if (!(wc > 0))
				continue;
			for (int64_t q = 0; q < d; q++) {
				double t = 0;
				for (int64_t i = 0; i < n; i++)
					if (lab[i] == c)
						t += s->w[i] * s->x[i * d + q];
				ctr[c * d + q] = t / wc;
			}
		}
	}
	for (int64_t i = 0; i < n; i++)
		for (int c = 0; c < k; c++)
			s->resp[i * k + c] = lab[i] == c;
}

/* M step: pi, mu, cov from the responsibilities.  A component with no weight is restarted at the data mean
 * with the data's variances and a small weight. */
static void m_step(em_data *s, scuot_gmm *g)
{
	int64_t n = s->n, d = s->d;
	int k = g->k;
	double tot = 0;
	for (int64_t i = 0; i < n; i++)
		tot += s->w[i];
	for (int c = 0; c < k; c++) {
		double nc = 0;
		double *mu = g->mu + c * d;
		for (int64_t i = 0; i < n; i++)
			nc += s->w[i] * s->resp[i * k + c];
		int empty = !(nc > 1e-10 * tot);
		double *cov = g->full ? g->cov + (size_t)c * (size_t)(d * d) : g->cov + c * d;
		memset(mu, 0, sizeof(double) * (size_t)d);
		memset(cov, 0, sizeof(double) * (size_t)(g->full ? d * d : d));
		double wsum = empty ? tot : nc;
		for (int64_t i = 0; i < n; i++) {
			double r = s->w[i] * (empty ? 1 : s->resp[i * k + c]) / wsum;
			for (int64_t q = 0; q < d; q++)
				mu[q] += r * s->x[i * d + q];
		}
		for (int64_t i = 0; i < n; i++) {
			double r = s->w[i] * (empty ? 1 : s->resp[i * k + c]) / wsum;
			if (!(r > 0))
				continue;
			const double *xi = s->x + i * d;
			if (g->full) {
				for (int64_t a = 0; a < d; a++)
					for (int64_t b = 0; b <= a; b++)
						cov[a * d + b] += r * (xi[a] - mu[a]) * (xi[b] - mu[b]);
			} else {
				for (int64_t q = 0; q < d; q++)
					cov[q] += r * (xi[q] - mu[q]) * (xi[q] - mu[q]);
			}
		}
		if (g->full) {
			for (int64_t a = 0; a < d; a++) {
				for (int64_t b = 0; b < a; b++)
					cov[b * d + a] = cov[a * d + b];
				cov[a * d + a] += s->regv;
			}
		} else {
			for (int64_t q = 0; q < d; q++)
				cov[q] += s->regv;
		}
		g->pi[c] = empty ? 1e-10 : nc / tot;
	}
	double ps = 0;
	for (int c = 0; c < k; c++)
		ps += g->pi[c];
	for (int c = 0; c < k; c++)
		g->pi[c] /= ps;
}

/* E step: responsibilities; returns sum_i w_i log p(x_i). */
static double e_step(em_data *s, const scuot_gmm *g)
{
	int k = g->k;
	double ll = 0, *lc = s->work, *y = s->work + k;
	for (int64_t i = 0; i < s->n; i++) {
		double lp = gmm_terms(g, s->x + i * s->d, lc, y);
		ll += s->w[i] * lp;
		for (int c = 0; c < k; c++)
			s->resp[i * k + c] = exp(lc[c] - lp);
	}
	return ll;
}

static int fit_k(scuot_gmm **out, em_data *s, int k, const scuot_gmm_opts *o, scuot_err *e)
{
	int64_t n = s->n, d = s->d;
	scuot_gmm *best = NULL, *g = NULL;
	double *ctr = NULL, *dist = NULL;
	int *lab = NULL, ret = 0;
	gsl_rng *rng = NULL;
	*out = NULL;
	if (!(ctr = scuot_alloc((size_t)k * (size_t)d, sizeof(double), 0, "k-means centres", e)) ||
	    !(dist = scuot_alloc((size_t)n, sizeof(double), 0, "k-means distances", e)) ||
	    !(lab = scuot_alloc((size_t)n, sizeof(int), 0, "k-means labels", e)) ||
	    !(rng = scuot_rng_new(o->seed, 0x6d6d0000u + (uint64_t)k, e))) {
		ret = e->code;
		goto done;
	}
	for (int start = 0; start < o->n_init; start++) {
		if (!(g = gmm_alloc(k, d, o->full, e))) {
			ret = e->code;
			goto done;
		}
		kmeanspp(s, k, rng, ctr, dist, lab);
		m_step(s, g);
		if ((ret = gmm_factor(g, e)))
			goto done;
		double prev = -INFINITY, ll = -INFINITY;
		int it;
		for (it = 1; it <= o->max_iter; it++) {
			ll = e_step(s, g);
			m_step(s, g);
			if ((ret = gmm_factor(g, e)))
				goto done;
			if (fabs(ll - prev) / (double)n < o->tol) {
				g->converged = 1;
				break;
			}
			prev = ll;
		}
		g->loglik = e_step(s, g); /* of the final parameters */
		g->iterations = it > o->max_iter ? o->max_iter : it;
		g->bic = -2 * g->loglik + (double)scuot_gmm_nparams(g) * log((double)n);
		if (!best || g->loglik > best->loglik) {
			scuot_gmm_free(best);
			best = g;
		} else {
			scuot_gmm_free(g);
		}
		g = NULL;
	}
	*out = best;
	best = NULL;
done:
	scuot_gmm_free(g);
	scuot_gmm_free(best);
	free(ctr);
	free(dist);
	free(lab);
	gsl_rng_free(rng);
	return ret;
}

/* Weights scaled to sum n and the regularising variance; checks the data. */
static int em_setup(em_data *s, const double *x, const double *wt, int64_t n, int64_t d, int kmax,
                    const scuot_gmm_opts *o, scuot_err *e)
{
	memset(s, 0, sizeof(*s));
	s->x = x, s->n = n, s->d = d;
	if (n < 1 || d < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "Gaussian mixture: %lld points in %lld dimensions", (long long)n,
		                     (long long)d);
	if (!(s->w = scuot_alloc((size_t)n, sizeof(double), 0, "mixture data weights", e)) ||
	    !(s->resp = scuot_alloc((size_t)n * (size_t)kmax, sizeof(double), 0, "responsibilities", e)) ||
	    !(s->work = scuot_alloc((size_t)kmax + (size_t)d, sizeof(double), 0, "mixture work", e)))
		return e->code;
	double tot = 0;
	for (int64_t i = 0; i < n; i++) {
		double wi = wt ? wt[i] : 1;
		if (!(wi >= 0) || !isfinite(wi))
			return scuot_err_set(e, SCUOT_EINPUT, "Gaussian mixture: point %lld has weight %g", (long long)i,
			                     wi);
		for (int64_t q = 0; q < d; q++)
			if (!isfinite(x[i * d + q]))
				return scuot_err_set(e, SCUOT_EINPUT, "Gaussian mixture: point %lld coordinate %lld is %g",
				                     (long long)i, (long long)q, x[i * d + q]);
		s->w[i] = wi;
		tot += wi;
	}
	if (!(tot > 0))
		return scuot_err_set(e, SCUOT_EINPUT, "Gaussian mixture: the point weights sum to %g", tot);
	double mv = 0;
	for (int64_t i = 0; i < n; i++)
		s->w[i] *= (double)n / tot;
	for (int64_t q = 0; q < d; q++) {
		double m1 = 0, m2 = 0;
		for (int64_t i = 0; i < n; i++)
			m1 += s->w[i] * x[i * d + q] / (double)n;
		for (int64_t i = 0; i < n; i++)
			m2 += s->w[i] * (x[i * d + q] - m1) * (x[i * d + q] - m1) / (double)n;
		mv += m2 / (double)d;
	}
	s->regv = o->reg * (mv > 0 ? mv : 1);
	if (!(s->regv > 0))
		s->regv = 1e-300; /* reg 0 on spread data: keep factorisations defined */
	return 0;
}

static void em_free(em_data *s)
{
	free(s->w);
	free(s->resp);
	free(s->work);
}

int scuot_gmm_fit(scuot_gmm **out, const double *x, const double *wt, int64_t n, int64_t d, int k,
                  const scuot_gmm_opts *o, scuot_err *e)
{
	em_data s;
	int ret;
	*out = NULL;
	if ((ret = scuot_gmm_opts_check(o, e)))
		return ret;
	if (k < 1 || n < k)
		return scuot_err_set(e, SCUOT_EINPUT, "Gaussian mixture: %d components need at least as many points, "
		                     "given %lld", k, (long long)n);
	if (!(ret = em_setup(&s, x, wt, n, d, k, o, e)))
		ret = fit_k(out, &s, k, o, e);
	em_free(&s);
	return ret;
}

int scuot_gmm_fit_bic(scuot_gmm **out, const double *x, const double *wt, int64_t n, int64_t d,
                      const scuot_gmm_opts *o, double *bic, scuot_err *e)
{
	em_data s;
	scuot_gmm *best = NULL;
	int ret;
	*out = NULL;
	if ((ret = scuot_gmm_opts_check(o, e)))
		return ret;
	int kmax = (int64_t)o->kmax < n ? o->kmax : (int)n;
	if (kmax < o->kmin)
		return scuot_err_set(e, SCUOT_EINPUT, "Gaussian mixture: %d components need at least as many points, "
		                     "given %lld", o->kmin, (long long)n);
	if ((ret = em_setup(&s, x, wt, n, d, kmax, o, e)))
		goto done;
	for (int k = o->kmin; k <= o->kmax; k++) {
		scuot_gmm *g = NULL;
		if (bic)
			bic[k - o->kmin] = INFINITY;
		if (k > kmax)
			continue;
		if ((ret = fit_k(&g, &s, k, o, e)))
			goto done;
		if (bic)
			bic[k - o->kmin] = g->bic;
		scuot_log_debug("Gaussian mixture: %d components, log-likelihood %.6g, BIC %.6g (%d EM iterations)",
		                k, g->loglik, g->bic, g->iterations);
		if (!best || g->bic < best->bic) {
			scuot_gmm_free(best);
			best = g;
		} else {
			scuot_gmm_free(g);
		}
	}
	*out = best;
	best = NULL;
done:
	scuot_gmm_free(best);
	em_free(&s);
	return ret;
}
