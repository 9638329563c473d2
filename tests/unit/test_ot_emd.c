/* test_ot_emd.c -- unit tests of the network-simplex EMD (src/lib/ot/emd.c): POT reference cases, optimality
 * certificates (dual feasibility, complementary slackness, strong duality), closed forms, bad input, the method. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ot/cost.h"
#include "ot/emd.h"
#include "ot/ot.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name tests/fixtures/ot/emd"
#endif

/* ---- helpers ---- */

static uint64_t rng_state;

static double urand(void) /* xorshift64*, uniform in [0, 1) */
{
	rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double nrand(void)
{
	double u = urand() + 1e-300, v = urand();
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static void *xcalloc(size_t n, size_t s)
{
	void *p = calloc(n ? n : 1, s);
	cr_assert(p, "out of memory");
	return p;
}

/* C_ij = sum_k (x_ik - y_jk)^2, or its square root. */
static double *direct_cost(const double *x, int64_t n, const double *y, int64_t m, int64_t d, int euclid)
{
	double *C = xcalloc((size_t)(n * m), sizeof(double));
	for (int64_t i = 0; i < n; i++)
		for (int64_t j = 0; j < m; j++) {
			double s = 0;
			for (int64_t k = 0; k < d; k++)
				s += (x[i * d + k] - y[j * d + k]) * (x[i * d + k] - y[j * d + k]);
			C[i * m + j] = euclid ? sqrt(s) : s;
		}
	return C;
}

static double *random_masses(int64_t n, int uniform)
{
	double *w = xcalloc((size_t)n, sizeof(double)), t = 0;
	for (int64_t i = 0; i < n; i++)
		t += w[i] = uniform ? 1.0 : -log(urand() + 1e-12);
	for (int64_t i = 0; i < n; i++)
		w[i] /= t;
	return w;
}

/* Every check of an optimal solution: structure, primal feasibility (marginals to mtol), dual feasibility on
 * all pairs and complementary slackness (to dtol max|C|), strong duality and the reported cost. */
static void check_certificate(const char *name, int64_t n, int64_t m, const double *a, const double *b,
                              const double *C, const scuot_emd_result *r, double mtol, double dtol)
{
	double cmax = 0, cost = 0, dual = 0;
	for (int64_t q = 0; q < n * m; q++)
		cmax = fmax(cmax, fabs(C[q]));
	double tol = dtol * (cmax > 0 ? cmax : 1);
	cr_assert_eq(r->optimal, 1, "%s: not optimal after %lld pivots", name, (long long)r->iterations);
	cr_assert(r->nnz <= n + m - 1, "%s: %lld coupling entries, a basis has at most %lld", name,
	          (long long)r->nnz, (long long)(n + m - 1));
	double *rs = xcalloc((size_t)n, sizeof(double)), *cs = xcalloc((size_t)m, sizeof(double));
	for (int64_t q = 0; q < r->nnz; q++) {
		int64_t i = r->row[q], j = r->col[q];
		cr_assert(i >= 0 && i < n && j >= 0 && j < m, "%s: entry %lld at (%lld, %lld) out of range", name,
		          (long long)q, (long long)i, (long long)j);
		if (q > 0)
			cr_assert(r->row[q - 1] < i || (r->row[q - 1] == i && r->col[q - 1] < j),
			          "%s: entries %lld and %lld not sorted by (row, col)", name, (long long)q - 1, (long long)q);
		cr_assert(r->flow[q] > 0, "%s: entry %lld has flow %g", name, (long long)q, r->flow[q]);
		rs[i] += r->flow[q], cs[j] += r->flow[q], cost += r->flow[q] * C[i * m + j];
		double slack = C[i * m + j] - r->u[i] - r->v[j];
		cr_assert(fabs(slack) <= tol, "%s: flow %g on (%lld, %lld) but C - u - v = %g (tolerance %g)", name,
		          r->flow[q], (long long)i, (long long)j, slack, tol);
	}
	for (int64_t i = 0; i < n; i++)
		cr_assert(fabs(rs[i] - a[i]) <= mtol, "%s: row %lld sums to %.17g, a = %.17g", name, (long long)i, rs[i],
		          a[i]);
	for (int64_t j = 0; j < m; j++)
		cr_assert(fabs(cs[j] - b[j]) <= mtol, "%s: column %lld sums to %.17g, b = %.17g", name, (long long)j,
		          cs[j], b[j]);
	for (int64_t i = 0; i < n; i++)
		for (int64_t j = 0; j < m; j++)
			cr_assert(r->u[i] + r->v[j] <= C[i * m + j] + tol, "%s: dual infeasible at (%lld, %lld): u + v = "
			          "%.17g > C = %.17g", name, (long long)i, (long long)j, r->u[i] + r->v[j], C[i * m + j]);
	for (int64_t i = 0; i < n; i++)
		dual += a[i] * r->u[i];
	for (int64_t j = 0; j < m; j++)
		dual += b[j] * r->v[j];
	cr_assert(fabs(cost - r->cost) <= 1e-12 * fmax(1, fabs(cost)), "%s: reported cost %.17g, sum flow C %.17g",
	          name, r->cost, cost);
	cr_assert(fabs(cost - dual) <= 1e-9 * fmax(cmax, 1e-300), "%s: primal %.17g != dual %.17g", name, cost,
	          dual);
	free(rs);
	free(cs);
}

/* ---- (a) POT reference cases ---- */

typedef struct {
	char name[64];
	int64_t n, m;
	int unique;
	double *a, *b, *C, *plan; /* plan dense n x m */
	double cost;
} fx_case;

static void read_vec(FILE *fp, const char *tag, double *v, int64_t k)
{
	char t[16];
	cr_assert_eq(fscanf(fp, "%15s", t), 1);
	cr_assert_str_eq(t, tag);
	for (int64_t i = 0; i < k; i++)
		cr_assert_eq(fscanf(fp, "%lf", &v[i]), 1, "fixture: short %s vector", tag);
}

/* Next case of cases.txt, or 0 at the end. */
static int fx_next(FILE *fp, fx_case *c)
{
	char t[64], kind[32];
	long long n, m, d, nnz, i, j;
	int u;
	int ch;
	while ((ch = fgetc(fp)) == '#')
		while ((ch = fgetc(fp)) != '\n' && ch != EOF)
			;
	if (ch == EOF)
		return 0;
	ungetc(ch, fp);
	if (fscanf(fp, "%63s", t) != 1)
		return 0;
	cr_assert_str_eq(t, "case");
	cr_assert_eq(fscanf(fp, "%63s %lld %lld %d", c->name, &n, &m, &u), 4);
	c->n = n, c->m = m, c->unique = u;
	c->a = xcalloc((size_t)n, sizeof(double));
	c->b = xcalloc((size_t)m, sizeof(double));
	c->plan = xcalloc((size_t)(n * m), sizeof(double));
	read_vec(fp, "a", c->a, n);
	read_vec(fp, "b", c->b, m);
	cr_assert_eq(fscanf(fp, "%63s", t), 1);
	if (!strcmp(t, "points")) {
		cr_assert_eq(fscanf(fp, "%lld %31s", &d, kind), 2);
		double *x = xcalloc((size_t)(n * d), sizeof(double)), *y = xcalloc((size_t)(m * d), sizeof(double));
		for (long long k = 0; k < n * d; k++)
			cr_assert_eq(fscanf(fp, "%lf", &x[k]), 1);
		for (long long k = 0; k < m * d; k++)
			cr_assert_eq(fscanf(fp, "%lf", &y[k]), 1);
		c->C = direct_cost(x, n, y, m, d, !strcmp(kind, "euclidean"));
		free(x);
		free(y);
	} else {
		cr_assert_str_eq(t, "matrix");
		c->C = xcalloc((size_t)(n * m), sizeof(double));
		for (long long k = 0; k < n * m; k++)
			cr_assert_eq(fscanf(fp, "%lf", &c->C[k]), 1);
	}
	cr_assert_eq(fscanf(fp, "%63s %lf", t, &c->cost), 2);
	cr_assert_str_eq(t, "cost");
	cr_assert_eq(fscanf(fp, "%63s %lld", t, &nnz), 2);
	cr_assert_str_eq(t, "plan");
	for (long long k = 0; k < nnz; k++) {
		double v;
		cr_assert_eq(fscanf(fp, "%lld %lld %lf", &i, &j, &v), 3);
		c->plan[i * m + j] = v;
	}
	cr_assert_eq(fscanf(fp, "%63s", t), 1);
	cr_assert_str_eq(t, "end");
	while ((ch = fgetc(fp)) != '\n' && ch != EOF)
		;
	return 1;
}

static void fx_free(fx_case *c)
{
	free(c->a);
	free(c->b);
	free(c->C);
	free(c->plan);
}

Test(emd, pot_reference_cases)
{
	FILE *fp = fopen(FIXTURE_DIR "/cases.txt", "r");
	cr_assert(fp, "cannot open %s", FIXTURE_DIR "/cases.txt");
	fx_case c;
	int ncase = 0;
	while (fx_next(fp, &c)) {
		scuot_emd_result r;
		scuot_err e = {0};
		int ret = scuot_emd(c.n, c.m, c.a, c.b, c.C, 0, &r, &e);
		cr_assert_eq(ret, 0, "%s: %s", c.name, e.msg);
		cr_assert(fabs(r.cost - c.cost) <= 1e-9 * fabs(c.cost) + 1e-15, "%s: cost %.17g, POT %.17g", c.name,
		          r.cost, c.cost);
		check_certificate(c.name, c.n, c.m, c.a, c.b, c.C, &r, 1e-12, 1e-9);
		if (c.unique) {
			double *pl = xcalloc((size_t)(c.n * c.m), sizeof(double));
			for (int64_t q = 0; q < r.nnz; q++)
				pl[r.row[q] * c.m + r.col[q]] = r.flow[q];
			for (int64_t q = 0; q < c.n * c.m; q++)
				cr_assert(fabs(pl[q] - c.plan[q]) <= 1e-12, "%s: plan (%lld, %lld) = %.17g, POT %.17g", c.name,
				          (long long)(q / c.m), (long long)(q % c.m), pl[q], c.plan[q]);
			free(pl);
		}
		scuot_emd_result_clear(&r);
		fx_free(&c);
		ncase++;
	}
	fclose(fp);
	cr_assert_eq(ncase, 9, "read %d cases from cases.txt, expected 9", ncase);
}

/* ---- (b) certificates on random problems ---- */

static void random_problem(int64_t n, int64_t m, int64_t d, int euclid, int uniform, uint64_t seed)
{
	rng_state = seed;
	double *x = xcalloc((size_t)(n * d), sizeof(double)), *y = xcalloc((size_t)(m * d), sizeof(double));
	for (int64_t k = 0; k < n * d; k++)
		x[k] = nrand();
	for (int64_t k = 0; k < m * d; k++)
		y[k] = nrand() * 1.2 + 0.3;
	double *a = random_masses(n, uniform), *b = random_masses(m, uniform);
	double *C = direct_cost(x, n, y, m, d, euclid);
	scuot_emd_result r;
	scuot_err e = {0};
	char name[96];
	snprintf(name, sizeof name, "random %lld x %lld (d %lld, %s, %s)", (long long)n, (long long)m, (long long)d,
	         euclid ? "euclidean" : "sqeuclidean", uniform ? "uniform" : "weighted");
	cr_assert_eq(scuot_emd(n, m, a, b, C, 0, &r, &e), 0, "%s: %s", name, e.msg);
	check_certificate(name, n, m, a, b, C, &r, 1e-12, 1e-9);
	scuot_emd_result_clear(&r);
	free(x);
	free(y);
	free(a);
	free(b);
	free(C);
}

Test(emd, certificate_small)
{
	random_problem(1, 1, 2, 0, 1, 1);
	random_problem(2, 3, 2, 0, 0, 2);
	random_problem(10, 10, 3, 1, 1, 3);
	random_problem(57, 31, 4, 0, 0, 4);
	random_problem(31, 57, 4, 1, 0, 5);
}

Test(emd, certificate_large)
{
	random_problem(200, 200, 10, 0, 1, 6);
	random_problem(500, 700, 5, 0, 0, 7);
	random_problem(300, 250, 2, 1, 0, 8);
}

Test(emd, certificate_integer_costs)
{
	/* massive ties and degenerate bases: integer costs 0..3, uniform masses, n = m */
	int64_t n = 150;
	rng_state = 99;
	double *a = random_masses(n, 1), *b = random_masses(n, 1), *C = xcalloc((size_t)(n * n), sizeof(double));
	for (int64_t q = 0; q < n * n; q++)
		C[q] = floor(urand() * 4);
	scuot_emd_result r;
	scuot_err e = {0};
	cr_assert_eq(scuot_emd(n, n, a, b, C, 0, &r, &e), 0, "%s", e.msg);
	check_certificate("integer costs 150 x 150", n, n, a, b, C, &r, 1e-12, 1e-9);
	scuot_emd_result_clear(&r);
	free(a);
	free(b);
	free(C);
}

/* ---- (c) closed forms ---- */

static int cmp_d(const void *p, const void *q)
{
	double x = *(const double *)p, y = *(const double *)q;
	return (x > y) - (x < y);
}

Test(emd, sorted_matching_1d)
{
	int64_t n = 300;
	double *x = xcalloc((size_t)n, sizeof(double)), *y = xcalloc((size_t)n, sizeof(double));
	rng_state = 11;
	for (int64_t i = 0; i < n; i++)
		x[i] = nrand(), y[i] = 2 * urand();
	for (int p = 1; p <= 2; p++) {
		double dist, want = 0;
		scuot_err e = {0};
		int ret = scuot_emd_distance(x, n, NULL, y, n, NULL, 1, p == 1 ? SCUOT_COST_EUCLIDEAN :
		                             SCUOT_COST_SQEUCLIDEAN, &dist, &e);
		cr_assert_eq(ret, 0, "%s", e.msg);
		double *xs = xcalloc((size_t)n, sizeof(double)), *ys = xcalloc((size_t)n, sizeof(double));
		memcpy(xs, x, sizeof(double) * (size_t)n);
		memcpy(ys, y, sizeof(double) * (size_t)n);
		qsort(xs, (size_t)n, sizeof(double), cmp_d);
		qsort(ys, (size_t)n, sizeof(double), cmp_d);
		for (int64_t k = 0; k < n; k++)
			want += pow(fabs(xs[k] - ys[k]), p) / n;
		cr_assert(fabs(dist - want) <= 1e-10 * want, "W%d on the line: %.17g, sorted matching %.17g", p, dist,
		          want);
		free(xs);
		free(ys);
	}
	free(x);
	free(y);
}

Test(emd, identical_clouds)
{
	int64_t n = 120, d = 6;
	double *x = xcalloc((size_t)(n * d), sizeof(double)), *w = random_masses(n, 0);
	rng_state = 12;
	for (int64_t k = 0; k < n * d; k++)
		x[k] = nrand();
	free(w);
	rng_state = 13;
	w = random_masses(n, 0);
	for (int kind = SCUOT_COST_SQEUCLIDEAN; kind <= SCUOT_COST_EUCLIDEAN; kind++) {
		double dist = -1;
		scuot_err e = {0};
		cr_assert_eq(scuot_emd_distance(x, n, w, x, n, w, d, kind, &dist, &e), 0, "%s", e.msg);
		cr_assert(fabs(dist) <= 1e-7, "%s distance of a cloud to itself: %g, expected 0",
		          scuot_cost_kind_name(kind), dist);
	}
	/* and exactly 0 with an exact zero diagonal */
	double *C = direct_cost(x, n, x, n, d, 0);
	scuot_emd_result r;
	scuot_err e = {0};
	cr_assert_eq(scuot_emd(n, n, w, w, C, 0, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.cost, 0.0, "cost of the identity transport %g, expected 0", r.cost);
	cr_assert_eq(r.nnz, n, "identity transport has %lld entries, expected %lld", (long long)r.nnz, (long long)n);
	for (int64_t q = 0; q < r.nnz; q++)
		cr_assert_eq(r.row[q], r.col[q], "entry %lld at (%d, %d) off the diagonal", (long long)q, r.row[q],
		             r.col[q]);
	scuot_emd_result_clear(&r);
	free(C);
	free(x);
	free(w);
}

Test(emd, max_iter_stops_early)
{
	int64_t n = 40;
	rng_state = 21;
	double *a = random_masses(n, 1), *C = xcalloc((size_t)(n * n), sizeof(double));
	for (int64_t q = 0; q < n * n; q++)
		C[q] = urand();
	scuot_emd_result r;
	scuot_err e = {0};
	cr_assert_eq(scuot_emd(n, n, a, a, C, 5, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.optimal, 0, "optimal after 5 pivots on a 40 x 40 problem");
	cr_assert_eq(r.iterations, 5, "iterations %lld, max_iter 5", (long long)r.iterations);
	scuot_emd_result_clear(&r);
	cr_assert_eq(scuot_emd(n, n, a, a, C, 0, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.optimal, 1);
	cr_assert(r.iterations > 5, "only %lld pivots to the optimum", (long long)r.iterations);
	scuot_emd_result_clear(&r);
	scuot_emd_result_clear(NULL);
	free(a);
	free(C);
}

/* ---- (d) bad input ---- */

Test(emd, bad_input)
{
	double a[3] = {0.2, 0.3, 0.5}, b[2] = {0.5, 0.6}, C[6] = {1, 2, 3, 4, 5, 6};
	scuot_emd_result r;
	scuot_err e = {0};
	cr_assert_eq(scuot_emd(3, 2, a, b, C, 0, &r, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "sum"), "unequal sums: message '%s' does not say so", e.msg);
	cr_assert_null(r.row);
	double b2[2] = {0.5, 0.5}, an[3] = {0.6, -0.1, 0.5};
	e = (scuot_err){0};
	cr_assert_eq(scuot_emd(3, 2, an, b2, C, 0, &r, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "source mass 1"), "negative mass: message '%s' does not name it", e.msg);
	double bn[2] = {1.5, -0.5};
	e = (scuot_err){0};
	cr_assert_eq(scuot_emd(3, 2, a, bn, C, 0, &r, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "target mass 1"), "negative mass: message '%s'", e.msg);
	double Cn[6] = {1, 2, NAN, 4, 5, 6};
	e = (scuot_err){0};
	cr_assert_eq(scuot_emd(3, 2, a, b2, Cn, 0, &r, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "(1, 0)"), "NaN cost: message '%s' does not name the entry", e.msg);
	e = (scuot_err){0};
	cr_assert_eq(scuot_emd(0, 2, a, b2, C, 0, &r, &e), SCUOT_EINPUT);
	e = (scuot_err){0};
	cr_assert_eq(scuot_emd(3, 2, a, b2, C, -1, &r, &e), SCUOT_EUSAGE);
	double dist;
	e = (scuot_err){0};
	cr_assert_eq(scuot_emd_distance(C, 3, NULL, C, 2, NULL, 1, SCUOT_COST_WFR, &dist, &e), SCUOT_EUSAGE);
	double wz[2] = {0, 0};
	e = (scuot_err){0};
	cr_assert_eq(scuot_emd_distance(C, 3, NULL, C, 2, wz, 1, SCUOT_COST_EUCLIDEAN, &dist, &e), SCUOT_EINPUT);
	/* sums equal within 1e-9 relative are accepted */
	double bt[2] = {0.5, 0.5 + 1e-12};
	e = (scuot_err){0};
	cr_assert_eq(scuot_emd(3, 2, a, bt, C, 0, &r, &e), 0, "%s", e.msg);
	scuot_emd_result_clear(&r);
}

/* ---- (e) the method through the table ---- */

Test(emd, method_through_table)
{
	const scuot_ot_method *mt = scuot_ot_method_find("emd");
	cr_assert_not_null(mt, "method emd is not registered");
	cr_assert_str_eq(mt->family, "static coupling");
	cr_assert_eq(mt->default_cost, SCUOT_COST_SQEUCLIDEAN);
	cr_assert_eq(scuot_ot_param_index(mt, "max-iter"), 0);
	int64_t n = 90, m = 70, d = 4;
	rng_state = 31;
	double *x = xcalloc((size_t)(n * d), sizeof(double)), *y = xcalloc((size_t)(m * d), sizeof(double));
	double *a = xcalloc((size_t)n, sizeof(double)), *b = xcalloc((size_t)m, sizeof(double)), sa = 0, sb = 0;
	for (int64_t k = 0; k < n * d; k++)
		x[k] = nrand();
	for (int64_t k = 0; k < m * d; k++)
		y[k] = nrand() + 1;
	for (int64_t i = 0; i < n; i++)
		sa += a[i] = 1 + urand();
	for (int64_t j = 0; j < m; j++)
		sb += b[j] = 1 + urand();
	for (int64_t j = 0; j < m; j++) /* same total as a, in other units than 1 */
		b[j] *= sa / sb;
	scuot_ot_problem p = {.n = n, .m = m, .d = d, .x = x, .y = y, .a = a, .b = b, .t0 = 0, .t1 = 2,
	                      .cost = SCUOT_COST_SQEUCLIDEAN, .cost_norm = SCUOT_COSTNORM_MEDIAN,
	                      .max_memory = (size_t)1 << 30};
	scuot_err e = {0};
	scuot_ot_result *r = scuot_ot_result_new(&p, &e);
	cr_assert_not_null(r, "%s", e.msg);
	double par[1] = {mt->params[0].def};
	cr_assert_eq(scuot_ot_run(mt, &p, par, r, &e), 0, "%s", e.msg);
	cr_assert_eq(r->pi.kind, SCUOT_COUPLING_SPARSE);
	cr_assert_eq(r->pi.topk, 0);
	cr_assert_eq(r->pi.kept_mass, 1.0);
	cr_assert_eq(r->converged, 1);
	cr_assert(r->iterations > 0);
	cr_assert(r->cost_scale > 0 && r->cost_scale != 1.0, "median normalisation: scale %g", r->cost_scale);
	for (int64_t i = 0; i < n; i++)
		cr_assert(fabs(r->row_sum[i] - a[i]) <= 1e-12 * sa, "row %lld: %.17g, a %.17g", (long long)i,
		          r->row_sum[i], a[i]);
	for (int64_t j = 0; j < m; j++)
		cr_assert(fabs(r->col_sum[j] - b[j]) <= 1e-12 * sa, "column %lld: %.17g, b %.17g", (long long)j,
		          r->col_sum[j], b[j]);
	cr_assert(r->marg_err_a <= 1e-12 && r->marg_err_b <= 1e-12, "marginal errors %g %g", r->marg_err_a,
	          r->marg_err_b);
	/* the transport cost is that of the normalised problem (scaled cost) times sum a */
	scuot_cost c;
	cr_assert_eq(scuot_cost_init(&c, SCUOT_COST_SQEUCLIDEAN, x, n, y, m, d, 1, &e), 0);
	cr_assert_eq(scuot_cost_normalize(&c, SCUOT_COSTNORM_MEDIAN, &e), 0);
	cr_assert(fabs(c.scale - r->cost_scale) <= 1e-15 * c.scale);
	double *C = scuot_cost_matrix(&c, &e), *an = xcalloc((size_t)n, sizeof(double));
	double *bn = xcalloc((size_t)m, sizeof(double)), tc = 0;
	cr_assert_not_null(C);
	for (int64_t i = 0; i < n; i++)
		an[i] = a[i] / sa;
	for (int64_t j = 0; j < m; j++)
		bn[j] = b[j] / sa;
	scuot_emd_result er;
	cr_assert_eq(scuot_emd(n, m, an, bn, C, 0, &er, &e), 0, "%s", e.msg);
	for (int64_t i = 0; i < n; i++)
		for (int64_t k = r->pi.indptr[i]; k < r->pi.indptr[i + 1]; k++)
			tc += r->pi.data[k] * C[i * m + r->pi.indices[k]];
	cr_assert(fabs(r->transport_cost - er.cost * sa) <= 1e-9 * er.cost * sa, "transport cost %.17g, expected %.17g",
	          r->transport_cost, er.cost * sa);
	cr_assert(fabs(tc - r->transport_cost) <= 1e-12 * tc, "sum pi C %.17g, transport cost %.17g", tc,
	          r->transport_cost);
	cr_assert_eq(r->objective, r->transport_cost);
	scuot_emd_result_clear(&er);
	scuot_cost_free(&c);
	free(C);
	free(an);
	free(bn);
	scuot_ot_result_free(r);

	/* over the memory budget: SCUOT_ELIMIT saying how much is needed */
	p.max_memory = 1000;
	r = scuot_ot_result_new(&p, &e);
	e = (scuot_err){0};
	cr_assert_eq(scuot_ot_run(mt, &p, par, r, &e), SCUOT_ELIMIT);
	cr_assert(strstr(e.msg, "--max-memory"), "message '%s' does not name --max-memory", e.msg);
	scuot_ot_result_free(r);
	free(x);
	free(y);
	free(a);
	free(b);
}
