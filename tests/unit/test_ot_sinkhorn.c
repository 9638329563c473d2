/* test_ot_sinkhorn.c -- unit tests of the entropic couplings (src/lib/ot/sinkhorn.c): agreement with
 * POT 0.8.2 (tests/fixtures/ot/sinkhorn), marginals, first-order optimality, growth re-estimation, tiny
 * epsilon, float and on-the-fly kernels, WFR support and closed form, the method table and thread-count
 * determinism. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/threads.h"
#include "ot/cost.h"
#include "ot/ot.h"
#include "ot/sinkhorn.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name tests/fixtures/ot/sinkhorn"
#endif

static void quiet(void)
{
	scuot_log_set_level(SCUOT_LOG_ERROR);
}

TestSuite(sinkhorn, .init = quiet);

/* A seeded problem: two Gaussian clouds (target shifted), non-uniform masses with given totals. */
typedef struct prob {
	int64_t n, m, d;
	double *x, *y, *a, *b;
	scuot_ot_problem p;
} prob;

static double urand(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((*s >> 11) + 0.5) / 9007199254740992.0;
}

static double nrand(uint64_t *s)
{
	double u1 = urand(s), u2 = urand(s);
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static void prob_make(prob *q, int64_t n, int64_t m, int64_t d, double sa, double sb, uint64_t seed)
{
	uint64_t s = seed;
	q->n = n, q->m = m, q->d = d;
	q->x = malloc(sizeof(double) * (size_t)(n * d));
	q->y = malloc(sizeof(double) * (size_t)(m * d));
	q->a = malloc(sizeof(double) * (size_t)n);
	q->b = malloc(sizeof(double) * (size_t)m);
	cr_assert(q->x && q->y && q->a && q->b);
	double ta = 0, tb = 0;
	for (int64_t k = 0; k < n * d; k++)
		q->x[k] = nrand(&s);
	for (int64_t k = 0; k < m * d; k++)
		q->y[k] = nrand(&s) + 0.5;
	for (int64_t i = 0; i < n; i++)
		q->a[i] = 0.5 + urand(&s), ta += q->a[i];
	for (int64_t j = 0; j < m; j++)
		q->b[j] = 0.5 + urand(&s), tb += q->b[j];
	for (int64_t i = 0; i < n; i++)
		q->a[i] *= sa / ta;
	for (int64_t j = 0; j < m; j++)
		q->b[j] *= sb / tb;
	memset(&q->p, 0, sizeof q->p);
	q->p.n = n, q->p.m = m, q->p.d = d, q->p.x = q->x, q->p.y = q->y, q->p.a = q->a, q->p.b = q->b;
	q->p.t0 = 0, q->p.t1 = 1;
	q->p.cost = SCUOT_COST_SQEUCLIDEAN, q->p.cost_norm = SCUOT_COSTNORM_MEDIAN;
	q->p.max_memory = (size_t)1 << 30;
	q->p.topk = 0;
}

static void prob_free(prob *q)
{
	free(q->x);
	free(q->y);
	free(q->a);
	free(q->b);
}

static scuot_ot_result *solve(const scuot_ot_problem *p, const scuot_sinkhorn_opts *o)
{
	scuot_err e = { 0 };
	scuot_ot_result *r = scuot_ot_result_new(p, &e);
	cr_assert(r, "%s", e.msg);
	int ret = scuot_ot_sinkhorn(p, o, r, &e);
	cr_assert_eq(ret, 0, "scuot_ot_sinkhorn: %s", e.msg);
	return r;
}

/* The whole coupling (stored or rebuilt from the potentials), malloc'd. */
static double *coupling(const scuot_ot_result *r)
{
	scuot_err e = { 0 };
	double *pi = malloc(sizeof(double) * (size_t)(r->n * r->m));
	cr_assert(pi);
	cr_assert_eq(scuot_ot_result_coupling_rows(r, 0, r->n, pi, &e), 0, "%s", e.msg);
	return pi;
}

static double max_rel_diff(const double *x, const double *y, int64_t n)
{
	double d = 0, s = 0;
	for (int64_t k = 0; k < n; k++) {
		if (fabs(x[k] - y[k]) > d)
			d = fabs(x[k] - y[k]);
		if (fabs(y[k]) > s)
			s = fabs(y[k]);
	}
	return d / s;
}

static void read_row(FILE *fp, double *v, int64_t k)
{
	for (int64_t t = 0; t < k; t++)
		cr_assert_eq(fscanf(fp, "%lf", &v[t]), 1, "fixture: short row");
}

Test(sinkhorn, matches_pot)
{
	char path[4096], tag[64], name[64], kind[32], lam_s[32];
	snprintf(path, sizeof path, "%s/sinkhorn.txt", FIXTURE_DIR);
	FILE *fp = fopen(path, "r");
	cr_assert(fp, "cannot open %s", path);
	char line[256];
	cr_assert(fgets(line, sizeof line, fp)); /* comment */
	int ncase = 0;
	while (fscanf(fp, "%63s", tag) == 1 && strcmp(tag, "end")) {
		long long n, m, d;
		double eps;
		cr_assert_eq(fscanf(fp, "%63s %31s %lld %lld %lld %lf %31s", name, kind, &n, &m, &d, &eps, lam_s), 7);
		double lam = strtod(lam_s, NULL);
		prob q;
		prob_make(&q, n, m, d, 1, 1, 1);
		read_row(fp, q.x, n * d);
		read_row(fp, q.y, m * d);
		read_row(fp, q.a, n);
		read_row(fp, q.b, m);
		double *ref = malloc(sizeof(double) * (size_t)(n * m));
		read_row(fp, ref, n * m);
		scuot_sinkhorn_opts o;
		scuot_sinkhorn_opts_init(&o, strcmp(kind, "balanced") ? SCUOT_SINKHORN_UNBALANCED
		                                                      : SCUOT_SINKHORN_BALANCED);
		o.eps = eps, o.tol = 1e-14, o.max_iter = 500000;
		if (o.kind == SCUOT_SINKHORN_UNBALANCED)
			o.lambda1 = o.lambda2 = lam;
		scuot_ot_result *r = solve(&q.p, &o);
		cr_expect(r->converged, "%s: not converged (%lld iterations)", name, (long long)r->iterations);
		cr_assert_eq(r->pi.kind, SCUOT_COUPLING_DENSE);
		double dd = max_rel_diff(r->pi.dense, ref, n * m);
		cr_expect(dd < 1e-6, "%s: coupling differs from POT by %g (relative, max norm); expected < 1e-6", name, dd);
		scuot_ot_result_free(r);
		free(ref);
		prob_free(&q);
		ncase++;
	}
	fclose(fp);
	cr_expect_eq(ncase, 4, "fixture cases read: %d, expected 4", ncase);
}

Test(sinkhorn, balanced_marginals_below_tol)
{
	prob q;
	prob_make(&q, 40, 31, 5, 1, 1, 7);
	scuot_sinkhorn_opts o;
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_BALANCED);
	o.tol = 1e-9;
	scuot_ot_result *r = solve(&q.p, &o);
	cr_expect(r->converged);
	cr_expect(r->marg_err_a < 1e-8, "row marginal error %g, expected < 1e-8", r->marg_err_a);
	cr_expect(r->marg_err_b < 1e-12, "column marginal error %g, expected < 1e-12", r->marg_err_b);
	cr_expect(r->curve[r->n_curve - 1] <= o.tol, "last curve value %g above tol", r->curve[r->n_curve - 1]);
	cr_expect_eq(r->n_curve, r->iterations);
	/* transport cost and objective from the dense coupling and the cost */
	scuot_cost c;
	scuot_err e = { 0 };
	cr_assert_eq(scuot_cost_init(&c, q.p.cost, q.x, q.n, q.y, q.m, q.d, 0, &e), 0);
	c.scale = r->cost_scale;
	double tc = 0, ent = 0;
	for (int64_t i = 0; i < q.n; i++)
		for (int64_t j = 0; j < q.m; j++) {
			double p = r->pi.dense[i * q.m + j];
			tc += p * scuot_cost_at(&c, i, j);
			ent += p * log(p / (q.a[i] * q.b[j])) - p + q.a[i] * q.b[j];
		}
	scuot_cost_free(&c);
	cr_expect(fabs(tc - r->transport_cost) < 1e-10, "transport cost %.15g, direct %.15g", r->transport_cost, tc);
	double obj = tc + o.eps * ent;
	cr_expect(fabs(obj - r->objective) < 1e-10, "objective %.15g, direct %.15g", r->objective, obj);
	scuot_ot_result_free(r);
	prob_free(&q);
}

/* At the optimum of <pi, C> + eps KL(pi | 1/(n m)) + l1 KL(pi 1 | a) + l2 KL(pi^T 1 | b), for every i, j:
 * eps log(n m pi_ij) + C_ij + l1 log(r_i / a_i) + l2 log(c_j / b_j) = 0,
 * where eps log pi_ij + C_ij = f_i + g_j. */
static double kkt_residual(const scuot_ot_result *r, double l1, double l2)
{
	double res = 0, lnm = log((double)r->n * (double)r->m);
	for (int64_t i = 0; i < r->n; i++)
		for (int64_t j = 0; j < r->m; j++) {
			double x = r->f[i] + r->g[j] + r->eps * lnm + l1 * log(r->row_sum[i] / r->a[i]) +
			           l2 * log(r->col_sum[j] / r->b[j]);
			if (fabs(x) > res)
				res = fabs(x);
		}
	return res;
}

Test(sinkhorn, unbalanced_first_order_optimality)
{
	prob q;
	prob_make(&q, 23, 37, 4, 1.4, 0.6, 11);
	scuot_sinkhorn_opts o;
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_UNBALANCED);
	o.lambda1 = 0.7, o.lambda2 = 3, o.eps = 0.05, o.tol = 1e-13, o.max_iter = 100000;
	scuot_ot_result *r = solve(&q.p, &o);
	cr_expect(r->converged);
	double res = kkt_residual(r, o.lambda1, o.lambda2);
	cr_expect(res < 1e-9, "first-order residual %g, expected < 1e-9", res);
	/* the objective equals its definition evaluated on the coupling */
	scuot_cost c;
	scuot_err e = { 0 };
	cr_assert_eq(scuot_cost_init(&c, q.p.cost, q.x, q.n, q.y, q.m, q.d, 0, &e), 0);
	c.scale = r->cost_scale;
	double obj = 0, rho = 1.0 / (q.n * q.m), kla = 0, klb = 0;
	for (int64_t i = 0; i < q.n; i++)
		for (int64_t j = 0; j < q.m; j++) {
			double p = r->pi.dense[i * q.m + j];
			obj += p * scuot_cost_at(&c, i, j) + o.eps * (p * log(p / rho) - p + rho);
		}
	for (int64_t i = 0; i < q.n; i++)
		kla += r->row_sum[i] * log(r->row_sum[i] / q.a[i]) - r->row_sum[i] + q.a[i];
	for (int64_t j = 0; j < q.m; j++)
		klb += r->col_sum[j] * log(r->col_sum[j] / q.b[j]) - r->col_sum[j] + q.b[j];
	obj += o.lambda1 * kla + o.lambda2 * klb;
	scuot_cost_free(&c);
	cr_expect(fabs(obj - r->objective) < 1e-10 * fabs(obj), "objective %.15g, direct %.15g", r->objective, obj);
	scuot_ot_result_free(r);
	prob_free(&q);
}

Test(sinkhorn, semi_unbalanced_constraint_side)
{
	prob q;
	prob_make(&q, 12, 17, 3, 1.0, 2.0, 5);
	scuot_sinkhorn_opts o;
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_UNBALANCED);
	o.lambda1 = INFINITY, o.lambda2 = 2, o.tol = 1e-12, o.max_iter = 100000;
	scuot_ot_result *r = solve(&q.p, &o);
	cr_expect(r->converged);
	cr_expect(r->marg_err_a < 1e-9, "constrained source marginal error %g", r->marg_err_a);
	cr_expect(r->marg_err_b > 1e-3, "target marginal should be free (error %g)", r->marg_err_b);
	scuot_ot_result_free(r);
	prob_free(&q);
}

Test(sinkhorn, growth_iterations)
{
	prob q;
	prob_make(&q, 19, 14, 3, 1, 1, 3);
	scuot_sinkhorn_opts o;
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_UNBALANCED);
	o.tol = 1e-13, o.max_iter = 100000;
	scuot_ot_result *r1 = solve(&q.p, &o);
	o.growth_iters = 1;
	scuot_ot_result *r1b = solve(&q.p, &o);
	double d1 = max_rel_diff(r1b->pi.dense, r1->pi.dense, q.n * q.m);
	cr_expect(d1 == 0, "growth-iters 1 differs from a plain solve by %g", d1);
	/* growth-iters 2 = a second plain solve whose source prior is the first coupling's row sums and whose
	 * target prior is scaled by the same total (Waddington-OT: q = mean(G) for the new G) */
	o.growth_iters = 2;
	scuot_ot_result *r2 = solve(&q.p, &o);
	prob q2;
	prob_make(&q2, 19, 14, 3, 1, 1, 3);
	double sa = 0;
	for (int64_t i = 0; i < q.n; i++)
		q2.a[i] = r1->row_sum[i], sa += r1->row_sum[i];
	for (int64_t j = 0; j < q.m; j++)
		q2.b[j] = q.b[j] * sa;
	o.growth_iters = 1;
	scuot_ot_result *r2b = solve(&q2.p, &o);
	double d2 = max_rel_diff(r2->pi.dense, r2b->pi.dense, q.n * q.m);
	cr_expect(d2 < 1e-10, "growth-iters 2 differs from two chained solves by %g", d2);
	cr_expect(r2->iterations > r1->iterations);
	/* scaling factors are relative to the original masses */
	cr_expect(fabs(r2->scaling[0] - r2->row_sum[0] / q.a[0]) < 1e-15);
	scuot_ot_result_free(r1);
	scuot_ot_result_free(r1b);
	scuot_ot_result_free(r2);
	scuot_ot_result_free(r2b);
	prob_free(&q);
	prob_free(&q2);
}

static void expect_finite(const scuot_ot_result *r, const char *what)
{
	for (int64_t i = 0; i < r->n; i++)
		cr_expect(isfinite(r->f[i]) && isfinite(r->row_sum[i]) && isfinite(r->scaling[i]),
		          "%s: row %lld not finite", what, (long long)i);
	for (int64_t j = 0; j < r->m; j++)
		cr_expect(isfinite(r->g[j]) && isfinite(r->col_sum[j]), "%s: column %lld not finite", what, (long long)j);
	if (r->pi.kind == SCUOT_COUPLING_DENSE)
		for (int64_t k = 0; k < r->n * r->m; k++)
			cr_expect(isfinite(r->pi.dense[k]) && r->pi.dense[k] >= 0, "%s: pi[%lld] = %g", what, (long long)k,
			          r->pi.dense[k]);
	for (int k = 0; k < r->n_curve; k++)
		cr_expect(isfinite(r->curve[k]), "%s: curve[%d] = %g", what, k, r->curve[k]);
	cr_expect(isfinite(r->objective) && isfinite(r->transport_cost), "%s: objective %g, cost %g", what,
	          r->objective, r->transport_cost);
}

Test(sinkhorn, tiny_epsilon_stays_finite)
{
	prob q;
	prob_make(&q, 30, 25, 3, 1, 1, 13);
	scuot_sinkhorn_opts o;
	/* exp(-C / 1e-4) underflows for every entry with C >= 0.075 on a cost of median 1.  With epsilon scaling the
	 * solve converges; started at eps directly it converges slowly (rate 1 - O(eps)) but stays finite. */
	for (int scaling = 0; scaling < 2; scaling++) {
		for (int fl = 0; fl < 2; fl++) {
			scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_BALANCED);
			o.eps = 1e-4, o.tol = 1e-6, o.max_iter = scaling ? 50000 : 2000, o.float32 = fl;
			if (!scaling)
				o.eps0 = 0;
			scuot_ot_result *r = solve(&q.p, &o);
			expect_finite(r, scaling ? "balanced, eps scaling" : "balanced, no eps scaling");
			if (scaling)
				cr_expect(r->converged && r->marg_err_a < 1e-5 && r->marg_err_b < 1e-5,
				          "eps 1e-4 (float %d): converged %d, marginal errors %g %g", fl, r->converged,
				          r->marg_err_a, r->marg_err_b);
			scuot_ot_result_free(r);
			scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_UNBALANCED);
			o.eps = 1e-4, o.tol = 1e-6, o.max_iter = scaling ? 20000 : 2000, o.float32 = fl;
			if (!scaling)
				o.eps0 = 0;
			r = solve(&q.p, &o);
			expect_finite(r, "unbalanced");
			if (scaling) { /* unbalanced scaling contracts by about lambda / (lambda + eps) per iteration: slow */
				double res = kkt_residual(r, o.lambda1, o.lambda2);
				cr_expect(res < 1e-3, "eps 1e-4 unbalanced (float %d): first-order residual %g after %lld "
				          "iterations", fl, res, (long long)r->iterations);
			}
			scuot_ot_result_free(r);
		}
	}
	prob_free(&q);
}

Test(sinkhorn, float_kernel_close_to_double)
{
	prob q;
	prob_make(&q, 50, 60, 5, 1, 1.2, 17);
	scuot_sinkhorn_opts o;
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_UNBALANCED);
	o.tol = 1e-10, o.max_iter = 100000;
	scuot_ot_result *rd = solve(&q.p, &o);
	o.float32 = 1;
	scuot_ot_result *rf = solve(&q.p, &o);
	double d = max_rel_diff(rf->pi.dense, rd->pi.dense, q.n * q.m);
	cr_expect(d < 1e-5, "float kernel coupling differs from double by %g (relative, max norm); expected < 1e-5",
	          d);
	cr_expect(d > 0, "float kernel gave bit-identical results: was it used?");
	scuot_ot_result_free(rd);
	scuot_ot_result_free(rf);
	prob_free(&q);
}

Test(sinkhorn, on_the_fly_equals_stored)
{
	prob q;
	prob_make(&q, 70, 45, 4, 1, 0.9, 19);
	for (int kind = SCUOT_SINKHORN_BALANCED; kind <= SCUOT_SINKHORN_UNBALANCED; kind++) {
		scuot_sinkhorn_opts o;
		scuot_sinkhorn_opts_init(&o, kind);
		o.tol = 1e-9;
		q.p.max_memory = (size_t)1 << 30;
		scuot_ot_result *rs = solve(&q.p, &o);
		q.p.max_memory = 1;
		scuot_ot_result *rf = solve(&q.p, &o);
		cr_expect_eq(rf->pi.kind, SCUOT_COUPLING_NONE);
		double *ps = coupling(rs), *pf = coupling(rf);
		double d = max_rel_diff(pf, ps, q.n * q.m);
		cr_expect(d < 1e-10, "kind %d: on-the-fly coupling differs from stored by %g", kind, d);
		cr_expect_eq(rs->iterations, rf->iterations);
		free(ps);
		free(pf);
		scuot_ot_result_free(rs);
		scuot_ot_result_free(rf);
	}
	prob_free(&q);
}

Test(sinkhorn, wfr_no_mass_beyond_pi_delta)
{
	prob q;
	prob_make(&q, 25, 20, 2, 1, 1, 23);
	q.x[0] = 40, q.x[1] = 40; /* source 0 is far from every target: its row carries nothing */
	q.p.cost = SCUOT_COST_WFR, q.p.cost_norm = SCUOT_COSTNORM_NONE;
	scuot_sinkhorn_opts o;
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_WFR);
	o.delta = 0.4, o.eps = 0.01, o.tol = 1e-10, o.max_iter = 100000;
	scuot_ot_result *r = solve(&q.p, &o);
	expect_finite(r, "wfr");
	cr_expect(r->converged);
	cr_expect_eq(r->delta, 0.4);
	int64_t beyond = 0, within = 0;
	for (int64_t i = 0; i < q.n; i++)
		for (int64_t j = 0; j < q.m; j++) {
			double dx = q.x[2 * i] - q.y[2 * j], dy = q.x[2 * i + 1] - q.y[2 * j + 1];
			double p = r->pi.dense[i * q.m + j];
			if (sqrt(dx * dx + dy * dy) >= M_PI * o.delta) {
				beyond++;
				cr_expect(p == 0, "pair %lld %lld at distance %g > pi delta has mass %g", (long long)i,
				          (long long)j, sqrt(dx * dx + dy * dy), p);
			} else {
				within++;
				cr_expect(p > 0, "pair within reach has mass %g", p);
			}
		}
	cr_expect(beyond > 50 && within > 50, "test problem has %lld pairs beyond, %lld within", (long long)beyond,
	          (long long)within);
	cr_expect_eq(r->row_sum[0], 0.0);
	/* balanced transport with that unreachable source cell is refused */
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_BALANCED);
	o.delta = 0.4;
	scuot_err e = { 0 };
	scuot_ot_result *rb = scuot_ot_result_new(&q.p, &e);
	cr_expect_eq(scuot_ot_sinkhorn(&q.p, &o, rb, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "source cell 0"), "message: %s", e.msg);
	scuot_ot_result_free(rb);
	scuot_ot_result_free(r);
	prob_free(&q);
}

/* Two Diracs a at 0 and b at distance dist, delta 1: the minimiser of
 * pi c + KL(pi | a) + KL(pi | b) + eps KL(pi | 1), c = -2 log cos(dist / 2), is
 * pi = (a b e^-c)^(1 / (2 + eps)) = (a b cos^2(dist / 2))^(1 / (2 + eps)); at eps = 0 this is
 * sqrt(a b) cos(dist / 2)
 * and the value a + b - 2 sqrt(a b) cos(dist / 2) is the Hellinger-Kantorovich distance squared
 * (Liero-Mielke-Savare 2018, Chizat et al. 2018). */
Test(sinkhorn, wfr_two_diracs)
{
	double x = 0, y[3] = { 0.7, 2.0, 2.9 }, a = 1.3, b = 0.4;
	for (int k = 0; k < 3; k++) {
		for (int ke = 0; ke < 2; ke++) {
			double eps = ke ? 1e-3 : 0.1;
			scuot_ot_problem p = { 0 };
			p.n = p.m = p.d = 1, p.x = &x, p.y = &y[k], p.a = &a, p.b = &b;
			p.cost = SCUOT_COST_WFR, p.max_memory = 1 << 20;
			scuot_sinkhorn_opts o;
			scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_WFR);
			o.delta = 1, o.eps = eps, o.tol = 1e-15, o.max_iter = 100000;
			scuot_ot_result *r = solve(&p, &o);
			double c = cos(y[k] / 2), expect = pow(a * b * c * c, 1 / (2 + eps));
			double got = r->pi.dense[0];
			cr_expect(fabs(got - expect) < 1e-12, "dist %g eps %g: pi %.15g, closed form %.15g", y[k], eps, got,
			          expect);
			if (ke) {
				double hk = a + b - 2 * sqrt(a * b) * c;
				double unreg = got * -2 * log(c) + got * log(got / a) - got + a + got * log(got / b) - got + b;
				cr_expect(fabs(unreg - hk) < 1e-3, "dist %g: unregularised value %g, HK^2 %g", y[k], unreg, hk);
			}
			scuot_ot_result_free(r);
		}
	}
}

Test(sinkhorn, wfr_automatic_delta)
{
	prob q;
	prob_make(&q, 15, 12, 3, 1, 1, 29);
	q.p.cost = SCUOT_COST_WFR;
	scuot_sinkhorn_opts o;
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_WFR);
	scuot_ot_result *r = solve(&q.p, &o);
	/* half the square root of the median of the 180 squared distances */
	double dist[180];
	for (int64_t i = 0; i < 15; i++)
		for (int64_t j = 0; j < 12; j++) {
			double s = 0;
			for (int k = 0; k < 3; k++)
				s += (q.x[i * 3 + k] - q.y[j * 3 + k]) * (q.x[i * 3 + k] - q.y[j * 3 + k]);
			dist[i * 12 + j] = sqrt(s);
		}
	for (int i = 1; i < 180; i++) /* insertion sort */
		for (int j = i; j > 0 && dist[j - 1] > dist[j]; j--) {
			double t = dist[j];
			dist[j] = dist[j - 1], dist[j - 1] = t;
		}
	double med = sqrt(0.5 * (dist[89] * dist[89] + dist[90] * dist[90]));
	cr_expect(fabs(r->delta - med / 2) < 1e-12 * med,
	          "delta %.15g, expected sqrt(median squared distance) / 2 = %.15g", r->delta, med / 2);
	cr_expect_eq(r->cost_norm, SCUOT_COSTNORM_NONE);
	cr_expect_eq(r->cost_scale, 1.0);
	scuot_ot_result_free(r);
	prob_free(&q);
}

static scuot_ot_result *run_table(const char *name, const scuot_ot_problem *p, double *par)
{
	scuot_err e = { 0 };
	const scuot_ot_method *m = scuot_ot_method_find(name);
	cr_assert(m, "method %s not in the table", name);
	scuot_ot_result *r = scuot_ot_result_new(p, &e);
	cr_assert(r);
	cr_assert_eq(scuot_ot_run(m, p, par, r, &e), 0, "%s: %s", name, e.msg);
	cr_expect_str_eq(r->method, name);
	return r;
}

Test(sinkhorn, table_and_thread_determinism)
{
	prob q;
	prob_make(&q, 200, 170, 6, 1, 1.1, 31);
	const char *names[3] = { "sinkhorn", "uot", "wfr" };
	int n;
	scuot_ot_methods(&n);
	for (int k = 0; k < 3; k++) {
		const scuot_ot_method *m = scuot_ot_method_find(names[k]);
		cr_assert(m, "%s not registered", names[k]);
		double par[SCUOT_OT_MAX_PARAMS];
		for (int t = 0; t < m->n_params; t++)
			par[t] = m->params[t].def;
		q.p.cost = m->default_cost;
		q.p.cost_norm = q.p.cost == SCUOT_COST_WFR ? SCUOT_COSTNORM_NONE : SCUOT_COSTNORM_MEDIAN;
		if (!strcmp(names[k], "uot")) {
			cr_expect_eq(m->params[scuot_ot_param_index(m, "epsilon")].def, 0.05);
			cr_expect_eq(m->params[scuot_ot_param_index(m, "lambda1")].def, 1);
			cr_expect_eq(m->params[scuot_ot_param_index(m, "lambda2")].def, 50);
			cr_expect_eq(m->default_cost, SCUOT_COST_SQEUCLIDEAN);
			par[scuot_ot_param_index(m, "growth-iters")] = 2;
		}
		for (int mode = 0; mode < 3; mode++) { /* stored double, stored float, on the fly */
			par[scuot_ot_param_index(m, "float32")] = mode == 1;
			q.p.max_memory = mode == 2 ? 1 : (size_t)1 << 30;
			scuot_threads_set(1);
			scuot_ot_result *r1 = run_table(names[k], &q.p, par);
			scuot_threads_set(2);
			scuot_ot_result *r2 = run_table(names[k], &q.p, par);
			cr_expect(r1->converged, "%s mode %d did not converge", names[k], mode);
			cr_expect_eq(r1->iterations, r2->iterations);
			cr_expect(!memcmp(r1->f, r2->f, sizeof(double) * (size_t)q.n) &&
			          !memcmp(r1->g, r2->g, sizeof(double) * (size_t)q.m),
			          "%s mode %d: potentials differ between 1 and 2 threads", names[k], mode);
			cr_expect(r1->objective == r2->objective && r1->transport_cost == r2->transport_cost,
			          "%s mode %d: objective %.17g vs %.17g", names[k], mode, r1->objective, r2->objective);
			if (mode != 2)
				cr_expect(!memcmp(r1->pi.dense, r2->pi.dense, sizeof(double) * (size_t)(q.n * q.m)),
				          "%s mode %d: couplings differ between 1 and 2 threads", names[k], mode);
			expect_finite(r1, names[k]);
			scuot_ot_result_free(r1);
			scuot_ot_result_free(r2);
		}
	}
	scuot_threads_set(0);
	prob_free(&q);
}

Test(sinkhorn, bad_options)
{
	scuot_sinkhorn_opts o;
	scuot_err e = { 0 };
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_UNBALANCED);
	o.eps = 0;
	cr_expect_eq(scuot_sinkhorn_opts_check(&o, &e), SCUOT_EUSAGE);
	cr_expect(strstr(e.msg, "--epsilon"), "%s", e.msg);
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_UNBALANCED);
	o.lambda2 = -1;
	cr_expect_eq(scuot_sinkhorn_opts_check(&o, &e), SCUOT_EUSAGE);
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_UNBALANCED);
	o.growth_iters = 0;
	cr_expect_eq(scuot_sinkhorn_opts_check(&o, &e), SCUOT_EUSAGE);
	/* through the table: a value out of the parameter's range */
	prob q;
	prob_make(&q, 5, 4, 2, 1, 1, 37);
	const scuot_ot_method *m = scuot_ot_method_find("uot");
	double par[SCUOT_OT_MAX_PARAMS];
	for (int t = 0; t < m->n_params; t++)
		par[t] = m->params[t].def;
	par[scuot_ot_param_index(m, "epsilon")] = -1;
	scuot_ot_result *r = scuot_ot_result_new(&q.p, &e);
	cr_expect_eq(scuot_ot_run(m, &q.p, par, r, &e), SCUOT_EUSAGE);
	scuot_ot_result_free(r);
	prob_free(&q);
}
