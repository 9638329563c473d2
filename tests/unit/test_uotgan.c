/* test_uotgan.c -- unit tests of src/lib/neural: Table 1 of Yang & Uhler 2019 (entropy functions, conjugates
 * against a numerical supremum, derivatives against finite differences, activations, graph versions), the UOT-GAN
 * class-imbalance experiment and uot-dual against the unbalanced Sinkhorn method. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "neural/neural_internal.h"
#include "nn/nn.h"
#include "ot/cost.h"
#include "ot/interp.h"
#include "ot/ot.h"

/* sup_s s t - psi(s) over s > 0 (all real s for Pearson) by a scan and golden-section search. */
static double num_conj(int k, double t)
{
	double best = 0, bv = -INFINITY, a, b;
	const double gr = (sqrt(5) - 1) / 2;
	/* s on a log grid over [1e-8, 1e6] (Pearson: also negative s, mirrored), then golden section */
	for (int q = 0; q <= 20000; q++) {
		double s = pow(10, -8 + 14.0 * q / 20000.0);
		for (int sg = 0; sg < (k == NEURAL_PEARSON ? 2 : 1); sg++) {
			double x = sg ? -s : s, v = x * t - neural_psi(k, x);
			if (v > bv)
				bv = v, best = x;
		}
	}
	a = best > 0 ? best * pow(10, -14.0 / 20000) : best * pow(10, 14.0 / 20000);
	b = best > 0 ? best * pow(10, 14.0 / 20000) : best * pow(10, -14.0 / 20000);
	for (int it = 0; it < 200; it++) {
		double c = b - gr * (b - a), d = a + gr * (b - a);
		if (c * t - neural_psi(k, c) > d * t - neural_psi(k, d))
			b = d;
		else
			a = c;
	}
	double s = (a + b) / 2;
	return s * t - neural_psi(k, s);
}

Test(table1, entropy_functions_closed_forms)
{
	/* psi(1) = 0 is the unique minimum (Lemma C.2), psi' by finite differences, psi'_inf = lim psi(s) / s */
	static const double ss[] = { 0.05, 0.3, 0.9, 1.0, 1.7, 4.0, 11.0 };
	for (int k = 0; k < NEURAL_NDIV; k++) {
		cr_assert_float_eq(neural_psi(k, 1), 0, 1e-15, "%s: psi(1) = %g", neural_div_name(k), neural_psi(k, 1));
		for (size_t q = 0; q < sizeof ss / sizeof ss[0]; q++) {
			double s = ss[q], h = 1e-6 * s;
			double fd = (neural_psi(k, s + h) - neural_psi(k, s - h)) / (2 * h);
			cr_assert(fabs(fd - neural_psi_deriv(k, s)) < 1e-6 * (1 + fabs(fd)), "%s: psi'(%g) = %.10g, finite "
			          "difference %.10g", neural_div_name(k), s, neural_psi_deriv(k, s), fd);
			if (s != 1)
				cr_assert(neural_psi(k, s) > 0, "%s: psi(%g) = %g is not positive", neural_div_name(k), s,
				          neural_psi(k, s));
		}
		double big = 1e9, lim = neural_psi(k, big) / big, inf = neural_psi_inf(k);
		cr_assert(isinf(inf) ? lim > 10 : fabs(lim - inf) < 1e-3, "%s: psi(s) / s at 1e9 is %g, psi'_inf %g",
		          neural_div_name(k), lim, inf);
	}
	/* the closed forms of Table 1 at one point */
	cr_assert_float_eq(neural_psi(NEURAL_KL, 2), 2 * log(2) - 1, 1e-15);
	cr_assert_float_eq(neural_psi(NEURAL_PEARSON, 3), 4, 1e-15);
	cr_assert_float_eq(neural_psi(NEURAL_HELLINGER, 4), 1, 1e-15);
	cr_assert_float_eq(neural_psi(NEURAL_JS, 3), 3 * log(3) - 4 * log(2), 1e-14);
}

Test(table1, conjugates_are_the_numerical_supremum)
{
	static const double ts[] = { -3, -1.2, -0.4, 0, 0.3, 0.6, 0.68, 0.95, 1.5 };
	for (int k = 0; k < NEURAL_NDIV; k++)
		for (size_t q = 0; q < sizeof ts / sizeof ts[0]; q++) {
			double t = ts[q];
			if (!(t < neural_psi_inf(k))) {
				cr_assert(isinf(neural_conj(k, t)), "%s: psi*(%g) should be +inf (t >= psi'_inf)",
				          neural_div_name(k), t);
				continue;
			}
			double s = neural_conj(k, t), num = num_conj(k, t);
			cr_assert(fabs(s - num) < 1e-6 * (1 + fabs(num)), "%s: psi*(%g) = %.10g, numerical sup %.10g",
			          neural_div_name(k), t, s, num);
			double h = 1e-6, fd = (neural_conj(k, t + h) - neural_conj(k, t - h)) / (2 * h);
			cr_assert(fabs(fd - neural_conj_deriv(k, t)) < 1e-6 * (1 + fabs(fd)), "%s: (psi*)'(%g) = %.10g, "
			          "finite difference %.10g", neural_div_name(k), t, neural_conj_deriv(k, t), fd);
			/* Fenchel-Young equality at s = (psi*)'(t): psi*(t) = s t - psi(s) */
			double sd = neural_conj_deriv(k, t);
			cr_assert(fabs(neural_conj(k, t) - (sd * t - neural_psi(k, sd))) < 1e-9 * (1 + fabs(s)),
			          "%s: Fenchel-Young fails at t = %g", neural_div_name(k), t);
		}
}

Test(table1, activations_map_into_the_domain_and_nodes_agree)
{
	static const double vs[] = { -30, -4, -1, -0.2, 0, 0.5, 2, 8, 30 };
	scuot_err e = { 0 };
	scuot_nn_graph *g = scuot_nn_graph_new();
	double xi[] = { 0.05, 0.5, 1, 2, 7 };
	int nv = (int)(sizeof vs / sizeof vs[0]);
	for (int k = 0; k < NEURAL_NDIV; k++) {
		scuot_nn_graph_reset(g);
		scuot_nn_node *v = scuot_nn_input(g, nv, 1, vs), *a = neural_act_node(g, k, v);
		scuot_nn_node *ca = neural_conj_act_node(g, k, v), *x = scuot_nn_input(g, 5, 1, xi);
		scuot_nn_node *px = neural_psi_node(g, k, x), *gv, *gx;
		cr_assert(a && ca && px, "%s: nodes", neural_div_name(k));
		for (int q = 0; q < nv; q++) {
			double t = neural_act(k, vs[q]);
			cr_assert(t < neural_psi_inf(k) || (k >= NEURAL_HELLINGER && vs[q] <= -30),
			          "%s: act(%g) = %g not below psi'_inf %g", neural_div_name(k), vs[q], t, neural_psi_inf(k));
			cr_assert(fabs(a->v[q] - t) < 1e-12 * (1 + fabs(t)), "%s: act node", neural_div_name(k));
			double c = neural_conj(k, t);
			if (isfinite(c) && fabs(vs[q]) < 20)
				cr_assert(fabs(ca->v[q] - c) < 1e-9 * (1 + fabs(c)), "%s: psi*(act(%g)) node %.12g, closed form "
				          "%.12g", neural_div_name(k), vs[q], ca->v[q], c);
		}
		for (int q = 0; q < 5; q++)
			cr_assert(fabs(px->v[q] - neural_psi(k, xi[q])) < 1e-12, "%s: psi node at %g", neural_div_name(k),
			          xi[q]);
		/* derivatives the training uses: d psi(xi) / d xi and d psi*(act(v)) / dv = (psi*)'(act v) act'(v) */
		cr_assert_eq(scuot_nn_grad(g, scuot_nn_sum(g, px), 1, &x, &gx, &e), 0, "%s", e.msg);
		for (int q = 0; q < 5; q++)
			cr_assert(fabs(gx->v[q] - neural_psi_deriv(k, xi[q])) < 1e-10, "%s: d psi / d xi at %g: %g vs %g",
			          neural_div_name(k), xi[q], gx->v[q], neural_psi_deriv(k, xi[q]));
		cr_assert_eq(scuot_nn_grad(g, scuot_nn_sum(g, ca), 1, &v, &gv, &e), 0, "%s", e.msg);
		for (int q = 0; q < nv; q++) {
			if (fabs(vs[q]) > 8)
				continue;
			double h = 1e-6, t0 = neural_act(k, vs[q] - h), t1 = neural_act(k, vs[q] + h);
			double fd = (neural_conj(k, t1) - neural_conj(k, t0)) / (2 * h);
			cr_assert(fabs(gv->v[q] - fd) < 1e-6 * (1 + fabs(fd)), "%s: d psi*(act v) / dv at %g: %.10g, finite "
			          "difference %.10g", neural_div_name(k), vs[q], gv->v[q], fd);
		}
	}
	scuot_nn_graph_free(g);
}

/* ---- experiments ---- */

typedef struct cloud {
	int64_t n, m;
	double *x, *y, *a, *b;
	int *cx, *cy; /* cluster of each point */
} cloud;

/* Four Gaussian clusters (sd sd) at the corners (+-h, +-h) of a square: ns[k] source and nt[k] target points
 * in cluster k, the target shifted by shift along the first axis; masses mass_a per source point and mass_b per
 * target point. */
static cloud clusters(const int *ns, const int *nt, double h, double sd, double shift, double mass_a,
                      double mass_b, uint64_t seed)
{
	const double cx[4][2] = { { -h, -h }, { h, -h }, { -h, h }, { h, h } };
	cloud c = { 0 };
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(seed, 7, &e);
	for (int k = 0; k < 4; k++)
		c.n += ns[k], c.m += nt[k];
	c.x = malloc(sizeof(double) * (size_t)(2 * c.n)), c.y = malloc(sizeof(double) * (size_t)(2 * c.m));
	c.a = malloc(sizeof(double) * (size_t)c.n), c.b = malloc(sizeof(double) * (size_t)c.m);
	c.cx = malloc(sizeof(int) * (size_t)c.n), c.cy = malloc(sizeof(int) * (size_t)c.m);
	cr_assert(r && c.x && c.y && c.a && c.b && c.cx && c.cy);
	int64_t i = 0, j = 0;
	for (int k = 0; k < 4; k++) {
		for (int q = 0; q < ns[k]; q++, i++) {
			c.x[2 * i] = cx[k][0] + gsl_ran_gaussian(r, sd), c.x[2 * i + 1] = cx[k][1] + gsl_ran_gaussian(r, sd);
			c.a[i] = mass_a, c.cx[i] = k;
		}
		for (int q = 0; q < nt[k]; q++, j++) {
			c.y[2 * j] = cx[k][0] + shift + gsl_ran_gaussian(r, sd);
			c.y[2 * j + 1] = cx[k][1] + gsl_ran_gaussian(r, sd);
			c.b[j] = mass_b, c.cy[j] = k;
		}
	}
	gsl_rng_free(r);
	return c;
}

static void cloud_free(cloud *c)
{
	free(c->x), free(c->y), free(c->a), free(c->b), free(c->cx), free(c->cy);
}

/* Run method name on c with its defaults changed by "name=value" pairs (NULL-terminated). */
static scuot_ot_result *run_method(const char *name, const cloud *c, const char *const *set)
{
	scuot_err e = { 0 };
	const scuot_ot_method *m = scuot_ot_method_find(name);
	cr_assert_not_null(m, "method %s is not registered", name);
	double par[SCUOT_OT_MAX_PARAMS];
	for (int k = 0; k < m->n_params; k++)
		par[k] = m->params[k].def;
	for (int q = 0; set && set[q]; q++) {
		const char *eq = strchr(set[q], '=');
		char nm[64];
		snprintf(nm, sizeof nm, "%.*s", (int)(eq - set[q]), set[q]);
		int k = scuot_ot_param_index(m, nm);
		cr_assert(k >= 0, "%s: no parameter %s", name, nm);
		par[k] = atof(eq + 1);
	}
	scuot_ot_problem p = { .n = c->n, .m = c->m, .d = 2, .x = c->x, .y = c->y, .a = c->a, .b = c->b, .t0 = 0,
	                       .t1 = 1, .cost = SCUOT_COST_SQEUCLIDEAN, .cost_norm = SCUOT_COSTNORM_MEDIAN, .seed = 11,
	                       .max_memory = (size_t)1 << 30, .topk = 50 };
	scuot_ot_result *r = scuot_ot_result_new(&p, &e);
	cr_assert_not_null(r, "%s", e.msg);
	cr_assert_eq(scuot_ot_run(m, &p, par, r, &e), 0, "%s: %s", name, e.msg);
	return r;
}

/* The class-imbalance experiment: the same four clusters, 100 source points each, target counts
 * 200 : 100 : 100 : 50, masses from the counts (1 per cell: c_mu = 400, c_nu = 450).  The mean xi over the source
 * points of each cluster must recover the ratio 2, 1, 1, 0.5 within 15%. */
Test(uotgan, class_imbalance_ratios, .timeout = 120)
{
	static const int ns[4] = { 100, 100, 100, 100 }, nt[4] = { 200, 100, 100, 50 };
	static const double want[4] = { 2, 1, 1, 0.5 };
	cloud c = clusters(ns, nt, 4, 0.4, 0.5, 1, 1, 3);
	static const char *const set[] = { "iters=2000", "batch=128", "width=32", "mass-weight=0.1", NULL };
	scuot_ot_result *r = run_method("uotgan", &c, set);
	double mean[4] = { 0 };
	for (int64_t i = 0; i < c.n; i++)
		mean[c.cx[i]] += r->scaling[i] / ns[c.cx[i]];
	cr_log_info("uotgan class imbalance: mean xi per cluster %.3f %.3f %.3f %.3f (want 2 1 1 0.5)", mean[0], mean[1],
	            mean[2], mean[3]);
	for (int k = 0; k < 4; k++)
		cr_expect(fabs(mean[k] / want[k] - 1) <= 0.15, "cluster %d: mean xi %.4f, ratio %.4g (15%% allowed)", k,
		          mean[k], want[k]);
	/* the map: two snapshots of the same particles at s = 0 and 1, masses a and a xi; T moves each cluster by
	 * about the shift 0.5 and keeps it in its cluster */
	cr_assert_eq(r->n_snap, 2);
	cr_assert(r->snap[0].s == 0 && r->snap[1].s == 1 && r->snap[1].np == c.n);
	double dx = 0;
	int stay = 0;
	for (int64_t i = 0; i < c.n; i++) {
		const double *t = r->snap[1].x + 2 * i;
		cr_assert_float_eq(r->snap[1].w[i], c.a[i] * r->scaling[i], 1e-12);
		dx += (t[0] - c.x[2 * i]) / (double)c.n;
		stay += fabs(t[0] - c.x[2 * i]) < 4 && fabs(t[1] - c.x[2 * i + 1]) < 4;
	}
	cr_log_info("uotgan class imbalance: mean displacement along the shift %.3f (0.5), %d of %lld stay in their "
	            "cluster", dx, stay, (long long)c.n);
	cr_expect(fabs(dx - 0.5) < 0.25, "mean displacement %.3f, the target is shifted by 0.5", dx);
	cr_expect(stay >= 0.95 * c.n, "%d of %lld points stay in their cluster", stay, (long long)c.n);
	/* the trained tensors and the curve */
	cr_assert(scuot_ot_result_array(r, "T.0.weight") && scuot_ot_result_array(r, "xi.out.weight") &&
	          scuot_ot_result_array(r, "f.out.bias") && scuot_ot_result_array(r, "standardise.sigma"));
	cr_assert_eq(r->n_curve, 200);
	/* the map rule halfway: points halfway, mass halfway between a and a xi */
	scuot_interp_pop pop;
	scuot_err e = { 0 };
	cr_assert_eq(scuot_interp(r, 0.5, SCUOT_INTERP_AUTO, 100, 1, &pop, &e), 0, "%s", e.msg);
	cr_assert_eq(pop.rule, SCUOT_INTERP_MAP);
	cr_assert_float_eq(pop.x[0], 0.5 * (c.x[0] + r->snap[1].x[0]), 1e-12);
	cr_assert_float_eq(pop.w[0], 0.5 * c.a[0] * (1 + r->scaling[0]), 1e-12);
	scuot_interp_pop_clear(&pop);
	scuot_ot_result_free(r);
	cloud_free(&c);
}

/* uot-dual against the unbalanced Sinkhorn method on the same problem (uniform masses, total 1 each: both solve
 * min <pi, C> + eps KL(pi | 1/(nm)) + lambda1 KL(pi 1 | a) + lambda2 KL(pi^T 1 | b)). */
Test(uotdual, agrees_with_unbalanced_sinkhorn, .timeout = 120)
{
	static const int ns[4] = { 25, 25, 25, 25 }, nt[4] = { 40, 20, 20, 10 };
	cloud c = clusters(ns, nt, 1.5, 0.6, 0.5, 1.0 / 100, 1.0 / 90, 5);
	static const char *const sk[] = { "epsilon=0.05", "lambda1=1", "lambda2=50", "tol=1e-9", NULL };
	static const char *const du[] = { "epsilon=0.05", "lambda1=1", "lambda2=50", "iters=3000", "map-iters=1500",
	                                  "batch=100", "width=64", NULL };
	scuot_ot_result *s = run_method("uot", &c, sk), *r = run_method("uot-dual", &c, du);
	/* scaling factors: correlation and relative error */
	double ms = 0, mr = 0, sxy = 0, sxx = 0, syy = 0, rel = 0;
	for (int64_t i = 0; i < c.n; i++)
		ms += s->scaling[i] / c.n, mr += r->scaling[i] / c.n;
	for (int64_t i = 0; i < c.n; i++) {
		sxy += (s->scaling[i] - ms) * (r->scaling[i] - mr);
		sxx += (s->scaling[i] - ms) * (s->scaling[i] - ms), syy += (r->scaling[i] - mr) * (r->scaling[i] - mr);
		rel += fabs(r->scaling[i] / s->scaling[i] - 1) / c.n;
	}
	double corr = sxy / sqrt(sxx * syy);
	/* the couplings: L1 distance relative to the Sinkhorn coupling's mass */
	double *ps = malloc(sizeof(double) * (size_t)(c.n * c.m)), *pr = malloc(sizeof(double) * (size_t)(c.n * c.m));
	scuot_err e = { 0 };
	cr_assert(ps && pr);
	cr_assert_eq(scuot_ot_result_coupling_rows(s, 0, c.n, ps, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_ot_result_coupling_rows(r, 0, c.n, pr, &e), 0, "%s", e.msg);
	double l1 = 0, tot = 0, merr = 0, spread = 0;
	for (int64_t k = 0; k < c.n * c.m; k++)
		l1 += fabs(ps[k] - pr[k]), tot += ps[k];
	/* the map of Algorithm 3 against the barycentric projection of the Sinkhorn coupling */
	for (int64_t i = 0; i < c.n; i++) {
		double w = 0, bx[2] = { 0, 0 };
		for (int64_t j = 0; j < c.m; j++)
			w += ps[i * c.m + j], bx[0] += ps[i * c.m + j] * c.y[2 * j], bx[1] += ps[i * c.m + j] * c.y[2 * j + 1];
		const double *t = r->snap[1].x + 2 * i;
		merr += hypot(t[0] - bx[0] / w, t[1] - bx[1] / w) / c.n;
		spread += hypot(c.x[2 * i] - bx[0] / w, c.x[2 * i + 1] - bx[1] / w) / c.n;
	}
	cr_log_info("uot-dual vs uot: scaling correlation %.4f, mean relative difference %.4f; coupling L1 %.4f of "
	            "the mass; map error %.4f (mean displacement %.4f)", corr, rel, l1 / tot, merr, spread);
	cr_expect(corr > 0.9, "scaling factors correlate %.4f with uot's (want > 0.9)", corr);
	cr_expect(rel < 0.15, "scaling factors differ from uot's by %.4f on average (want < 0.15)", rel);
	cr_expect(l1 / tot < 0.2, "coupling L1 distance %.4f of the mass (want < 0.2)", l1 / tot);
	cr_expect(merr < 0.2 * spread, "map error %.4f, displacement %.4f (want < 20%%)", merr, spread);
	/* coupling stored: auto interpolates on the pairs; the map rule uses the snapshots */
	scuot_interp_pop pop;
	cr_assert_eq(scuot_interp(r, 0.5, SCUOT_INTERP_AUTO, 200, 1, &pop, &e), 0, "%s", e.msg);
	cr_assert_eq(pop.rule, SCUOT_INTERP_LINEAR);
	scuot_interp_pop_clear(&pop);
	cr_assert_eq(scuot_interp(r, 0.5, SCUOT_INTERP_MAP, 200, 1, &pop, &e), 0, "%s", e.msg);
	scuot_interp_pop_clear(&pop);
	free(ps);
	free(pr);
	scuot_ot_result_free(s);
	scuot_ot_result_free(r);
	cloud_free(&c);
}

Test(uotgan, rejects_other_costs)
{
	static const int ns[4] = { 5, 5, 5, 5 };
	cloud c = clusters(ns, ns, 4, 0.4, 0, 1, 1, 1);
	scuot_err e = { 0 };
	const scuot_ot_method *m = scuot_ot_method_find("uotgan");
	double par[SCUOT_OT_MAX_PARAMS];
	for (int k = 0; k < m->n_params; k++)
		par[k] = m->params[k].def;
	scuot_ot_problem p = { .n = c.n, .m = c.m, .d = 2, .x = c.x, .y = c.y, .a = c.a, .b = c.b, .t1 = 1,
	                       .cost = SCUOT_COST_EUCLIDEAN, .cost_norm = SCUOT_COSTNORM_MEDIAN, .seed = 1,
	                       .max_memory = (size_t)1 << 30 };
	scuot_ot_result *r = scuot_ot_result_new(&p, &e);
	cr_assert_eq(scuot_ot_run(m, &p, par, r, &e), SCUOT_EUSAGE);
	cr_assert(strstr(e.msg, "squared Euclidean"), "%s", e.msg);
	scuot_ot_result_free(r);
	cloud_free(&c);
}
