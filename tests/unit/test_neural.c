/* test_neural.c -- unit tests of src/lib/neural: the neural Sobolev critic approaches the kernel critic's
 * Sobolev discrepancy on fixed clouds, and the USD paper's Gaussian-to-mixture ordering on a reduced budget
 * (nusd and nusd-bd end nearer the weighted target than nsd), and nusd's scaling factors recover the masses
 * of two clusters (batch normalisation off or with joint statistics). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "flow/flow.h"
#include "kern/kern.h"
#include "neural/neural.h"
#include "ot/cost.h"
#include "ot/ot.h"

static double *gauss(int64_t n, int64_t d, double mean, double sd, uint64_t seed)
{
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(seed, 0, &e);
	double *x = malloc(sizeof(double) * (size_t)(n * d));
	for (int64_t i = 0; i < n * d; i++)
		x[i] = mean + gsl_ran_gaussian(r, sd);
	gsl_rng_free(r);
	return x;
}

/* The kernel Sobolev discrepancy with random features (Mroueh et al. 2019, Sec. 5): the critic
 * u = (D + lambda I)^-1 (mu_p - mu_q) scaled to E_q |grad u|^2 = 1, i.e. (E_p u - E_q u) / sqrt(E_q |grad u|^2). */
static double kernel_discrepancy(const double *y, int64_t m, const double *x, int64_t n, int64_t d, double sigma)
{
	const int64_t F = 1000;
	scuot_err e = { 0 };
	scuot_kern_rff *f = scuot_kern_rff_new(d, F, sigma, 3, 0, &e);
	double *wq = malloc(sizeof(double) * (size_t)n), *wp = malloc(sizeof(double) * (size_t)m);
	double *mp = malloc(sizeof(double) * F), *u = malloc(sizeof(double) * F), *mq = malloc(sizeof(double) * F);
	double *g = malloc(sizeof(double) * (size_t)(n * d));
	for (int64_t i = 0; i < n; i++)
		wq[i] = 1.0 / (double)n;
	for (int64_t j = 0; j < m; j++)
		wp[j] = 1.0 / (double)m;
	cr_assert_eq(scuot_kern_rff_embed(f, y, m, wp, mp, &e), 0);
	cr_assert_eq(scuot_flow_sobolev_critic(f, x, n, wq, mp, 0, 1, 1e-3, u, mq, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_flow_rff_eval(f, u, x, n, NULL, g, &e), 0);
	double gap = 0, g2 = 0;
	for (int64_t k = 0; k < F; k++)
		gap += u[k] * (mp[k] - mq[k]);
	for (int64_t i = 0; i < n * d; i++)
		g2 += g[i] * g[i] / (double)n;
	scuot_kern_rff_free(f);
	free(wq);
	free(wp);
	free(mp);
	free(u);
	free(mq);
	free(g);
	return gap / sqrt(g2);
}

/* p = N(0.8, 1), q = N(0, 1) in 1-D, 300 samples each: the neural critic under the Sobolev constraint (alpha 0)
 * against the kernel critic and against the closed form of the population value, sqrt(int (F_q - F_p)^2 / q)
 * = 0.8712 (integration by parts and Cauchy-Schwarz; scipy quad).  At the optimum the multiplier is half the
 * gap (stationarity of gap - lam (E |grad f|^2 - 1) for a critic scaled to the constraint). */
Test(neural, critic_approaches_the_kernel_sobolev_discrepancy)
{
	const int64_t n = 300, d = 1;
	double *x = gauss(n, d, 0, 1, 1), *y = gauss(n, d, 0.8, 1, 2), w[300];
	for (int i = 0; i < n; i++)
		w[i] = 1.0 / (double)n;
	double ks = kernel_discrepancy(y, n, x, n, d, 1.0);
	scuot_usd_opts o = { .width = 32, .hidden = 64, .batch = n, .lr = 1e-3, .rho = 0.01, .lambda0 = 0,
	                     .alpha = 0, .gamma = 1, .eval_batch = n };
	scuot_usd_critic *c;
	scuot_err e = { 0 };
	cr_assert_eq(scuot_usd_critic_new(&c, &o, d, n, 7, &e), 0, "%s", e.msg);
	double con = 0, lam = 0, gap = 0;
	for (int k = 0; k < 2000; k++)
		cr_assert_eq(scuot_usd_critic_update(c, y, w, n, x, w, n, &e), 0, "%s", e.msg);
	scuot_usd_critic_stats(c, &con, &lam, &gap);
	/* the gap of a critic scaled to the constraint E_q |grad f|^2 = 1 */
	double ns = gap / sqrt(con + 1);
	cr_assert(fabs(con) < 0.05, "constraint not met: c = %g (multiplier %g)", con, lam);
	cr_assert(fabs(ns - ks) < 0.15 * ks, "neural Sobolev discrepancy %.4f, kernel %.4f", ns, ks);
	cr_assert(fabs(ns - 0.8712) < 0.1 * 0.8712, "neural Sobolev discrepancy %.4f, population 0.8712", ns);
	cr_assert(fabs(lam - gap / 2) < 0.1 * gap, "multiplier %.4f, half the gap %.4f", lam, gap / 2);
	scuot_usd_critic_free(c);
	free(x);
	free(y);
}

/* The USD paper's first experiment (Mroueh & Rigotti 2020, Fig. 1) on a reduced budget: a Gaussian to a
 * mixture of 8 Gaussians on a circle whose first two modes hold 4 times the mass of the others; the
 * unbalanced descents, which can move mass between modes, end nearer the target than Sobolev descent. */
static scuot_ot_result *mixture_run(const char *method, int64_t steps, const char *extra, double val)
{
	const int64_t n = 300, m = 600, d = 2;
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(5, 0, &e);
	double *x = malloc(sizeof(double) * (size_t)(n * d)), *y = malloc(sizeof(double) * (size_t)(m * d));
	double *a = malloc(sizeof(double) * (size_t)n), *b = malloc(sizeof(double) * (size_t)m), bs = 0;
	for (int64_t i = 0; i < n; i++) {
		x[2 * i] = gsl_ran_gaussian(r, 0.5);
		x[2 * i + 1] = gsl_ran_gaussian(r, 0.5);
		a[i] = 1.0 / (double)n;
	}
	for (int64_t j = 0; j < m; j++) {
		int k = (int)(j % 8);
		y[2 * j] = 4 * cos(2 * M_PI * k / 8) + gsl_ran_gaussian(r, 0.3);
		y[2 * j + 1] = 4 * sin(2 * M_PI * k / 8) + gsl_ran_gaussian(r, 0.3);
		bs += b[j] = k < 2 ? 4 : 1;
	}
	for (int64_t j = 0; j < m; j++)
		b[j] /= bs;
	const scuot_ot_method *mt = scuot_ot_method_find(method);
	cr_assert_not_null(mt, "%s is not registered", method);
	scuot_ot_problem p = { .n = n, .m = m, .d = d, .x = x, .y = y, .a = a, .b = b, .t1 = 1,
	                       .cost = SCUOT_COST_SQEUCLIDEAN, .seed = 1, .max_memory = (size_t)1 << 30 };
	static const char *set[] = { "width", "hidden", "last", "dropout", "batch", "critic-steps", "critic-start", "lr",
	                             "rho", "lambda0", "step", "record", "tau" };
	static const double val_of[] = { 32, 128, 32, 0, 256, 5, 100, 1e-3, 0.01, 0, 0.05, 10, 0.05 };
	double par[SCUOT_OT_MAX_PARAMS];
	for (int k = 0; k < mt->n_params; k++)
		par[k] = mt->params[k].def;
	for (int k = 0; k < (int)(sizeof(set) / sizeof(*set)); k++) {
		int ix = scuot_ot_param_index(mt, set[k]);
		if (ix >= 0)
			par[ix] = val_of[k];
	}
	par[scuot_ot_param_index(mt, "steps")] = (double)steps;
	if (extra)
		par[scuot_ot_param_index(mt, extra)] = val;
	scuot_ot_result *res = scuot_ot_result_new(&p, &e);
	cr_assert_eq(scuot_ot_run(mt, &p, par, res, &e), 0, "%s: %s", method, e.msg);
	gsl_rng_free(r);
	free(x);
	free(y);
	free(a);
	free(b);
	return res;
}

Test(neural, unbalanced_descents_reach_the_weighted_mixture_first, .timeout = 120)
{
	scuot_ot_result *sd = mixture_run("nsd", 60, NULL, 0), *w = mixture_run("nusd", 60, NULL, 0);
	scuot_ot_result *bd = mixture_run("nusd-bd", 60, NULL, 0), *g0 = mixture_run("nusd", 20, "gamma", 0);
	double msd = sd->curve[sd->n_curve - 1], mw = w->curve[w->n_curve - 1], mbd = bd->curve[bd->n_curve - 1];
	fprintf(stderr, "MMD to the target after 60 steps (start %.4f): nsd %.4f, nusd %.4f, nusd-bd %.4f\n",
	        sd->curve[0], msd, mw, mbd);
	cr_assert(msd < 0.9 * sd->curve[0], "nsd did not descend: %.4f from %.4f", msd, sd->curve[0]);
	cr_assert(mw < 0.85 * msd, "nusd %.4f not below nsd %.4f", mw, msd);
	cr_assert(mbd < 0.92 * msd, "nusd-bd %.4f not below nsd %.4f", mbd, msd);
	/* masses: on the simplex for gamma 1 (in the units of a), positive and free for gamma 0; birth-death keeps
	 * n particles and its scaling factors count each source cell's living descendants */
	for (int k = 0; k < w->n_snap; k++) {
		double s = 0;
		for (int64_t i = 0; i < w->snap[k].np; i++) {
			cr_assert_gt(w->snap[k].w[i], 0);
			s += w->snap[k].w[i];
		}
		cr_assert_float_eq(s, 1.0, 1e-9, "snapshot %d of nusd holds mass %.12g", k, s);
	}
	double s0 = 0, nmin = 1e300, nmax = 0;
	for (int64_t i = 0; i < g0->n; i++) {
		double wi = g0->snap[g0->n_snap - 1].w[i];
		cr_assert_gt(wi, 0);
		s0 += wi;
	}
	cr_assert(fabs(s0 - 1) > 1e-3, "gamma 0 conserved the mass exactly (%.12g)", s0);
	double cnt = 0;
	for (int64_t i = 0; i < bd->n; i++) {
		cnt += bd->scaling[i];
		cr_assert_eq(bd->scaling[i], floor(bd->scaling[i]));
		nmin = fmin(nmin, bd->scaling[i]);
		nmax = fmax(nmax, bd->scaling[i]);
	}
	cr_assert_eq(cnt, (double)bd->n, "descendants %g of %lld particles", cnt, (long long)bd->n);
	cr_assert(nmin == 0 && nmax >= 2, "birth-death made no births or no deaths (descendants %g to %g)", nmin, nmax);
	const scuot_ot_snapshot *last = &bd->snap[bd->n_snap - 1];
	for (int64_t i = 0; i < last->np; i++)
		cr_assert(last->ancestor[i] >= 0 && last->ancestor[i] < bd->n);
	cr_assert_not_null(scuot_ot_result_array(w, "critic.1.weight"), "the critic's parameters are in the result");
	scuot_ot_result_free(sd);
	scuot_ot_result_free(w);
	scuot_ot_result_free(bd);
	scuot_ot_result_free(g0);
}

/* Mass to create and destroy where nothing needs to move far: two clusters of 100 source cells each, the
 * target the same two clusters (shifted by 0.5) with 133 and 67 cells of equal mass, so the scaling factors
 * should average 1.33 on the first cluster and 0.67 on the second.  Returns the two cluster means of nusd's
 * scaling factors with the critic's batch normalisation bn (0 none, 1 per pass, 2 joint; --batchnorm,
 * --bn-joint). */
static void two_clusters(int bn, double *s1, double *s2)
{
	const int64_t n = 200, m = 200, d = 5;
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(11, 0, &e);
	double *x = malloc(sizeof(double) * (size_t)(n * d)), *y = malloc(sizeof(double) * (size_t)(m * d));
	double *a = malloc(sizeof(double) * (size_t)n), *b = malloc(sizeof(double) * (size_t)m);
	for (int64_t i = 0; i < n; i++) {
		for (int64_t q = 0; q < d; q++)
			x[i * d + q] = gsl_ran_gaussian(r, 0.5) + (q == 0 ? (i < 100 ? 3 : -3) : 0);
		a[i] = 1.0 / (double)n;
	}
	for (int64_t j = 0; j < m; j++) {
		for (int64_t q = 0; q < d; q++)
			y[j * d + q] = gsl_ran_gaussian(r, 0.5) + (q == 0 ? (j < 133 ? 3 : -3) : q == 1 ? 0.5 : 0);
		b[j] = 1.0 / (double)m;
	}
	const scuot_ot_method *mt = scuot_ot_method_find("nusd");
	cr_assert_not_null(mt);
	scuot_ot_problem p = { .n = n, .m = m, .d = d, .x = x, .y = y, .a = a, .b = b, .t1 = 1,
	                       .cost = SCUOT_COST_SQEUCLIDEAN, .seed = 1, .max_memory = (size_t)1 << 30 };
	static const char *set[] = { "width", "hidden", "last", "batch", "critic-steps", "critic-start", "lr", "rho",
	                             "lambda0", "step", "steps", "record", "tau", "alpha" };
	static const double val_of[] = { 32, 128, 32, 150, 5, 100, 1e-3, 0.01, 0, 0.02, 100, 50, 0.05, 0.2 };
	double par[SCUOT_OT_MAX_PARAMS];
	for (int k = 0; k < mt->n_params; k++)
		par[k] = mt->params[k].def;
	for (int k = 0; k < (int)(sizeof(set) / sizeof(*set)); k++)
		par[scuot_ot_param_index(mt, set[k])] = val_of[k];
	par[scuot_ot_param_index(mt, "batchnorm")] = bn == 1;
	par[scuot_ot_param_index(mt, "bn-joint")] = bn == 2;
	scuot_ot_result *res = scuot_ot_result_new(&p, &e);
	cr_assert_eq(scuot_ot_run(mt, &p, par, res, &e), 0, "%s", e.msg);
	*s1 = *s2 = 0;
	for (int64_t i = 0; i < n; i++)
		*(i < 100 ? s1 : s2) += res->scaling[i] / 100;
	cr_assert((scuot_ot_result_array(res, "critic.bn1.running_var") != NULL) == (bn == 2),
	          "batch norm %d: the running statistics are stored only for joint statistics", bn);
	scuot_ot_result_free(res);
	gsl_rng_free(r);
	free(x);
	free(y);
	free(a);
	free(b);
}

/* With batch normalisation by the statistics of each pass (--batchnorm, the reference's) the critic hardly
 * sees the mass difference (1.03 : 0.97 when this test was written); without batch normalisation and with
 * joint statistics (--bn-joint) nusd recovers most of the 1.33 : 0.67 (1.26 : 0.74 and 1.22 : 0.78). */
Test(neural, nusd_scaling_recovers_cluster_masses, .timeout = 120)
{
	double s[3][2];
	for (int bn = 0; bn < 3; bn++)
		two_clusters(bn, &s[bn][0], &s[bn][1]);
	fprintf(stderr, "nusd mean scaling per cluster (expected 1.33, 0.67): no batch norm %.3f %.3f, per pass "
	        "%.3f %.3f, joint %.3f %.3f\n", s[0][0], s[0][1], s[1][0], s[1][1], s[2][0], s[2][1]);
	for (int bn = 0; bn < 3; bn += 2)
		cr_assert(s[bn][0] > 1.15 && s[bn][0] < 1.45 && s[bn][1] > 0.55 && s[bn][1] < 0.85,
		          "batch norm %d: mean scaling %.3f and %.3f, expected about 1.33 and 0.67", bn, s[bn][0],
		          s[bn][1]);
}
