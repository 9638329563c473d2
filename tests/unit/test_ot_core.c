/* test_ot_core.c -- unit tests of the ot framework: ground costs against brute force, result files
 * (round trip, wrong format/version/method), couplings rebuilt from potentials and interpolation rules. */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/rng.h"
#include "io/h5ad.h"
#include "io/result.h"
#include "ot/cost.h"
#include "ot/interp.h"
#include "ot/ot.h"

static char dir[64];

static void setup(void)
{
	scuot_log_set_level(SCUOT_LOG_ERROR);
	snprintf(dir, sizeof dir, "/tmp/scuot_test_ot_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(ot, .init = setup, .fini = teardown);

/* Deterministic pseudo-random coordinates in [-2, 2). */
static double *cloud(int64_t n, int64_t d, uint64_t seed)
{
	double *x = malloc(sizeof(double) * (size_t)(n * d));
	uint64_t s = seed;
	for (int64_t i = 0; i < n * d; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		x[i] = 4.0 * (double)(s >> 11) / 9007199254740992.0 - 2.0;
	}
	return x;
}

static double brute(const double *x, const double *y, int64_t d, int kind, double delta)
{
	double s = 0;
	for (int64_t k = 0; k < d; k++)
		s += (x[k] - y[k]) * (x[k] - y[k]);
	if (kind == SCUOT_COST_SQEUCLIDEAN)
		return s;
	if (kind == SCUOT_COST_EUCLIDEAN)
		return sqrt(s);
	double r = sqrt(s) / (2 * delta);
	return r >= M_PI / 2 ? INFINITY : -2 * log(cos(r));
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

Test(ot, cost_rows_match_brute_force)
{
	int64_t n = 37, m = 23, d = 5;
	double *x = cloud(n, d, 1), *y = cloud(m, d, 2);
	for (int kind = 1; kind <= 3; kind++) {
		scuot_cost c;
		scuot_err e = { 0 };
		cr_assert_eq(scuot_cost_init(&c, kind, x, n, y, m, d, 1.0, &e), 0, "%s", e.msg);
		double *C = scuot_cost_matrix(&c, &e);
		cr_assert_not_null(C);
		int ninf = 0;
		for (int64_t i = 0; i < n; i++)
			for (int64_t j = 0; j < m; j++) {
				double want = brute(x + i * d, y + j * d, d, kind, 1.0), got = C[i * m + j];
				if (isinf(want)) {
					ninf++;
					cr_assert(isinf(got) && got > 0, "kind %d (%lld,%lld): %g, want +inf", kind, (long long)i,
					          (long long)j, got);
				} else {
					cr_assert(fabs(got - want) <= 1e-9 * (1 + want), "kind %d (%lld,%lld): %.17g vs %.17g", kind,
					          (long long)i, (long long)j, got, want);
					cr_assert(fabs(scuot_cost_at(&c, i, j) - want) <= 1e-12 * (1 + want));
				}
			}
		if (kind == SCUOT_COST_WFR)
			cr_assert(ninf > 0 && ninf < n * m, "the WFR cutoff at pi delta should cut some pairs (%d)", ninf);
		/* normalisation: median / mean / max of all entries */
		if (kind != SCUOT_COST_WFR) {
			double *v = malloc(sizeof(double) * (size_t)(n * m)), sum = 0, mx = 0;
			memcpy(v, C, sizeof(double) * (size_t)(n * m));
			qsort(v, (size_t)(n * m), sizeof(double), cmpd);
			for (int64_t k = 0; k < n * m; k++)
				sum += v[k], mx = v[k] > mx ? v[k] : mx;
			double med = n * m % 2 ? v[n * m / 2] : 0.5 * (v[n * m / 2 - 1] + v[n * m / 2]);
			cr_assert_eq(scuot_cost_normalize(&c, SCUOT_COSTNORM_MEDIAN, &e), 0, "%s", e.msg);
			cr_assert_float_eq(c.scale, med, 1e-12 * med);
			cr_assert_eq(scuot_cost_normalize(&c, SCUOT_COSTNORM_MEAN, &e), 0);
			cr_assert_float_eq(c.scale, sum / (double)(n * m), 1e-9 * sum / (double)(n * m));
			cr_assert_eq(scuot_cost_normalize(&c, SCUOT_COSTNORM_MAX, &e), 0);
			cr_assert_float_eq(c.scale, mx, 1e-12 * mx);
			double row[23];
			scuot_cost_rows(&c, 4, 5, row);
			cr_assert_float_eq(row[7], C[4 * m + 7] / mx, 1e-12);
			free(v);
		} else {
			cr_assert_eq(scuot_cost_normalize(&c, SCUOT_COSTNORM_MEDIAN, &e), SCUOT_EUSAGE);
		}
		free(C);
		scuot_cost_free(&c);
	}
	free(x);
	free(y);
}

Test(ot, cost_refuses_bad_input)
{
	double x[4] = { 0, 1, NAN, 2 }, y[2] = { 0, 0 };
	scuot_cost c;
	scuot_err e = { 0 };
	cr_assert_eq(scuot_cost_init(&c, SCUOT_COST_SQEUCLIDEAN, x, 2, y, 1, 2, 0, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "source point 1"), "%s", e.msg);
	e.code = 0;
	cr_assert_eq(scuot_cost_init(&c, SCUOT_COST_WFR, y, 1, y, 1, 2, 0, &e), SCUOT_EUSAGE);
	/* identical single points: a median of 0 cannot normalise */
	scuot_err e2 = { 0 };
	cr_assert_eq(scuot_cost_init(&c, SCUOT_COST_SQEUCLIDEAN, y, 1, y, 1, 2, 0, &e2), 0);
	cr_assert_eq(scuot_cost_normalize(&c, SCUOT_COSTNORM_MEDIAN, &e2), SCUOT_ENUMERIC);
	cr_assert_eq(c.scale, 1.0);
	scuot_cost_free(&c);
}

/* A problem of n sources and m targets in d dims with uniform masses. */
typedef struct fixture {
	scuot_ot_problem p;
	double *x, *y, *a, *b;
} fixture;

static void fixture_make(fixture *f, int64_t n, int64_t m, int64_t d)
{
	memset(f, 0, sizeof *f);
	f->x = cloud(n, d, 11), f->y = cloud(m, d, 12);
	f->a = malloc(sizeof(double) * (size_t)n), f->b = malloc(sizeof(double) * (size_t)m);
	for (int64_t i = 0; i < n; i++)
		f->a[i] = 1.0 / (double)n;
	for (int64_t j = 0; j < m; j++)
		f->b[j] = 1.0 / (double)m;
	f->p = (scuot_ot_problem){ .n = n, .m = m, .d = d, .x = f->x, .y = f->y, .a = f->a, .b = f->b, .t0 = 2,
	                           .t1 = 6, .cost = SCUOT_COST_SQEUCLIDEAN, .cost_norm = SCUOT_COSTNORM_NONE,
	                           .max_memory = 1 << 30, .topk = 3 };
}

static void fixture_free(fixture *f)
{
	free(f->x);
	free(f->y);
	free(f->a);
	free(f->b);
}

/* Potentials f, g of an entropic coupling: pi_ij = exp((f_i + g_j - C_ij) / eps). */
static void set_potentials(scuot_ot_result *r, double eps)
{
	r->eps = eps;
	r->f = malloc(sizeof(double) * (size_t)r->n);
	r->g = malloc(sizeof(double) * (size_t)r->m);
	for (int64_t i = 0; i < r->n; i++)
		r->f[i] = eps * log(1.0 / (double)r->n) + 0.01 * (double)i;
	for (int64_t j = 0; j < r->m; j++)
		r->g[j] = -0.02 * (double)j;
}

Test(ot, coupling_from_potentials_dense_topk_none)
{
	fixture fx;
	scuot_err e = { 0 };
	fixture_make(&fx, 9, 7, 3);
	scuot_ot_result *r = scuot_ot_result_new(&fx.p, &e);
	cr_assert_not_null(r);
	set_potentials(r, 0.5);
	double want[9 * 7], rs[9] = { 0 }, cs[7] = { 0 };
	for (int64_t i = 0; i < 9; i++)
		for (int64_t j = 0; j < 7; j++) {
			want[i * 7 + j] = exp((r->f[i] + r->g[j] - brute(fx.x + i * 3, fx.y + j * 3, 3, 1, 0)) / 0.5);
			rs[i] += want[i * 7 + j], cs[j] += want[i * 7 + j];
		}
	/* dense */
	cr_assert_eq(scuot_ot_result_from_potentials(r, 1 << 20, 3, &e), 0, "%s", e.msg);
	cr_assert_eq(r->pi.kind, SCUOT_COUPLING_DENSE);
	for (int k = 0; k < 63; k++)
		cr_assert_float_eq(r->pi.dense[k], want[k], 1e-12 * want[k]);
	for (int i = 0; i < 9; i++) {
		cr_assert_float_eq(r->row_sum[i], rs[i], 1e-12 * rs[i]);
		cr_assert_float_eq(r->scaling[i], rs[i] * 9, 1e-11 * rs[i] * 9);
	}
	/* over budget: the 3 largest of each row, sorted by column; marginals of the whole coupling */
	cr_assert_eq(scuot_ot_result_from_potentials(r, 8, 3, &e), 0, "%s", e.msg);
	cr_assert_eq(r->pi.kind, SCUOT_COUPLING_SPARSE);
	double kept = 0, total = 0;
	for (int64_t i = 0; i < 9; i++) {
		cr_assert_eq(r->pi.indptr[i + 1] - r->pi.indptr[i], 3);
		double third = 0; /* the third largest of the row */
		double v[7];
		memcpy(v, want + i * 7, sizeof v);
		qsort(v, 7, sizeof(double), cmpd);
		third = v[4];
		for (int64_t k = r->pi.indptr[i]; k < r->pi.indptr[i + 1]; k++) {
			int32_t j = r->pi.indices[k];
			cr_assert(k == r->pi.indptr[i] || j > r->pi.indices[k - 1]);
			cr_assert_float_eq(r->pi.data[k], want[i * 7 + j], 1e-12 * want[i * 7 + j]);
			cr_assert(r->pi.data[k] >= third * (1 - 1e-12), "row %lld: kept %g below the third largest %g", (long long)i, r->pi.data[k], third);
			kept += r->pi.data[k];
		}
		cr_assert_float_eq(r->row_sum[i], rs[i], 1e-12 * rs[i]);
		total += rs[i];
	}
	for (int j = 0; j < 7; j++)
		cr_assert_float_eq(r->col_sum[j], cs[j], 1e-12 * cs[j]);
	cr_assert_float_eq(r->pi.kept_mass, kept / total, 1e-12);
	/* rows rebuilt from the potentials, not from the truncated coupling */
	double row[7];
	cr_assert_eq(scuot_ot_result_coupling_rows(r, 4, 5, row, &e), 0);
	for (int j = 0; j < 7; j++)
		cr_assert_float_eq(row[j], want[4 * 7 + j], 1e-12 * want[4 * 7 + j]);
	/* nothing stored */
	cr_assert_eq(scuot_ot_result_from_potentials(r, 8, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(r->pi.kind, SCUOT_COUPLING_NONE);
	cr_assert_float_eq(r->row_sum[8], rs[8], 1e-12 * rs[8]);
	scuot_ot_result_free(r);
	fixture_free(&fx);
}

static scuot_ot_result *sample_result(fixture *fx, int kind)
{
	scuot_err e = { 0 };
	scuot_ot_result *r = scuot_ot_result_new(&fx->p, &e);
	cr_assert_not_null(r);
	snprintf(r->method, sizeof r->method, "test");
	r->n_params = 2, r->param_names[0] = "epsilon", r->params[0] = 0.05;
	r->param_names[1] = "lambda1", r->params[1] = 1;
	set_potentials(r, 0.7);
	cr_assert_eq(scuot_ot_result_from_potentials(r, kind == SCUOT_COUPLING_DENSE ? 1 << 20 : 8,
	                                             kind == SCUOT_COUPLING_SPARSE ? 2 : 0, &e),
	             0, "%s", e.msg);
	r->version = strdup("test"), r->cmdline = strdup("scuot-transport x"), r->input = strdup("pca.h5ad");
	r->embedding = strdup("X_pca");
	for (int64_t i = 0; i < r->n; i++) {
		char b[32];
		snprintf(b, sizeof b, "s%lld", (long long)i);
		scuot_strv_push(&r->source_ids, b, -1, &e);
	}
	for (int64_t j = 0; j < r->m; j++) {
		char b[32];
		snprintf(b, sizeof b, "t%lld", (long long)j);
		scuot_strv_push(&r->target_ids, b, -1, &e);
	}
	r->iterations = 17, r->converged = 1, r->objective = 1.25, r->n_curve = 3;
	r->curve = malloc(3 * sizeof(double));
	r->curve[0] = 1, r->curve[1] = 0.1, r->curve[2] = 0.01;
	snprintf(r->curve_name, sizeof r->curve_name, "marginal error");
	if (kind == SCUOT_COUPLING_SPARSE) {
		r->curve2 = malloc(3 * sizeof(double));
		r->curve2[0] = 3, r->curve2[1] = 2, r->curve2[2] = 1;
		snprintf(r->curve2_name, sizeof r->curve2_name, "mmd to source");
	}
	return r;
}

Test(ot, result_roundtrip)
{
	fixture fx;
	scuot_err e = { 0 };
	fixture_make(&fx, 6, 5, 2);
	for (int kind = SCUOT_COUPLING_NONE; kind <= SCUOT_COUPLING_SPARSE; kind++) {
		scuot_ot_result *r = sample_result(&fx, kind), *q = NULL;
		if (kind == SCUOT_COUPLING_NONE) { /* snapshots too */
			r->n_snap = 2;
			r->snap = calloc(2, sizeof *r->snap);
			for (int k = 0; k < 2; k++) {
				r->snap[k].s = k * 0.5, r->snap[k].np = 3;
				r->snap[k].x = cloud(3, 2, 30 + (uint64_t)k);
				r->snap[k].w = malloc(3 * sizeof(double));
				for (int i = 0; i < 3; i++)
					r->snap[k].w[i] = 1 + i;
				if (k) {
					r->snap[k].ancestor = malloc(3 * sizeof(int64_t));
					for (int i = 0; i < 3; i++)
						r->snap[k].ancestor[i] = 2 - i;
				}
			}
			/* trained parameters of a neural method */
			double w[6] = { 1, 2, 3, 4, 5, 6.5 };
			cr_assert_eq(scuot_ot_result_add_array(r, "critic.0.weight", 2, 3, w, &e), 0, "%s", e.msg);
			cr_assert_eq(scuot_ot_result_add_array(r, "critic.0.bias", 1, 3, w, &e), 0, "%s", e.msg);
			cr_assert_neq(scuot_ot_result_add_array(r, "critic.0.bias", 1, 3, w, &e), 0, "duplicate name");
			cr_assert_neq(scuot_ot_result_add_array(r, "a/b", 1, 3, w, &e), 0, "name with a slash");
		}
		char path[128];
		snprintf(path, sizeof path, "%s/r%d.h5", dir, kind);
		cr_assert_eq(scuot_result_write(path, r, &e), 0, "%s", e.msg);
		cr_assert_eq(scuot_result_read(path, "test", &q, &e), 0, "%s", e.msg);
		cr_assert_str_eq(q->method, "test");
		cr_assert(q->n == 6 && q->m == 5 && q->d == 2 && q->t0 == 2 && q->t1 == 6);
		cr_assert(q->n_params == 2 && !strcmp(q->param_names[1], "lambda1") && q->params[0] == 0.05);
		cr_assert_eq(q->pi.kind, kind);
		cr_assert(q->eps == 0.7 && q->f[3] == r->f[3] && q->g[4] == r->g[4]);
		cr_assert_str_eq(q->source_ids.a[5], "s5");
		cr_assert_str_eq(q->target_ids.a[0], "t0");
		cr_assert_str_eq(q->embedding, "X_pca");
		cr_assert(q->iterations == 17 && q->converged == 1 && q->objective == 1.25 && q->n_curve == 3 &&
		          q->curve[2] == 0.01 && !strcmp(q->curve_name, "marginal error"));
		for (int64_t i = 0; i < 6; i++)
			cr_assert(q->row_sum[i] == r->row_sum[i] && q->scaling[i] == r->scaling[i] && q->a[i] == r->a[i]);
		double ra[5], qa[5];
		for (int64_t i = 0; i < 6; i++) {
			cr_assert_eq(scuot_ot_result_coupling_rows(r, i, i + 1, ra, &e), 0);
			cr_assert_eq(scuot_ot_result_coupling_rows(q, i, i + 1, qa, &e), 0, "%s", e.msg);
			cr_assert_arr_eq(ra, qa, sizeof ra);
		}
		if (kind == SCUOT_COUPLING_SPARSE)
			cr_assert(q->pi.topk == 2 && q->pi.kept_mass == r->pi.kept_mass && q->curve2 && q->curve2[1] == 2 &&
			          !strcmp(q->curve2_name, "mmd to source"));
		else
			cr_assert_null(q->curve2);
		if (kind == SCUOT_COUPLING_NONE) {
			cr_assert_eq(q->n_snap, 2);
			cr_assert(q->snap[1].s == 0.5 && q->snap[1].x[5] == r->snap[1].x[5] && q->snap[1].w[2] == 3 &&
			          q->snap[1].ancestor[0] == 2 && !q->snap[0].ancestor);
			const scuot_ot_array *m = scuot_ot_result_array(q, "critic.0.weight");
			cr_assert(q->n_model == 2 && m && m->r == 2 && m->c == 3 && m->v[5] == 6.5, "model parameters");
		} else {
			cr_assert_eq(q->n_model, 0);
		}
		scuot_ot_result_free(q);
		/* another method expected */
		e.code = 0;
		cr_assert_eq(scuot_result_read(path, "uot", &q, &e), SCUOT_EINPUT);
		cr_assert(strstr(e.msg, "method test, expected uot") && strstr(e.msg, path), "%s", e.msg);
		cr_assert_null(q);
		scuot_ot_result_free(r);
	}
	fixture_free(&fx);
}

Test(ot, result_refuses_other_files)
{
	char path[128];
	scuot_err e = { 0 };
	scuot_ot_result *q = NULL;
	/* an h5ad is not a result */
	scuot_adata *a = scuot_adata_new(2, 0, &e);
	cr_assert_not_null(a);
	snprintf(path, sizeof path, "%s/x.h5ad", dir);
	char **idx = malloc(2 * sizeof(char *));
	idx[0] = strdup("a"), idx[1] = strdup("b");
	cr_assert_eq(scuot_df_set_index(&a->obs, idx, 2, &e), 0);
	cr_assert_eq(scuot_df_set_index(&a->var, calloc(1, sizeof(char *)), 0, &e), 0);
	cr_assert_eq(scuot_h5ad_write(path, a, &e), 0, "%s", e.msg);
	scuot_adata_free(a);
	cr_assert_eq(scuot_result_read(path, NULL, &q, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "not a scuot transport result"), "%s", e.msg);
	/* another format version */
	fixture fx;
	fixture_make(&fx, 3, 3, 2);
	scuot_ot_result *r = sample_result(&fx, SCUOT_COUPLING_DENSE);
	snprintf(path, sizeof path, "%s/v.h5", dir);
	cr_assert_eq(scuot_result_write(path, r, &e), 0, "%s", e.msg);
	hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	hid_t at = H5Aopen(f, "format_version", H5P_DEFAULT);
	int64_t v = 99;
	cr_assert_geq(H5Awrite(at, H5T_NATIVE_INT64, &v), 0);
	H5Aclose(at);
	H5Fclose(f);
	e.code = 0;
	cr_assert_eq(scuot_result_read(path, NULL, &q, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "format version 99"), "%s", e.msg);
	/* not HDF5 at all */
	snprintf(path, sizeof path, "%s/t.h5", dir);
	FILE *fp = fopen(path, "w");
	fputs("hello\n", fp);
	fclose(fp);
	e.code = 0;
	cr_assert_eq(scuot_result_read(path, NULL, &q, &e), SCUOT_EINPUT, "%s", e.msg);
	scuot_ot_result_free(r);
	fixture_free(&fx);
}

/* Length of the WFR geodesic measured in the cone metric by fine steps equals the cone distance
 * between the ends: sqrt(m0 + m1 - 2 sqrt(m0 m1) cos(|x1 - x0| / (2 delta))). */
Test(ot, wfr_geodesic_is_a_geodesic)
{
	const double x0[2] = { 0.2, -0.1 }, x1[2] = { 1.1, 0.7 }, delta = 0.8;
	const double cases[][2] = { { 1.0, 1.0 }, { 0.3, 2.5 }, { 4.0, 0.1 } };
	for (int c = 0; c < 3; c++) {
		double m0 = cases[c][0], m1 = cases[c][1], x[2], xp[2];
		double dist = sqrt((x1[0] - x0[0]) * (x1[0] - x0[0]) + (x1[1] - x0[1]) * (x1[1] - x0[1]));
		double want = sqrt(m0 + m1 - 2 * sqrt(m0 * m1) * cos(dist / (2 * delta)));
		double mp = scuot_wfr_geodesic(x0, m0, x1, m1, 2, delta, 0, xp), len = 0;
		cr_assert_float_eq(mp, m0, 1e-14);
		cr_assert(fabs(xp[0] - x0[0]) < 1e-14 && fabs(xp[1] - x0[1]) < 1e-14);
		const int steps = 20000;
		for (int k = 1; k <= steps; k++) {
			double mk = scuot_wfr_geodesic(x0, m0, x1, m1, 2, delta, (double)k / steps, x);
			double dd = sqrt((x[0] - xp[0]) * (x[0] - xp[0]) + (x[1] - xp[1]) * (x[1] - xp[1]));
			len += sqrt(mk + mp - 2 * sqrt(mk * mp) * cos(dd / (2 * delta)));
			/* positions stay on the segment */
			double cross = (x[0] - x0[0]) * (x1[1] - x0[1]) - (x[1] - x0[1]) * (x1[0] - x0[0]);
			cr_assert(fabs(cross) < 1e-12);
			mp = mk, xp[0] = x[0], xp[1] = x[1];
		}
		cr_assert_float_eq(mp, m1, 1e-12);
		cr_assert(fabs(xp[0] - x1[0]) < 1e-12 && fabs(xp[1] - x1[1]) < 1e-12);
		cr_assert(fabs(len - want) < 1e-6 * want, "case %d: length %.10g, cone distance %.10g", c, len, want);
	}
	/* same point: the Hellinger (Fisher-Rao) geodesic of masses */
	double x[2];
	double m = scuot_wfr_geodesic(x0, 1.0, x0, 4.0, 2, delta, 0.25, x);
	cr_assert_float_eq(m, pow(0.75 * 1 + 0.25 * 2, 2), 1e-14);
}

/* A coupling that pairs source i with target i only: linear interpolation gives midpoints. */
Test(ot, interp_linear_rule)
{
	fixture fx;
	scuot_err e = { 0 };
	fixture_make(&fx, 4, 4, 2);
	scuot_ot_result *r = scuot_ot_result_new(&fx.p, &e);
	double *pi = calloc(16, sizeof(double));
	const double mass[4] = { 0.1, 0.2, 0.3, 0.4 };
	for (int i = 0; i < 4; i++)
		pi[i * 4 + i] = mass[i];
	cr_assert_eq(scuot_ot_result_set_dense(r, pi, 1 << 20, 0, &e), 0);
	scuot_interp_pop p, p2;
	const int64_t N = 40000;
	cr_assert_eq(scuot_interp(r, 0.5, SCUOT_INTERP_AUTO, N, 7, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(p.rule, SCUOT_INTERP_LINEAR);
	int64_t count[4] = { 0 };
	for (int64_t k = 0; k < N; k++) {
		int64_t i = p.src[k];
		cr_assert_eq(p.tgt[k], i);
		count[i]++;
		for (int q = 0; q < 2; q++)
			cr_assert_float_eq(p.x[k * 2 + q], 0.5 * (fx.x[i * 2 + q] + fx.y[i * 2 + q]), 1e-14);
	}
	/* weights pi_ii / colsum_i^(1/2) = sqrt(mass_i): frequencies within 5 sd */
	double tot = 0;
	for (int i = 0; i < 4; i++)
		tot += sqrt(mass[i]);
	for (int i = 0; i < 4; i++) {
		double pr = sqrt(mass[i]) / tot, sd = sqrt(N * pr * (1 - pr));
		cr_assert(fabs(count[i] - N * pr) < 5 * sd, "pair %d drawn %lld times, expected %.0f", i,
		          (long long)count[i], N * pr);
	}
	/* deterministic for a seed */
	cr_assert_eq(scuot_interp(r, 0.5, SCUOT_INTERP_LINEAR, N, 7, &p2, &e), 0);
	cr_assert_arr_eq(p.x, p2.x, sizeof(double) * (size_t)(N * 2));
	scuot_interp_pop_clear(&p2);
	cr_assert_eq(scuot_interp(r, 0.5, SCUOT_INTERP_LINEAR, N, 8, &p2, &e), 0);
	cr_assert(memcmp(p.src, p2.src, sizeof(int64_t) * (size_t)N));
	scuot_interp_pop_clear(&p2);
	/* s = 0 and s = 1 give the sources and targets */
	cr_assert_eq(scuot_interp(r, 1.0, SCUOT_INTERP_LINEAR, 100, 1, &p2, &e), 0);
	for (int64_t k = 0; k < 100; k++)
		cr_assert_eq(p2.x[k * 2], fx.y[p2.tgt[k] * 2]);
	scuot_interp_pop_clear(&p2);
	/* WFR rule needs a WFR result */
	cr_assert_eq(scuot_interp(r, 0.5, SCUOT_INTERP_WFR, 10, 1, &p2, &e), SCUOT_EINPUT);
	scuot_interp_pop_clear(&p);
	scuot_ot_result_free(r);
	fixture_free(&fx);
}

/* WFR interpolation of a coupling whose pairs are balanced: total mass along the path and positions. */
Test(ot, interp_wfr_rule_mass)
{
	fixture fx;
	scuot_err e = { 0 };
	fixture_make(&fx, 3, 3, 2);
	fx.p.cost = SCUOT_COST_WFR, fx.p.delta = 3.0;
	/* masses: a = (1, 1, 1), b = (2, 0.5, 1); coupling diagonal with plan mass 1 each */
	double a[3] = { 1, 1, 1 }, b[3] = { 2, 0.5, 1 };
	fx.p.a = a, fx.p.b = b;
	scuot_ot_result *r = scuot_ot_result_new(&fx.p, &e);
	double *pi = calloc(9, sizeof(double));
	for (int i = 0; i < 3; i++)
		pi[i * 3 + i] = 1.0;
	cr_assert_eq(scuot_ot_result_set_dense(r, pi, 1 << 20, 0, &e), 0);
	const double s = 0.3;
	double want = 0;
	for (int i = 0; i < 3; i++) {
		double x[2];
		want += scuot_wfr_geodesic(fx.x + 2 * i, a[i], fx.y + 2 * i, b[i], 2, 3.0, s, x);
	}
	scuot_interp_pop p;
	cr_assert_eq(scuot_interp(r, s, SCUOT_INTERP_AUTO, 5000, 3, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(p.rule, SCUOT_INTERP_WFR);
	cr_assert_float_eq(p.mass, want, 1e-12 * want);
	for (int64_t k = 0; k < p.np; k++) {
		double x[2];
		int64_t i = p.src[k];
		scuot_wfr_geodesic(fx.x + 2 * i, a[i], fx.y + 2 * i, b[i], 2, 3.0, s, x);
		cr_assert(p.x[2 * k] == x[0] && p.x[2 * k + 1] == x[1]);
	}
	scuot_interp_pop_clear(&p);
	scuot_ot_result_free(r);
	fixture_free(&fx);
}

/* The map rule: two snapshots of the same particles at s = 0 and 1, interpolated linearly. */
Test(ot, interp_map_rule)
{
	fixture fx;
	scuot_err e = { 0 };
	fixture_make(&fx, 3, 4, 2);
	scuot_ot_result *r = scuot_ot_result_new(&fx.p, &e);
	r->n_snap = 2;
	r->snap = calloc(2, sizeof *r->snap);
	for (int k = 0; k < 2; k++) {
		r->snap[k].s = k, r->snap[k].np = 3;
		r->snap[k].x = malloc(6 * sizeof(double));
		r->snap[k].w = malloc(3 * sizeof(double));
		r->snap[k].ancestor = malloc(3 * sizeof(int64_t));
		for (int i = 0; i < 3; i++) {
			r->snap[k].x[2 * i] = k ? 10 + i : i;
			r->snap[k].x[2 * i + 1] = k ? -4 : 2;
			r->snap[k].w[i] = k ? 0.5 * (i + 1) : 1.0 / 3;
			r->snap[k].ancestor[i] = i;
		}
	}
	scuot_interp_pop p;
	cr_assert_eq(scuot_interp(r, 0.25, SCUOT_INTERP_AUTO, 10, 1, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(p.rule, SCUOT_INTERP_MAP);
	cr_assert_eq(p.np, 3);
	double mass = 0;
	for (int i = 0; i < 3; i++) {
		cr_assert_float_eq(p.x[2 * i], 0.75 * i + 0.25 * (10 + i), 1e-14);
		cr_assert_float_eq(p.x[2 * i + 1], 0.75 * 2 - 0.25 * 4, 1e-14);
		cr_assert_float_eq(p.w[i], 0.75 / 3 + 0.25 * 0.5 * (i + 1), 1e-14);
		cr_assert_eq(p.src[i], i);
		mass += p.w[i];
	}
	cr_assert_float_eq(p.mass, mass, 1e-14);
	scuot_interp_pop_clear(&p);
	/* three snapshots are a path, not a map: auto takes the MMD split, map refuses */
	r->snap[1].s = 0.5;
	cr_assert_eq(scuot_interp(r, 0.25, SCUOT_INTERP_MAP, 10, 1, &p, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "does not hold a map"), "%s", e.msg);
	scuot_ot_result_free(r);
	fixture_free(&fx);
}
