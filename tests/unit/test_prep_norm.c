/* test_prep_norm.c -- unit tests of QC, normalisation, highly variable genes, z-scaling, gene sets
 * and growth priors (src/lib/prep) against tests/fixtures/prep, made by make_fixtures.py with numpy. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "prep/prep.h"
#include "prep/prep_internal.h"
#include "prep_fixture.h"

static void quiet(void)
{
	scuot_log_set_level(SCUOT_LOG_ERROR);
}

TestSuite(prep, .init = quiet);

/* The log1p-normalised fixture matrix. */
static scuot_csr *normalized(void)
{
	scuot_err e = { 0 };
	scuot_csr *X = fx_counts();
	cr_assert_eq(scuot_norm_total(X, 1e4, 1, NULL, &e), 0, "%s", e.msg);
	return X;
}

Test(prep, normalisation_exact)
{
	scuot_csr *X = normalized();
	FILE *fp = fx_open("normalized.txt");
	char tok[64];
	int64_t bad = 0;
	for (int64_t k = 0; k < X->nnz; k++) {
		cr_assert_eq(fscanf(fp, "%63s", tok), 1);
		float want = strtof(tok, NULL);
		if (X->data[k] != want && bad++ < 5)
			cr_log_error("entry %lld: got %.9g, expected %.9g", (long long)k, X->data[k], want);
	}
	cr_expect_eq(bad, 0, "%lld normalised values differ from numpy's", (long long)bad);
	cr_expect_eq(fscanf(fp, "%63s", tok), EOF, "more expected values than entries");
	fclose(fp);
	scuot_csr_free(X);
}

Test(prep, normalisation_without_log_and_empty_cell)
{
	scuot_err e = { 0 };
	scuot_csr *X = scuot_csr_new(2, 3, 2, &e);
	double tot[2];
	X->indptr[1] = 2, X->indptr[2] = 2;
	X->indices[0] = 0, X->indices[1] = 2, X->data[0] = 1, X->data[1] = 3;
	cr_assert_eq(scuot_norm_total(X, 100, 0, tot, &e), 0);
	cr_expect_float_eq(X->data[0], 25.0f, 1e-6);
	cr_expect_float_eq(X->data[1], 75.0f, 1e-6);
	cr_expect_eq(tot[0], 4);
	cr_expect_eq(tot[1], 0);
	cr_expect_eq(scuot_norm_total(X, 0, 0, NULL, &e), SCUOT_EUSAGE);
	scuot_csr_free(X);
}

Test(prep, qc_filters)
{
	scuot_err e = { 0 };
	scuot_adata *a = fx_adata();
	scuot_qc_opts o;
	scuot_qc_stats st;
	int64_t n;
	scuot_qc_opts_init(&o);
	o.min_genes = 15, o.min_counts = 40, o.max_mito = 0.3, o.min_cells = 5;
	cr_assert_eq(scuot_qc_filter(a, &o, "fixture", &st, &e), 0, "%s", e.msg);
	double *kc = fx_expected("qc_keep_cells", &n);
	cr_assert_eq(a->n_obs, n, "kept %lld cells, expected %lld", (long long)a->n_obs, (long long)n);
	for (int64_t i = 0; i < n; i++) {
		char want[32];
		snprintf(want, sizeof want, "cell%03d", (int)kc[i]);
		cr_expect_str_eq(a->obs.index[i], want);
	}
	free(kc);
	double *kg = fx_expected("qc_keep_genes", &n);
	cr_assert_eq(a->n_var, n);
	cr_assert_eq(a->X->ncol, n);
	free(kg);
	double *rm = fx_expected("qc_removed", &n);
	cr_expect_eq(st.low_counts, (int64_t)rm[0]);
	cr_expect_eq(st.low_genes, (int64_t)rm[1]);
	cr_expect_eq(st.high_mito, (int64_t)rm[2]);
	cr_expect_eq(st.rare_genes, (int64_t)rm[3]);
	cr_expect_eq(st.n_mito_genes, 4, "MT- matched case-insensitively: %lld", (long long)st.n_mito_genes);
	free(rm);
	double *tc = fx_expected("qc_total_counts", &n);
	int j = scuot_df_find(&a->obs, "total_counts");
	cr_assert(j >= 0);
	cr_expect_eq(a->obs.cols[j].f[0], tc[0]);
	cr_expect(scuot_df_find(&a->obs, "pct_counts_mt") >= 0);
	cr_expect(scuot_df_find(&a->var, "n_cells_by_counts") >= 0);
	free(tc);
	scuot_adata_free(a);
}

Test(prep, qc_everything_removed)
{
	scuot_err e = { 0 };
	scuot_adata *a = fx_adata();
	scuot_qc_opts o;
	scuot_qc_opts_init(&o);
	o.min_counts = 1e9;
	cr_assert_eq(scuot_qc_filter(a, &o, "fx.h5ad", NULL, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "removed all 200 cells") &&
	                  strstr(e.msg, "--min-counts 1e+09 removed the most"),
	          "%s", e.msg);
	scuot_adata_free(a);
	a = fx_adata();
	memset(&e, 0, sizeof e);
	scuot_qc_opts_init(&o);
	o.min_genes = 1000;
	cr_assert_eq(scuot_qc_filter(a, &o, "fx.h5ad", NULL, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "--min-genes 1000 removed the most"), "%s", e.msg);
	scuot_adata_free(a);
	a = fx_adata();
	memset(&e, 0, sizeof e);
	scuot_qc_opts_init(&o);
	o.min_cells = 100000;
	cr_assert_eq(scuot_qc_filter(a, &o, "fx.h5ad", NULL, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "--min-cells 100000 removed all 100 genes"), "%s", e.msg);
	scuot_adata_free(a);
	scuot_qc_opts_init(&o);
	o.max_mito = 2;
	cr_expect_eq(scuot_qc_opts_check(&o, &e), SCUOT_EUSAGE);
}

Test(prep, value_checks)
{
	scuot_err e = { 0 };
	scuot_csr *X = fx_counts();
	int64_t nf = -1;
	char *genes[100];
	char names[100][16];
	for (int g = 0; g < 100; g++)
		snprintf(names[g], sizeof names[g], "G%d", g), genes[g] = names[g];
	cr_expect_eq(scuot_prep_check_values(X, 0, NULL, genes, "x.h5ad: /X", &nf, &e), 0);
	cr_expect_eq(nf, 0);
	X->data[3] = -2;
	cr_expect_eq(scuot_prep_check_values(X, 0, NULL, genes, "x.h5ad: /X", NULL, &e), SCUOT_EINPUT);
	char want[128];
	snprintf(want, sizeof want, "cell '#1', gene 'G%d' holds the value -2", X->indices[3]);
	cr_expect(strstr(e.msg, want) && strstr(e.msg, "cannot be negative"), "%s", e.msg);
	cr_expect_eq(scuot_prep_check_values(X, 1, NULL, genes, "x", NULL, &e), 0);
	X->data[3] = NAN;
	memset(&e, 0, sizeof e);
	cr_expect_eq(scuot_prep_check_values(X, 1, NULL, genes, "x.h5ad: /X", NULL, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "holds nan"), "%s", e.msg);
	scuot_csr_free(X);
}

static void check_result_arrays(const scuot_hvg_result *r, const char *prefix)
{
	char key[128];
	snprintf(key, sizeof key, "%s_means", prefix);
	fx_check_array(key, r->means, r->n, 1e-9, 1e-12);
	snprintf(key, sizeof key, "%s_dispersions_norm", prefix);
	fx_check_array(key, r->dispersions_norm, r->n, 1e-7, 1e-9);
}

Test(prep, hvg_seurat)
{
	scuot_err e = { 0 };
	scuot_csr *X = normalized();
	scuot_hvg_opts o;
	scuot_hvg_result r;
	scuot_hvg_opts_init(&o);
	o.n_top_genes = 20;
	cr_assert_eq(scuot_hvg_select(X, &o, NULL, 0, NULL, &r, &e), 0, "%s", e.msg);
	check_result_arrays(&r, "seurat");
	fx_check_array("seurat_dispersions", r.dispersions, r.n, 1e-9, 1e-12);
	fx_check_selection("seurat_top20", r.highly_variable, r.n);
	cr_expect_eq(r.n_constant, 1);
	scuot_hvg_result_free(&r);
	o.n_top_genes = 0;
	cr_assert_eq(scuot_hvg_select(X, &o, NULL, 0, NULL, &r, &e), 0, "%s", e.msg);
	fx_check_selection("seurat_cutoff", r.highly_variable, r.n);
	scuot_hvg_result_free(&r);
	scuot_csr_free(X);
}

static int32_t *day_batches(int64_t n)
{
	double *d = fx_days(n);
	int32_t *b = malloc((size_t)n * sizeof *b);
	for (int64_t i = 0; i < n; i++)
		b[i] = (int32_t)d[i];
	free(d);
	return b;
}

static char **gene_names(void)
{
	FILE *fp = fx_open("genes.tsv");
	char **g = malloc(100 * sizeof *g), buf[64];
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(fscanf(fp, "%63s", buf), 1);
		g[i] = strdup(buf);
	}
	fclose(fp);
	return g;
}

Test(prep, hvg_seurat_per_day)
{
	scuot_err e = { 0 };
	scuot_csr *X = normalized();
	scuot_hvg_opts o;
	scuot_hvg_result r;
	int32_t *b = day_batches(X->nrow);
	char **g = gene_names();
	scuot_hvg_opts_init(&o);
	o.n_top_genes = 20;
	cr_assert_eq(scuot_hvg_select(X, &o, b, 3, g, &r, &e), 0, "%s", e.msg);
	check_result_arrays(&r, "seurat_batch");
	double nb[100];
	for (int j = 0; j < 100; j++)
		nb[j] = (double)r.nbatches[j];
	fx_check_array("seurat_batch_nbatches", nb, 100, 0, 0);
	fx_check_selection("seurat_batch_top20", r.highly_variable, r.n);
	scuot_hvg_result_free(&r);
	scuot_strs_free(g, 100);
	free(b);
	scuot_csr_free(X);
}

Test(prep, hvg_seurat_v3)
{
	scuot_err e = { 0 };
	scuot_csr *X = fx_counts();
	scuot_hvg_opts o;
	scuot_hvg_result r;
	scuot_hvg_opts_init(&o);
	o.flavor = SCUOT_HVG_SEURAT_V3;
	o.n_top_genes = 20;
	cr_assert_eq(scuot_hvg_select(X, &o, NULL, 0, NULL, &r, &e), 0, "%s", e.msg);
	fx_check_array("v3_variances_norm", r.variances_norm, r.n, 1e-8, 1e-12);
	fx_check_array("v3_rank", r.rank, r.n, 0, 0);
	fx_check_selection("v3_top20", r.highly_variable, r.n);
	cr_expect_null(r.nbatches);
	scuot_hvg_result_free(&r);

	int32_t *b = day_batches(X->nrow);
	cr_assert_eq(scuot_hvg_select(X, &o, b, 3, NULL, &r, &e), 0, "%s", e.msg);
	fx_check_array("v3_batch_variances_norm", r.variances_norm, r.n, 1e-8, 1e-12);
	fx_check_array("v3_batch_rank", r.rank, r.n, 0, 0);
	double nb[100];
	for (int j = 0; j < 100; j++)
		nb[j] = (double)r.nbatches[j];
	fx_check_array("v3_batch_nbatches", nb, 100, 0, 0);
	fx_check_selection("v3_batch_top20", r.highly_variable, r.n);
	scuot_hvg_result_free(&r);
	free(b);
	scuot_csr_free(X);
}

Test(prep, loess_trend_matches_numpy)
{
	/* the trend of log10 variance on log10 mean over the non-constant genes of the counts */
	scuot_err e = { 0 };
	scuot_csr *X = fx_counts();
	double s1[100], s2[100], lx[100], ly[100], fit[100], all[100];
	int64_t idx[100], nc = 0, n = X->nrow;
	cr_assert_eq(prep_col_stats(X, NULL, 0, 0, NULL, s1, s2, NULL, &e), 0);
	for (int g = 0; g < 100; g++) {
		double m = s1[g] / n, v = (s2[g] / n - m * m) * ((double)n / (double)(n - 1));
		all[g] = 0;
		if (v > 0)
			lx[nc] = log10(m), ly[nc] = log10(v), idx[nc++] = g;
	}
	cr_assert_eq(prep_loess(lx, ly, nc, 0.3, fit, &e), 0);
	for (int64_t j = 0; j < nc; j++)
		all[idx[j]] = fit[j];
	fx_check_array("v3_loess", all, 100, 1e-9, 1e-11);
	scuot_csr_free(X);
}

Test(prep, loess_reproduces_a_quadratic_and_ties)
{
	scuot_err e = { 0 };
	double x[50], y[50], f[50];
	for (int i = 0; i < 50; i++)
		x[i] = (i * 37 % 50) / 7.0, y[i] = 1 + 2 * x[i] - 0.5 * x[i] * x[i];
	cr_assert_eq(prep_loess(x, y, 50, 0.3, f, &e), 0);
	for (int i = 0; i < 50; i++)
		cr_expect(fabs(f[i] - y[i]) < 1e-9, "x %g: fit %.12g, exact %.12g", x[i], f[i], y[i]);
	/* 30 equal x: bandwidth 0, the fit is the mean of their y */
	for (int i = 0; i < 50; i++)
		x[i] = i < 30 ? 1.0 : 2.0 + i, y[i] = i < 30 ? i : 0;
	cr_assert_eq(prep_loess(x, y, 50, 0.3, f, &e), 0);
	cr_expect(fabs(f[0] - 14.5) < 1e-12, "tied fit %.12g", f[0]);
}

Test(prep, hvg_bad_inputs)
{
	scuot_err e = { 0 };
	scuot_csr *X = scuot_csr_new(3, 2, 6, &e);
	scuot_hvg_opts o;
	scuot_hvg_result r;
	for (int i = 0; i < 3; i++) {
		X->indptr[i + 1] = 2 * (i + 1);
		X->indices[2 * i] = 0, X->indices[2 * i + 1] = 1;
		X->data[2 * i] = 1.5f, X->data[2 * i + 1] = 2;
	}
	scuot_hvg_opts_init(&o);
	cr_expect_eq(scuot_hvg_select(X, &o, NULL, 0, NULL, &r, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "all 2 genes are constant across the 3 cells"), "%s", e.msg);
	X->data[0] = 3;
	int32_t b[3] = { 0, 0, 1 };
	memset(&e, 0, sizeof e);
	cr_expect_eq(scuot_hvg_select(X, &o, b, 2, NULL, &r, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "batch 1 has 1 cells"), "%s", e.msg);
	o.flavor = SCUOT_HVG_SEURAT_V3;
	o.n_top_genes = 0;
	cr_expect_eq(scuot_hvg_opts_check(&o, &e), SCUOT_EUSAGE);
	scuot_csr_free(X);
}

Test(prep, scale_with_clipping)
{
	scuot_err e = { 0 };
	/* gene 0: 0, 0, 0, 9 (mean 2.25, sd 4.5); gene 1 constant 1 */
	scuot_csr *X = scuot_csr_new(4, 2, 5, &e);
	int64_t ip[] = { 0, 1, 2, 3, 5 };
	int32_t ix[] = { 1, 1, 1, 0, 1 };
	float dv[] = { 1, 1, 1, 9, 1 };
	memcpy(X->indptr, ip, sizeof ip), memcpy(X->indices, ix, sizeof ix), memcpy(X->data, dv, sizeof dv);
	scuot_csr *Z = scuot_scale(X, 1.2, &e);
	cr_assert(Z, "%s", e.msg);
	cr_expect_eq(Z->nnz, 8);
	cr_expect_float_eq(Z->data[0], (float)(-2.25 / 4.5), 1e-6);
	cr_expect_float_eq(Z->data[6], 1.2f, 1e-6, "clipped: %g", Z->data[6]);
	cr_expect_eq(Z->data[1], 0.0f, "a constant gene scales to 0");
	scuot_csr_free(Z);
	scuot_csr_free(X);
}

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/scuot-gmt-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

Test(prep, gmt_read)
{
	scuot_err e = { 0 };
	char **g = gene_names(), path[4096];
	scuot_genesets gs;
	snprintf(path, sizeof path, "%s/sets.gmt", FIXTURE_DIR);
	cr_assert_eq(scuot_gmt_read(path, g, NULL, 100, &gs, &e), 0, "%s", e.msg);
	cr_expect_eq(gs.n, 3);
	const scuot_geneset *p = scuot_genesets_find(&gs, "PROLIFERATION");
	cr_assert(p);
	cr_expect_eq(p->n, 15);
	cr_expect_eq(p->n_unknown, 1);
	cr_expect_eq(p->n_listed, 16);
	cr_expect_eq(p->genes[0], 30);
	cr_expect_eq(p->genes[3], 33, "lower-case name matched");
	const scuot_geneset *a = scuot_genesets_find(&gs, "apoptosis");
	cr_expect_eq(a->n, 10);
	cr_expect_eq(a->n_unknown, 2);
	scuot_genesets_free(&gs);

	const char *bad[][2] = {
		{ "s1\td\tGene001\ns2 only-name\n", "line 2: a .gmt line needs a set name" },
		{ "s1\td\tGene001\n\ns3\tdesc\n", "line 3: a .gmt line needs" },
		{ "\td\tGene001\n", "line 1: empty set name" },
		{ "s1\td\tGene001\nS1\td\tGene002\n", "line 2: set 'S1' is defined twice" },
		{ "s1\td\t\t\n", "line 1: set 's1' has no members" },
		{ "# only a comment\n", "no members (a .grp file" }, /* no tab: read as .grp */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *tmp = write_tmp(bad[i][0]);
		memset(&e, 0, sizeof e);
		cr_expect_eq(scuot_gmt_read(tmp, g, NULL, 100, &gs, &e), SCUOT_EINPUT, "case %zu", i);
		cr_expect(strstr(e.msg, bad[i][1]), "case %zu: message '%s' lacks '%s'", i, e.msg, bad[i][1]);
		unlink(tmp);
	}
	memset(&e, 0, sizeof e);
	cr_expect_eq(scuot_gmt_read("/nonexistent/x.gmt", g, NULL, 100, &gs, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "No such file"), "%s", e.msg);
	scuot_strs_free(g, 100);
}

Test(prep, set_scores_and_growth)
{
	scuot_err e = { 0 };
	scuot_csr *X = normalized();
	char **g = gene_names(), path[4096];
	scuot_genesets gs;
	scuot_growth_opts go;
	double ps[200], as[200], b[200], d[200], gr[200];
	snprintf(path, sizeof path, "%s/sets.gmt", FIXTURE_DIR);
	cr_assert_eq(scuot_gmt_read(path, g, NULL, 100, &gs, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_geneset_score(X, scuot_genesets_find(&gs, "proliferation"), 5, ps, &e), 0);
	cr_assert_eq(scuot_geneset_score(X, scuot_genesets_find(&gs, "apoptosis"), 5, as, &e), 0);
	fx_check_array("proliferation_score", ps, 200, 1e-9, 1e-11);
	fx_check_array("apoptosis_score", as, 200, 1e-9, 1e-11);
	scuot_growth_opts_init(&go);
	scuot_growth_rates(&go, ps, as, 200, b, d, gr);
	fx_check_array("birth_rate", b, 200, 1e-9, 1e-11);
	fx_check_array("death_rate", d, 200, 1e-9, 1e-11);
	fx_check_array("growth_prior", gr, 200, 1e-9, 1e-11);
	go.beta_width = 0;
	cr_expect_eq(scuot_growth_opts_check(&go, &e), SCUOT_EUSAGE);
	scuot_genesets_free(&gs);
	scuot_strs_free(g, 100);
	scuot_csr_free(X);
}

Test(prep, normalize_stage)
{
	scuot_err e = { 0 };
	scuot_adata *a = fx_adata();
	scuot_csr *raw = scuot_csr_dup(a->X, &e);
	scuot_normalize_opts o;
	char path[4096];
	snprintf(path, sizeof path, "%s/sets.gmt", FIXTURE_DIR);
	scuot_normalize_opts_init(&o);
	o.hvg.n_top_genes = 20;
	o.gene_sets = path;
	cr_assert_eq(scuot_normalize_run(a, &o, "fx", &e), 0, "%s", e.msg);
	/* default QC: the never-detected gene goes; all cells stay */
	cr_expect_eq(a->n_obs, 200);
	cr_expect_eq(a->n_var, 99);
	cr_assert_eq(a->n_layers, 1);
	cr_expect_str_eq(a->layers[0].key, "counts");
	cr_expect_eq(a->layers[0].c->nnz, raw->nnz, "raw counts kept");
	cr_expect_eq(memcmp(a->layers[0].c->data, raw->data, (size_t)raw->nnz * sizeof(float)), 0);
	int j = scuot_df_find(&a->var, "highly_variable");
	cr_assert(j >= 0);
	int64_t nhv = 0;
	for (int64_t gi = 0; gi < a->n_var; gi++)
		nhv += a->var.cols[j].b[gi];
	cr_expect_eq(nhv, 20);
	const char *cols[] = {"proliferation_score", "apoptosis_score", "birth_rate", "death_rate",
	                      "growth_prior"};
	for (int c = 0; c < 5; c++)
		cr_expect(scuot_df_find(&a->obs, cols[c]) >= 0, "obs column %s", cols[c]);
	int gp = scuot_df_find(&a->obs, "growth_prior");
	int64_t n;
	double *want = fx_expected("growth_prior", &n);
	cr_expect(fx_close(a->obs.cols[gp].f[17], want[17], 1e-9, 0), "growth prior of cell 17");
	free(want);
	scuot_uns *u = scuot_uns_get(&a->uns, "normalize");
	cr_assert(u);
	cr_expect_eq(scuot_uns_get(u, "target_sum")->num, 1e4);
	scuot_adata_free(a);
	scuot_csr_free(raw);

	/* --subset and --scale */
	a = fx_adata();
	o.gene_sets = NULL;
	o.subset = 1, o.scale = 1;
	cr_assert_eq(scuot_normalize_run(a, &o, "fx", &e), 0, "%s", e.msg);
	cr_expect_eq(a->n_var, 20);
	cr_expect_eq(a->X->nnz, 200 * 20);
	scuot_adata_free(a);
}

Test(prep, normalize_stage_bad_inputs)
{
	scuot_err e = { 0 };
	scuot_adata *a = fx_adata();
	scuot_normalize_opts o;
	scuot_normalize_opts_init(&o);
	/* the low-count cell 5 alone on day 7 loses its day to --min-counts 40 */
	a->obs.cols[scuot_df_find(&a->obs, "day")].f[5] = 7;
	o.qc.min_counts = 40;
	cr_expect_eq(scuot_normalize_run(a, &o, "fx.h5ad", &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "fx.h5ad: day 7 has no cells left after the QC filters (--min-counts 40"),
	          "%s", e.msg);
	scuot_adata_free(a);

	a = fx_adata();
	memset(&e, 0, sizeof e);
	scuot_normalize_opts_init(&o);
	o.gene_sets = "/nonexistent.gmt";
	cr_expect_eq(scuot_normalize_run(a, &o, "fx.h5ad", &e), SCUOT_EINPUT);
	scuot_adata_free(a);

	a = fx_adata();
	memset(&e, 0, sizeof e);
	char path[4096];
	snprintf(path, sizeof path, "%s/sets.gmt", FIXTURE_DIR);
	o.gene_sets = path;
	o.apop_set = "death";
	cr_expect_eq(scuot_normalize_run(a, &o, "fx.h5ad", &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "no gene set named 'death' (sets: 'proliferation', 'apoptosis', 'other')"),
	          "%s", e.msg);
	scuot_adata_free(a);

	a = fx_adata();
	memset(&e, 0, sizeof e);
	scuot_normalize_opts_init(&o);
	a->X->data[10] = -1;
	cr_expect_eq(scuot_normalize_run(a, &o, "fx.h5ad", &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "fx.h5ad: /X: cell 'cell"), "%s", e.msg);
	scuot_adata_free(a);
}
