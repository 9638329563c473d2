/* test_prep_pca.c -- unit tests of PCA (src/lib/prep/pca.c, run_pca.c): exact and randomised solvers
 * against scikit-learn values in tests/fixtures/prep, the covariance and Gram paths, local PCA,
 * determinism across thread counts, and the stage on an AnnData object. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/threads.h"
#include "prep/prep.h"
#include "prep_fixture.h"

static void quiet(void)
{
	scuot_log_set_level(SCUOT_LOG_ERROR);
}

TestSuite(pca, .init = quiet);

static scuot_csr *normalized(void)
{
	scuot_err e = { 0 };
	scuot_csr *X = fx_counts();
	cr_assert_eq(scuot_norm_total(X, 1e4, 1, NULL, &e), 0, "%s", e.msg);
	return X;
}

Test(pca, exact_matches_sklearn)
{
	scuot_err e = { 0 };
	scuot_csr *X = normalized();
	scuot_pca_opts o;
	scuot_pca_model *m;
	scuot_pca_opts_init(&o);
	o.k = 10;
	o.solver = SCUOT_PCA_EXACT;
	cr_assert_eq(scuot_pca_fit_csr(X, NULL, 0, &o, &m, &e), 0, "%s", e.msg);
	cr_expect_eq(m->solver, SCUOT_PCA_EXACT);
	fx_check_array("pca_variance_ratio", m->variance_ratio, 10, 1e-6, 0);
	fx_check_array("pca_variance", m->variance, 10, 1e-6, 0);
	fx_check_array("pca_singular_values", m->singular_values, 10, 1e-6, 0);
	fx_check_array("pca_mean", m->mean, 100, 1e-9, 1e-12);
	fx_check_array("pca_components", m->loadings->data, 1000, 0, 1e-6);
	scuot_mat *T = scuot_pca_project_csr(m, X, &e);
	cr_assert(T);
	fx_check_array("pca_scores_first20", T->data, 200, 0, 1e-6);
	scuot_mat_free(T);
	scuot_pca_model_free(m);
	scuot_csr_free(X);
}

Test(pca, randomized_close_to_exact)
{
	scuot_err e = { 0 };
	scuot_csr *X = normalized();
	scuot_pca_opts o;
	scuot_pca_model *m, *ex;
	int64_t n;
	scuot_pca_opts_init(&o);
	o.k = 10;
	o.solver = SCUOT_PCA_EXACT;
	cr_assert_eq(scuot_pca_fit_csr(X, NULL, 0, &o, &ex, &e), 0, "%s", e.msg);
	o.solver = SCUOT_PCA_RANDOMIZED;
	cr_assert_eq(scuot_pca_fit_csr(X, NULL, 0, &o, &m, &e), 0, "%s", e.msg);
	cr_expect_eq(m->solver, SCUOT_PCA_RANDOMIZED);
	double *want = fx_expected("pca_variance_ratio", &n),
	       *sk = fx_expected("pca_randomized_sklearn_ratio", &n);
	for (int j = 0; j < 3; j++) {
		cr_expect(fx_close(m->variance_ratio[j], want[j], 1e-3, 0),
		          "component %d: ratio %.9g, exact %.9g", j, m->variance_ratio[j], want[j]);
		cr_expect(fx_close(m->variance_ratio[j], sk[j], 1e-3, 0),
		          "component %d: ratio %.9g, sklearn %.9g", j, m->variance_ratio[j], sk[j]);
	}
	double ang = scuot_pca_subspace_angle(m->loadings, ex->loadings, 3);
	cr_expect(ang >= 0 && ang < 0.02, "largest principal angle of the first 3 components: %g rad", ang);
	free(want);
	free(sk);
	scuot_pca_model_free(m);
	scuot_pca_model_free(ex);
	scuot_csr_free(X);
}

Test(pca, local_fit_projects_other_days)
{
	scuot_err e = { 0 };
	scuot_csr *X = normalized();
	double *d = fx_days(X->nrow);
	int64_t rows[200], nr = 0, day2[200], n2 = 0;
	scuot_pca_opts o;
	scuot_pca_model *m;
	for (int64_t i = 0; i < X->nrow; i++) {
		if (d[i] <= 1)
			rows[nr++] = i;
		else
			day2[n2++] = i;
	}
	scuot_pca_opts_init(&o);
	o.k = 10;
	cr_assert_eq(scuot_pca_fit_csr(X, rows, nr, &o, &m, &e), 0, "%s", e.msg);
	cr_expect_eq(m->n_fit, 140);
	fx_check_array("local_variance_ratio", m->variance_ratio, 10, 1e-6, 0);
	scuot_mat *T = scuot_pca_project_csr(m, X, &e);
	double got[100];
	for (int i = 0; i < 10; i++)
		for (int j = 0; j < 10; j++)
			got[i * 10 + j] = T->data[day2[i] * 10 + j];
	fx_check_array("local_scores_day2_first10", got, 100, 0, 1e-6);
	scuot_mat_free(T);
	scuot_pca_model_free(m);
	free(d);
	scuot_csr_free(X);
}

Test(pca, too_many_components)
{
	scuot_err e = { 0 };
	scuot_csr *X = normalized();
	scuot_pca_opts o;
	scuot_pca_model *m = NULL;
	int64_t rows[3] = { 0, 1, 2 };
	scuot_pca_opts_init(&o);
	o.k = 101;
	cr_expect_eq(scuot_pca_fit_csr(X, NULL, 0, &o, &m, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "101 components asked for, but 200 cells x 100 genes allow at most "
	                        "min(cells, genes) = "
	                        "100"),
	          "%s", e.msg);
	o.k = 4;
	memset(&e, 0, sizeof e);
	cr_expect_eq(scuot_pca_fit_csr(X, rows, 3, &o, &m, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "at most min(cells, genes) = 3"), "%s", e.msg);
	cr_expect_null(m);
	o.k = 0;
	cr_expect_eq(scuot_pca_opts_check(&o, &e), SCUOT_EUSAGE);
	scuot_csr_free(X);
}

/* Deterministic sparse test matrix with a decaying spectrum: rank-8 signal plus noise, ~30% stored. */
static scuot_csr *synthetic(int64_t n, int64_t p)
{
	scuot_err e = { 0 };
	uint64_t s = 88172645463325252ull;
#define NEXT() (s ^= s << 13, s ^= s >> 7, s ^= s << 17, (double)(s >> 11) / 9007199254740992.0)
	double *U = malloc((size_t)n * 8 * sizeof *U), *V = malloc((size_t)p * 8 * sizeof *V);
	for (int64_t i = 0; i < n * 8; i++)
		U[i] = NEXT() - 0.5;
	for (int64_t i = 0; i < p * 8; i++)
		V[i] = NEXT() - 0.5;
	scuot_csr *X = scuot_csr_new(n, p, n * p, &e);
	int64_t q = 0;
	for (int64_t i = 0; i < n; i++) {
		for (int64_t g = 0; g < p; g++) {
			double v = 0;
			for (int r = 0; r < 8; r++)
				v += U[i * 8 + r] * V[g * 8 + r] * (8.0 / (r + 1));
			v += 0.05 * (NEXT() - 0.5);
			if (v > 0.1) /* keeps ~30% */
				X->indices[q] = (int32_t)g, X->data[q++] = (float)v;
		}
		X->indptr[i + 1] = q;
	}
	X->nnz = q;
#undef NEXT
	free(U);
	free(V);
	return X;
}

static void compare_models(const scuot_pca_model *a, const scuot_pca_model *b, int k, double rtol,
                           double angtol)
{
	for (int j = 0; j < k; j++)
		cr_expect(fx_close(a->singular_values[j], b->singular_values[j], rtol, 0),
		          "s[%d]: %.12g vs %.12g", j, a->singular_values[j], b->singular_values[j]);
	double ang = scuot_pca_subspace_angle(a->loadings, b->loadings, k);
	cr_expect(ang >= 0 && ang < angtol, "principal angle %g", ang);
}

Test(pca, covariance_and_gram_paths)
{
	scuot_err e = { 0 };
	scuot_pca_opts o;
	scuot_pca_model *ex, *rd;
	const int64_t shapes[2][2] = { { 3000, 800 }, { 800, 3000 } };
	for (int s = 0; s < 2; s++) {
		scuot_csr *X = synthetic(shapes[s][0], shapes[s][1]);
		scuot_pca_opts_init(&o);
		o.k = 6;
		o.solver = SCUOT_PCA_EXACT;
		cr_assert_eq(scuot_pca_fit_csr(X, NULL, 0, &o, &ex, &e), 0, "%s", e.msg);
		o.solver = SCUOT_PCA_RANDOMIZED;
		o.n_iter = 12;
		cr_assert_eq(scuot_pca_fit_csr(X, NULL, 0, &o, &rd, &e), 0, "%s", e.msg);
		compare_models(ex, rd, 6, 1e-8, 1e-5);
		/* loadings orthonormal */
		for (int a = 0; a < 6; a++)
			for (int b = 0; b < 6; b++) {
				double dot = 0;
				for (int64_t g = 0; g < X->ncol; g++)
					dot += ex->loadings->data[g * 6 + a] * ex->loadings->data[g * 6 + b];
				cr_expect(fabs(dot - (a == b)) < 1e-9, "shape %d: V^T V [%d,%d] = %g", s, a,
				          b, dot);
			}
		scuot_pca_model_free(ex);
		scuot_pca_model_free(rd);
		scuot_csr_free(X);
	}
}

Test(pca, dense_equals_sparse_and_threads_do_not_matter)
{
	scuot_err e = { 0 };
	scuot_csr *X = synthetic(5000, 300);
	scuot_mat *D = scuot_csr_to_dense(X, &e);
	scuot_pca_opts o;
	scuot_pca_model *a, *b, *c;
	scuot_pca_opts_init(&o);
	o.k = 5;
	o.solver = SCUOT_PCA_RANDOMIZED;
	o.seed = 7;
	scuot_threads_set(1);
	cr_assert_eq(scuot_pca_fit_csr(X, NULL, 0, &o, &a, &e), 0, "%s", e.msg);
	scuot_threads_set(3);
	cr_assert_eq(scuot_pca_fit_csr(X, NULL, 0, &o, &b, &e), 0, "%s", e.msg);
	cr_expect_eq(memcmp(a->loadings->data, b->loadings->data, 300 * 5 * sizeof(double)), 0,
	             "loadings differ between 1 and 3 threads");
	cr_expect_eq(memcmp(a->singular_values, b->singular_values, 5 * sizeof(double)), 0);
	cr_assert_eq(scuot_pca_fit_dense(D, &o, &c, &e), 0, "%s", e.msg);
	compare_models(a, c, 5, 1e-9, 1e-7);
	scuot_mat *T1 = scuot_pca_project_csr(a, X, &e), *T2 = scuot_pca_project_dense(a, D, &e);
	for (int64_t i = 0; i < 5000 * 5; i++)
		cr_assert(fabs(T1->data[i] - T2->data[i]) < 1e-9, "score %lld: %g vs %g", (long long)i,
		          T1->data[i], T2->data[i]);
	scuot_threads_set(0);
	scuot_mat_free(T1);
	scuot_mat_free(T2);
	scuot_pca_model_free(a);
	scuot_pca_model_free(b);
	scuot_pca_model_free(c);
	scuot_mat_free(D);
	scuot_csr_free(X);
}

Test(pca, truncated_svd_without_centring)
{
	scuot_err e = { 0 };
	scuot_csr *X = synthetic(1500, 200);
	scuot_pca_opts o;
	scuot_pca_model *ex, *rd;
	scuot_pca_opts_init(&o);
	o.k = 4;
	o.center = 0;
	o.solver = SCUOT_PCA_EXACT;
	cr_assert_eq(scuot_pca_fit_csr(X, NULL, 0, &o, &ex, &e), 0, "%s", e.msg);
	o.solver = SCUOT_PCA_RANDOMIZED;
	cr_assert_eq(scuot_pca_fit_csr(X, NULL, 0, &o, &rd, &e), 0, "%s", e.msg);
	compare_models(ex, rd, 4, 1e-8, 1e-5);
	cr_expect_eq(ex->mean[0], 0);
	/* the first singular vector of a nonnegative matrix captures more than any centred component */
	cr_expect(ex->variance_ratio[0] > 0 && ex->variance_ratio[0] < 1);
	scuot_pca_model_free(ex);
	scuot_pca_model_free(rd);
	scuot_csr_free(X);
}

Test(pca, stage_and_stored_model)
{
	scuot_err e = { 0 };
	scuot_adata *a = fx_adata();
	scuot_pca_run_opts o;
	scuot_pca_model *m;
	cr_assert_eq(scuot_norm_total(a->X, 1e4, 1, NULL, &e), 0);
	scuot_pca_run_opts_init(&o);
	o.pca.k = 10;
	o.n_fit_days = 2, o.fit_days[0] = 0, o.fit_days[1] = 1;
	cr_assert_eq(scuot_pca_run(a, &o, "fx", &e), 0, "%s", e.msg);
	scuot_mat *T = scuot_adata_get_obsm(a, "X_pca");
	cr_assert(T);
	cr_expect_eq(T->nrow, 200);
	cr_expect_eq(T->ncol, 10);
	scuot_uns *u = scuot_uns_get(&a->uns, "pca");
	cr_assert(u);
	fx_check_array("local_variance_ratio", scuot_uns_get(u, "variance_ratio")->arr, 10, 1e-6, 0);
	cr_assert_eq(scuot_pca_model_load(a, &m, &e), 0, "%s", e.msg);
	scuot_mat *T2 = scuot_pca_project_csr(m, a->X, &e);
	cr_expect_eq(memcmp(T->data, T2->data, 200 * 10 * sizeof(double)), 0, "re-projection differs");
	scuot_mat_free(T2);
	scuot_pca_model_free(m);

	/* a fit day without cells, negative values */
	o.fit_days[1] = 5;
	memset(&e, 0, sizeof e);
	cr_expect_eq(scuot_pca_run(a, &o, "fx", &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "--fit-days: day 5 has no cells (days present: 0, 1, 2)"), "%s", e.msg);
	o.n_fit_days = 0;
	a->X->data[0] = -0.5f;
	memset(&e, 0, sizeof e);
	cr_expect_eq(scuot_pca_run(a, &o, "fx", &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "fx: /X: cell 'cell000'"), "%s", e.msg);
	o.allow_negative = 1;
	cr_expect_eq(scuot_pca_run(a, &o, "fx", &e), 0, "%s", e.msg);
	a->X->data[0] = NAN;
	memset(&e, 0, sizeof e);
	cr_expect_eq(scuot_pca_run(a, &o, "fx", &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "holds nan"), "%s", e.msg);
	scuot_adata_free(a);
}

Test(pca, uses_highly_variable_genes)
{
	scuot_err e = { 0 };
	scuot_adata *a = fx_adata();
	scuot_pca_run_opts o;
	cr_assert_eq(scuot_norm_total(a->X, 1e4, 1, NULL, &e), 0);
	scuot_col *c = scuot_df_add(&a->var, "highly_variable", SCUOT_COL_BOOL, &e);
	for (int g = 0; g < 100; g += 3)
		c->b[g] = 1;
	scuot_pca_run_opts_init(&o);
	o.pca.k = 5;
	cr_assert_eq(scuot_pca_run(a, &o, "fx", &e), 0, "%s", e.msg);
	const scuot_mat *PCs = a->varm[0].m;
	cr_expect_eq(PCs->nrow, 100);
	for (int g = 1; g < 100; g += 3)
		cr_expect_eq(PCs->data[g * 5], 0, "gene %d is not highly variable, loading %g", g,
		             PCs->data[g * 5]);
	memset(c->b, 0, 100);
	memset(&e, 0, sizeof e);
	cr_expect_eq(scuot_pca_run(a, &o, "fx", &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "no gene is flagged"), "%s", e.msg);
	scuot_adata_free(a);
}
