/* test_gmm.c -- unit tests of src/lib/dens/gmm: EM recovers the weights, means and covariances of known
 * mixtures (full and diagonal), BIC picks the true number of components, log density and gradient. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "dens/gmm.h"

/* a 2-D mixture of three components with full covariances */
static const double PI3[3] = { 0.2, 0.5, 0.3 };
static const double MU3[6] = { -4, 0, 3, 3, 3, -3 };
static const double COV3[12] = { 1.0, 0.5, 0.5, 1.0, 0.5, -0.2, -0.2, 0.8, 1.5, 0.0, 0.0, 0.3 };

static double *draw(const scuot_gmm *g, int64_t n, uint64_t seed, int *comp)
{
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(seed, 0, &e);
	double *x = malloc(sizeof(double) * (size_t)(n * g->d));
	scuot_gmm_sample(g, r, n, x, comp);
	gsl_rng_free(r);
	return x;
}

/* component of fit nearest to mean mu */
static int match(const scuot_gmm *fit, const double *mu)
{
	int best = 0;
	double bd = INFINITY;
	for (int c = 0; c < fit->k; c++) {
		double t = 0;
		for (int64_t q = 0; q < fit->d; q++)
			t += (fit->mu[c * fit->d + q] - mu[q]) * (fit->mu[c * fit->d + q] - mu[q]);
		if (t < bd)
			bd = t, best = c;
	}
	return best;
}

Test(gmm, recovers_full_mixture)
{
	scuot_err e = { 0 };
	scuot_gmm *truth = NULL, *fit = NULL;
	cr_assert_eq(scuot_gmm_new(&truth, 3, 2, 1, PI3, MU3, COV3, &e), 0, "%s", e.msg);
	int64_t n = 6000;
	double *x = draw(truth, n, 7, NULL);
	scuot_gmm_opts o;
	scuot_gmm_opts_init(&o);
	cr_assert_eq(scuot_gmm_fit(&fit, x, NULL, n, 2, 3, &o, &e), 0, "%s", e.msg);
	cr_assert(fit->converged, "EM did not converge in %d iterations", fit->iterations);
	for (int c = 0; c < 3; c++) {
		int f = match(fit, MU3 + 2 * c);
		cr_assert(fabs(fit->pi[f] - PI3[c]) < 0.02, "weight %d: fitted %.4f, true %.4f", c, fit->pi[f], PI3[c]);
		for (int q = 0; q < 2; q++)
			cr_assert(fabs(fit->mu[f * 2 + q] - MU3[c * 2 + q]) < 0.08, "mean %d.%d: fitted %.4f, true %.4f", c,
			          q, fit->mu[f * 2 + q], MU3[c * 2 + q]);
		for (int q = 0; q < 4; q++)
			cr_assert(fabs(fit->cov[f * 4 + q] - COV3[c * 4 + q]) < 0.12, "covariance %d entry %d: fitted "
			          "%.4f, true %.4f", c, q, fit->cov[f * 4 + q], COV3[c * 4 + q]);
	}
	/* the fitted log-likelihood is at least the truth's on the same data (EM maximises it), and close */
	double *lp = malloc(sizeof(double) * (size_t)n), lt = 0;
	scuot_gmm_logpdf(truth, x, n, lp, NULL);
	for (int64_t i = 0; i < n; i++)
		lt += lp[i];
	cr_assert(fit->loglik >= lt - 1e-6 && fit->loglik < lt + 20, "log-likelihood: fitted %.6f, truth %.6f",
	          fit->loglik, lt);
	free(lp);
	free(x);
	scuot_gmm_free(fit);
	scuot_gmm_free(truth);
}

Test(gmm, recovers_diagonal_mixture_with_weights)
{
	/* 1-D: (1/3) N(-3, 1) + (2/3) N(3, 1), the swfr paper's source; drawn with equal counts and weighted */
	scuot_err e = { 0 };
	scuot_gmm *truth = NULL, *fit = NULL;
	double pi[2] = { 0.5, 0.5 }, mu[2] = { -3, 3 }, var[2] = { 1, 1 };
	cr_assert_eq(scuot_gmm_new(&truth, 2, 1, 0, pi, mu, var, &e), 0, "%s", e.msg);
	int64_t n = 4000;
	int *comp = malloc(sizeof(int) * (size_t)n);
	double *x = draw(truth, n, 11, comp), *w = malloc(sizeof(double) * (size_t)n);
	for (int64_t i = 0; i < n; i++)
		w[i] = comp[i] == 0 ? 1 : 2; /* weights turn 1/2 : 1/2 into 1/3 : 2/3 */
	scuot_gmm_opts o;
	scuot_gmm_opts_init(&o);
	o.full = 0;
	cr_assert_eq(scuot_gmm_fit(&fit, x, w, n, 1, 2, &o, &e), 0, "%s", e.msg);
	int a = fit->mu[0] < fit->mu[1] ? 0 : 1, b = 1 - a;
	cr_assert(fabs(fit->pi[a] - 1.0 / 3) < 0.02 && fabs(fit->pi[b] - 2.0 / 3) < 0.02, "weights %.4f %.4f, "
	          "expected 1/3 2/3", fit->pi[a], fit->pi[b]);
	cr_assert(fabs(fit->mu[a] + 3) < 0.08 && fabs(fit->mu[b] - 3) < 0.08, "means %.4f %.4f, expected -3 3",
	          fit->mu[a], fit->mu[b]);
	cr_assert(fabs(fit->cov[a] - 1) < 0.1 && fabs(fit->cov[b] - 1) < 0.1, "variances %.4f %.4f, expected 1",
	          fit->cov[a], fit->cov[b]);
	free(comp);
	free(x);
	free(w);
	scuot_gmm_free(fit);
	scuot_gmm_free(truth);
}

Test(gmm, bic_picks_three)
{
	scuot_err e = { 0 };
	scuot_gmm *truth = NULL, *fit = NULL;
	cr_assert_eq(scuot_gmm_new(&truth, 3, 2, 1, PI3, MU3, COV3, &e), 0, "%s", e.msg);
	int64_t n = 1500;
	double *x = draw(truth, n, 3, NULL), bic[6];
	scuot_gmm_opts o;
	scuot_gmm_opts_init(&o);
	o.kmin = 1;
	o.kmax = 6;
	cr_assert_eq(scuot_gmm_fit_bic(&fit, x, NULL, n, 2, &o, bic, &e), 0, "%s", e.msg);
	cr_assert_eq(fit->k, 3, "BIC chose %d components (BIC by k: %.1f %.1f %.1f %.1f %.1f %.1f)", fit->k, bic[0],
	             bic[1], bic[2], bic[3], bic[4], bic[5]);
	cr_assert(bic[2] < bic[1] && bic[2] < bic[3], "BIC not lowest at k = 3");
	free(x);
	scuot_gmm_free(fit);
	scuot_gmm_free(truth);
}

Test(gmm, logpdf_and_gradient)
{
	scuot_err e = { 0 };
	scuot_gmm *g = NULL;
	cr_assert_eq(scuot_gmm_new(&g, 3, 2, 1, PI3, MU3, COV3, &e), 0, "%s", e.msg);
	/* the density by the textbook formula at a point */
	double x[2] = { 0.3, -0.7 }, lp, gr[2], ref = 0;
	for (int c = 0; c < 3; c++) {
		const double *S = COV3 + 4 * c, *m = MU3 + 2 * c;
		double det = S[0] * S[3] - S[1] * S[2], u = x[0] - m[0], v = x[1] - m[1];
		double q = (S[3] * u * u - 2 * S[1] * u * v + S[0] * v * v) / det;
		ref += PI3[c] * exp(-q / 2) / (2 * M_PI * sqrt(det));
	}
	scuot_gmm_logpdf(g, x, 1, &lp, gr);
	cr_assert(fabs(lp - log(ref)) < 1e-12, "log p: %.15g, formula %.15g", lp, log(ref));
	for (int q = 0; q < 2; q++) {
		double xp[2] = { x[0], x[1] }, xm[2] = { x[0], x[1] }, lpp, lpm, h = 1e-6;
		xp[q] += h;
		xm[q] -= h;
		scuot_gmm_logpdf(g, xp, 1, &lpp, NULL);
		scuot_gmm_logpdf(g, xm, 1, &lpm, NULL);
		double fd = (lpp - lpm) / (2 * h);
		cr_assert(fabs(fd - gr[q]) < 1e-6 * (1 + fabs(fd)), "gradient %d: %.10g, finite difference %.10g", q,
		          gr[q], fd);
	}
	scuot_gmm_free(g);
}

Test(gmm, bad_input)
{
	scuot_err e = { 0 };
	scuot_gmm *g = NULL;
	scuot_gmm_opts o;
	scuot_gmm_opts_init(&o);
	double x[4] = { 0, 1, 2, NAN }, w[4] = { 1, 1, -1, 1 };
	cr_assert_eq(scuot_gmm_fit(&g, x, NULL, 4, 1, 2, &o, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "point 3"), "message: %s", e.msg);
	x[3] = 3;
	e = (scuot_err){ 0 };
	cr_assert_eq(scuot_gmm_fit(&g, x, w, 4, 1, 2, &o, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "weight"), "message: %s", e.msg);
	cr_assert_eq(scuot_gmm_fit(&g, x, NULL, 4, 1, 5, &o, &e), SCUOT_EINPUT);
	o.kmax = 0;
	cr_assert_eq(scuot_gmm_fit_bic(&g, x, NULL, 4, 1, &o, NULL, &e), SCUOT_EUSAGE);
	double cov[1] = { -1 }, pi[1] = { 1 }, mu[1] = { 0 };
	cr_assert_eq(scuot_gmm_new(&g, 1, 1, 1, pi, mu, cov, &e), SCUOT_EINPUT);
	cr_assert_null(g);
}
