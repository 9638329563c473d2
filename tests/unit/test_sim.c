/* test_sim.c -- unit tests of src/lib/sim: options, determinism across seeds and thread counts,
 * realised growth against configured rates, negative-binomial moments, proliferation genes, tables. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/rng.h"
#include "io/adata.h"
#include "sim/sim.h"
#include "sim/sim_internal.h"

static void quiet(void)
{
	scuot_log_set_level(SCUOT_LOG_WARNING);
}

/* A small, fast configuration. */
static void small_opts(scuot_sim_opts *o)
{
	scuot_err e = { 0 };
	scuot_sim_opts_init(o);
	cr_assert_eq(scuot_sim_opts_set_days(o, "0,1,2.5", &e), 0, "%s", e.msg);
	o->cells[0] = 100;
	o->n_genes = 200;
	o->n_prolif_genes = 20;
	o->particles = 2000;
	o->mc_paths = 20;
	o->threads = 1;
}

static scuot_adata *run(const scuot_sim_opts *o)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	int ret = scuot_sim_run(o, &a, &e);
	cr_assert_eq(ret, 0, "scuot_sim_run: %s", e.msg);
	cr_assert_not_null(a);
	return a;
}

static const scuot_col *col(const scuot_df *df, const char *name)
{
	int j = scuot_df_find(df, name);
	cr_assert_geq(j, 0, "column %s missing", name);
	return &df->cols[j];
}

static const scuot_uns *uns_sim(const scuot_adata *a, const char *key)
{
	const scuot_uns *s = scuot_uns_get(&a->uns, "sim");
	cr_assert_not_null(s, "uns/sim missing");
	const scuot_uns *u = scuot_uns_get(s, key);
	cr_assert_not_null(u, "uns/sim/%s missing", key);
	return u;
}

/* 1 if X, obs floats and the latent coordinates are bit-identical. */
static int same_result(const scuot_adata *a, const scuot_adata *b)
{
	if (a->n_obs != b->n_obs || a->X->nnz != b->X->nnz)
		return 0;
	if (memcmp(a->X->indptr, b->X->indptr, (size_t)(a->n_obs + 1) * sizeof *a->X->indptr) ||
	    memcmp(a->X->indices, b->X->indices, (size_t)a->X->nnz * sizeof *a->X->indices) ||
	    memcmp(a->X->data, b->X->data, (size_t)a->X->nnz * sizeof *a->X->data))
		return 0;
	for (int j = 0; j < a->obs.ncol; j++) {
		const scuot_col *ca = &a->obs.cols[j], *cb = col(&b->obs, ca->name);
		if (ca->type == SCUOT_COL_FLOAT && memcmp(ca->f, cb->f, (size_t)a->n_obs * sizeof *ca->f))
			return 0;
		if (ca->type == SCUOT_COL_CATEGORICAL && memcmp(ca->codes, cb->codes, (size_t)a->n_obs * 4))
			return 0;
	}
	const scuot_mat *la = scuot_adata_get_obsm(a, "X_latent"), *lb = scuot_adata_get_obsm(b, "X_latent");
	return !memcmp(la->data, lb->data, (size_t)(la->nrow * la->ncol) * sizeof *la->data);
}

Test(opts, defaults_are_valid, .init = quiet)
{
	scuot_sim_opts o;
	scuot_err e = { 0 };
	scuot_sim_opts_init(&o);
	cr_assert_eq(scuot_sim_opts_check(&o, &e), 0, "%s", e.msg);
	cr_assert_eq(o.n_days, 5);
	cr_assert_eq(o.days[4], 8.0);
	cr_assert_eq(scuot_sim_cells_at(&o, 3), 300);
	cr_assert_eq(o.lineages, 2);
	cr_assert_eq(scuot_sim_prolif_genes(&o), 50, "default: 5%% of 1000 genes");
	o.n_genes = 10;
	cr_assert_eq(scuot_sim_prolif_genes(&o), 1, "at least one proliferation gene");
	o.n_genes = 1000;
	/* Lineage A grows at --growth, the last lineage growth_contrast times slower. */
	cr_assert_float_eq(scuot_sim_lineage_growth(&o, 1), 0.6, 1e-12);
	cr_assert_float_eq(scuot_sim_lineage_growth(&o, 2), 0.3, 1e-12);
	cr_assert_float_eq(scuot_sim_lineage_growth(&o, 0), 0.4, 1e-12);
	cr_assert_str_eq(scuot_sim_lineage_name(0), "progenitor");
	cr_assert_str_eq(scuot_sim_lineage_name(2), "B");
}

Test(opts, lists_parse_strictly, .init = quiet)
{
	scuot_sim_opts o;
	scuot_err e = { 0 };
	scuot_sim_opts_init(&o);
	cr_assert_eq(scuot_sim_opts_set_days(&o, "0,1.5,3", &e), 0, "%s", e.msg);
	cr_assert_eq(o.n_days, 3);
	cr_assert_eq(o.days[1], 1.5);
	cr_assert_eq(scuot_sim_opts_set_cells(&o, "10,20,30", &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_sim_cells_at(&o, 2), 30);
	cr_assert_eq(scuot_sim_opts_check(&o, &e), 0, "%s", e.msg);
	const char *bad_days[] = { "", "0,,2", "0,x", "1,2,", "nan" };
	for (size_t i = 0; i < sizeof bad_days / sizeof *bad_days; i++) {
		memset(&e, 0, sizeof e);
		cr_assert_eq(scuot_sim_opts_set_days(&o, bad_days[i], &e), SCUOT_EUSAGE, "days '%s' accepted",
		             bad_days[i]);
		cr_assert(strstr(e.msg, "--days"), "message for '%s': %s", bad_days[i], e.msg);
	}
	const char *bad_cells[] = { "0", "-5", "1.5", "10,abc" };
	for (size_t i = 0; i < sizeof bad_cells / sizeof *bad_cells; i++) {
		memset(&e, 0, sizeof e);
		cr_assert_eq(scuot_sim_opts_set_cells(&o, bad_cells[i], &e), SCUOT_EUSAGE,
		             "cells '%s' accepted", bad_cells[i]);
		cr_assert(strstr(e.msg, "--cells"), "message for '%s': %s", bad_cells[i], e.msg);
	}
}

Test(opts, check_rejects_bad_values, .init = quiet)
{
	struct {
		const char *what, *want;
	} cases[] = {
		{ "lineages=1", "--lineages" },           { "days decreasing", "--days" },
		{ "cells > particles/4", "--particles" }, { "dt=0.2", "--dt" },
		{ "dispersion=-1", "--dispersion" },      { "cells list length", "--cells" },
		{ "prolif>genes", "--prolif-genes" },     { "dropout=1.5", "--dropout" },
		{ "contrast=0.5", "--growth-contrast" },  { "latent_dims=11", "--latent-dims" },
		{ "dt too large for rates", "--dt" },     { "progenitor birth < 0", "--progenitor-growth" }
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		scuot_sim_opts o;
		scuot_err e = { 0 };
		scuot_sim_opts_init(&o);
		switch (i) {
		case 0: o.lineages = 1; break;
		case 1: o.days[2] = 1; break;
		case 2: o.cells[0] = 5001; break;
		case 3: o.dt = 0.2; break;
		case 4: o.dispersion = -1; break;
		case 5: o.n_cells = 2; break;
		case 6: o.n_prolif_genes = 1001; break;
		case 7: o.dropout = 1.5; break;
		case 8: o.growth_contrast = 0.5; break;
		case 9: o.latent_dims = 11; break;
		case 10: o.growth = 20, o.dt = 0.05; break;
		case 11: o.progenitor_growth = -0.5; break;
		}
		int ret = scuot_sim_opts_check(&o, &e);
		cr_assert_eq(ret, SCUOT_EUSAGE, "%s: returned %d, expected SCUOT_EUSAGE", cases[i].what, ret);
		cr_assert(strstr(e.msg, cases[i].want), "%s: message '%s' does not name %s", cases[i].what,
		          e.msg, cases[i].want);
		scuot_adata *a = NULL;
		memset(&e, 0, sizeof e);
		cr_assert_eq(scuot_sim_run(&o, &a, &e), SCUOT_EUSAGE, "%s: scuot_sim_run accepted it",
		             cases[i].what);
		cr_assert_null(a);
	}
}

Test(run, layout_of_the_result, .init = quiet)
{
	scuot_sim_opts o;
	scuot_err e = { 0 };
	small_opts(&o);
	scuot_adata *a = run(&o);
	cr_assert_eq(a->n_obs, 300);
	cr_assert_eq(a->n_var, 200);
	cr_assert_eq(scuot_csr_check(a->X, &e), 0, "%s", e.msg);
	cr_assert_str_eq(a->obs.index[0], "d0_c0001");
	cr_assert_str_eq(a->obs.index[299], "d2.5_c0100");
	cr_assert_str_eq(a->var.index[0], "g0001");
	const scuot_col *day = col(&a->obs, "day"), *desc = col(&a->obs, "expected_descendants");
	const scuot_col *lin = col(&a->obs, "lineage"), *g = col(&a->obs, "growth_rate");
	const scuot_col *b = col(&a->obs, "birth_rate"), *d = col(&a->obs, "death_rate");
	cr_assert_eq(lin->type, SCUOT_COL_CATEGORICAL);
	cr_assert_eq(lin->ncat, 3);
	cr_assert_str_eq(lin->cats[0], "progenitor");
	for (int64_t i = 0; i < a->n_obs; i++) {
		double want_day = i < 100 ? 0 : i < 200 ? 1 : 2.5;
		cr_assert_eq(day->f[i], want_day, "cell %lld: day %g, expected %g", (long long)i, day->f[i],
		             want_day);
		cr_assert(i < 200 ? desc->f[i] > 0 : isnan(desc->f[i]), "cell %lld: expected_descendants %g",
		          (long long)i, desc->f[i]);
		cr_assert_float_eq(g->f[i], b->f[i] - d->f[i], 1e-12);
		if (i < 100)
			cr_assert_eq(lin->codes[i], 0, "day-0 cell %lld is not a progenitor", (long long)i);
	}
	const scuot_col *prol = col(&a->var, "is_proliferation_gene"), *prog = col(&a->var, "program");
	int nprol = 0, first_half = 0;
	for (int j = 0; j < 200; j++) {
		nprol += prol->b[j];
		first_half += j < 100 && prol->b[j];
		cr_assert_eq(prol->b[j], !strcmp(prog->cats[prog->codes[j]], "proliferation"));
	}
	cr_assert_eq(nprol, 20);
	cr_assert(first_half > 0 && first_half < 20,
	          "proliferation genes are not shuffled: %d in the first half", first_half);
	const scuot_mat *lat = scuot_adata_get_obsm(a, "X_latent");
	cr_assert_not_null(lat);
	cr_assert_eq(lat->ncol, 3);
	const scuot_uns *mass = uns_sim(a, "population_mass");
	cr_assert_eq(mass->ndim, 2);
	cr_assert_eq(mass->dims[0], 3);
	cr_assert_eq(mass->dims[1], 3);
	cr_assert_float_eq(mass->arr[0], 1000.0, 1e-9, "day-0 population is particles/2 progenitors");
	scuot_adata_free(a);
}

Test(run, same_seed_same_counts_other_seed_differs, .init = quiet)
{
	scuot_sim_opts o;
	small_opts(&o);
	o.seed = 42;
	scuot_adata *a = run(&o), *b = run(&o);
	cr_assert(same_result(a, b), "two runs with seed 42 differ");
	o.seed = 43;
	scuot_adata *c = run(&o);
	cr_assert(!same_result(a, c), "seeds 42 and 43 gave identical results");
	scuot_adata_free(a), scuot_adata_free(b), scuot_adata_free(c);
}

Test(run, thread_count_does_not_change_the_result, .init = quiet)
{
	scuot_sim_opts o;
	small_opts(&o);
	o.particles = 6000; /* several blocks of particles per step */
	o.seed = 7;
	o.threads = 1;
	scuot_adata *a = run(&o);
	o.threads = 4;
	scuot_adata *b = run(&o);
	cr_assert(same_result(a, b), "--threads 1 and 4 differ");
	scuot_adata_free(a), scuot_adata_free(b);
}

/* Without the program's effect a committed lineage k grows by (1 + r_k dt) per step: compare the
 * realised mass of each lineage between days 1 and 3 with the configured rate. */
Test(growth, lineages_grow_at_their_configured_rates, .init = quiet)
{
	scuot_sim_opts o;
	scuot_err e = { 0 };
	scuot_sim_opts_init(&o);
	cr_assert_eq(scuot_sim_opts_set_days(&o, "1,3", &e), 0);
	o.cells[0] = 10;
	o.n_genes = 10;
	o.n_prolif_genes = 2;
	o.lineages = 3;
	o.commit_rate = 100; /* everyone commits within the first 0.1 day */
	o.prolif_effect = 0;
	o.particles = 80000;
	o.mc_paths = 1;
	o.threads = 2;
	scuot_adata *a = run(&o);
	const scuot_uns *mass = uns_sim(a, "population_mass");
	cr_assert_lt(mass->arr[0] / (mass->arr[1] + mass->arr[2] + mass->arr[3]), 1e-6,
	             "progenitors left: %g", mass->arr[0]);
	for (int k = 1; k <= 3; k++) {
		double r = scuot_sim_lineage_growth(&o, k), want = log1p(r * o.dt) / o.dt;
		double got = log(mass->arr[4 + k] / mass->arr[k]) / 2.0;
		cr_assert(fabs(got - want) < 0.035,
		          "lineage %s: realised rate %.4f per day, configured %.4f (r = %g)",
		          scuot_sim_lineage_name(k), got, want, r);
	}
	/* The slowest lineage grows growth_contrast times slower than A. */
	cr_assert_float_eq(scuot_sim_lineage_growth(&o, 3), 0.3, 1e-12);
	scuot_adata_free(a);
}

/* The expected number of descendants of a random day-t cell is the population's growth factor to the
 * next day: the Monte Carlo estimates averaged over sampled cells must match the realised mass ratio. */
Test(growth, expected_descendants_match_population_growth, .init = quiet)
{
	scuot_sim_opts o;
	scuot_err e = { 0 };
	scuot_sim_opts_init(&o);
	cr_assert_eq(scuot_sim_opts_set_days(&o, "0,1.5,3", &e), 0);
	o.cells[0] = 1000;
	o.n_genes = 20;
	o.n_prolif_genes = 5;
	o.particles = 40000;
	o.mc_paths = 40;
	o.threads = 2;
	o.seed = 3;
	scuot_adata *a = run(&o);
	const scuot_uns *mass = uns_sim(a, "population_mass");
	const scuot_col *desc = col(&a->obs, "expected_descendants");
	for (int di = 0; di < 2; di++) {
		double m0 = 0, m1 = 0, mean = 0;
		for (int k = 0; k < 3; k++)
			m0 += mass->arr[di * 3 + k], m1 += mass->arr[(di + 1) * 3 + k];
		for (int i = di * 1000; i < (di + 1) * 1000; i++)
			mean += desc->f[i] / 1000;
		cr_assert(fabs(mean / (m1 / m0) - 1) < 0.04,
		          "day %g: mean expected descendants %.4f, realised population growth %.4f",
		          o.days[di], mean, m1 / m0);
	}
	scuot_adata_free(a);
}

Test(nb, draws_have_the_requested_mean_and_variance, .init = quiet)
{
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(11, 0, &e);
	const double cases[][3] = {
		{ 0.5, 0.2, 0 }, { 5, 0.2, 0 }, { 20, 0.5, 0 }, { 10, 0, 0 }, { 2, 0, 0.6 }
	};
	const int n = 200000;
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		double mu = cases[c][0], phi = cases[c][1], drop = cases[c][2], s = 0, s2 = 0, zeros = 0;
		for (int i = 0; i < n; i++) {
			double y = scuot_sim_nb_draw(r, mu, phi, drop);
			s += y, s2 += y * y, zeros += y == 0;
		}
		double mean = s / n, var = s2 / n - mean * mean;
		double pi = drop / (1 + mu), want_mean = (1 - pi) * mu;
		/* zero-inflated NB: Var = (1 - pi)(mu + phi mu^2) + pi (1 - pi) mu^2 */
		double want_var = (1 - pi) * (mu + phi * mu * mu) + pi * (1 - pi) * mu * mu;
		cr_assert(fabs(mean - want_mean) < 5 * sqrt(want_var / n),
		          "mu %g phi %g dropout %g: mean %.4f, expected %.4f", mu, phi, drop, mean,
		          want_mean);
		cr_assert(fabs(var / want_var - 1) < 0.04,
		          "mu %g phi %g dropout %g: variance %.4f, expected %.4f", mu, phi, drop, var,
		          want_var);
		if (drop > 0) {
			double want_zero = pi + (1 - pi) * exp(-mu);
			cr_assert(fabs(zeros / n - want_zero) < 0.005, "zero fraction %.4f, expected %.4f",
			          zeros / n, want_zero);
		}
	}
	gsl_rng_free(r);
}

/* Flat expression (no loadings, equal baselines, fixed library size): every count is NB with mean
 * library_size / genes and variance mu + phi mu^2. */
Test(nb, simulated_counts_follow_the_dispersion, .init = quiet)
{
	scuot_sim_opts o;
	scuot_err e = { 0 };
	scuot_sim_opts_init(&o);
	cr_assert_eq(scuot_sim_opts_set_days(&o, "0", &e), 0);
	o.cells[0] = 2000;
	o.particles = 8000;
	o.n_genes = 100;
	o.n_prolif_genes = 0;
	o.state_loading = 0;
	o.baseline_sd = 0;
	o.library_sdlog = 0;
	o.library_size = 2000;
	o.dropout = 0;
	o.dispersion = 0.3;
	scuot_adata *a = run(&o);
	double s = 0, s2 = 0, n = (double)a->n_obs * a->n_var;
	for (int64_t k = 0; k < a->X->nnz; k++)
		s += a->X->data[k], s2 += (double)a->X->data[k] * a->X->data[k];
	double mean = s / n, var = s2 / n - mean * mean, mu = 20, want_var = mu + 0.3 * mu * mu;
	cr_assert(fabs(mean - mu) < 0.1, "mean count %.4f, expected %g", mean, mu);
	cr_assert(fabs(var / want_var - 1) < 0.04, "count variance %.3f, expected %.3f", var, want_var);
	scuot_adata_free(a);
}

/* Pearson correlation of x and y over n values. */
static double pearson(const double *x, const double *y, int n)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
	for (int i = 0; i < n; i++)
		mx += x[i] / n, my += y[i] / n;
	for (int i = 0; i < n; i++)
		sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx),
		    syy += (y[i] - my) * (y[i] - my);
	return sxy / sqrt(sxx * syy);
}

/* Within a lineage growth depends on the program only, so the genes that correlate best with the true
 * growth rate must be the proliferation genes; their summed expression tracks growth over all cells. */
Test(prolif, proliferation_genes_track_growth, .init = quiet)
{
	scuot_sim_opts o;
	scuot_err e = { 0 };
	scuot_sim_opts_init(&o);
	cr_assert_eq(scuot_sim_opts_set_days(&o, "0,2,4", &e), 0);
	o.cells[0] = 500;
	o.n_genes = 300;
	o.n_prolif_genes = 30;
	o.particles = 8000;
	o.mc_paths = 2;
	o.threads = 2;
	o.seed = 5;
	scuot_adata *a = run(&o);
	const int n = (int)a->n_obs, G = (int)a->n_var;
	const scuot_col *g = col(&a->obs, "growth_rate"), *lin = col(&a->obs, "lineage");
	const scuot_col *prol = col(&a->var, "is_proliferation_gene");
	double *logx = calloc((size_t)n * G, sizeof *logx), *score = calloc(n, sizeof *score);
	double *gs = calloc(n, sizeof *gs), *col_g = calloc(n, sizeof *col_g),
	       *corr = calloc(G, sizeof *corr);
	cr_assert(logx && score && gs && col_g && corr);
	for (int i = 0; i < n; i++) {
		double tot = 0;
		for (int64_t k = a->X->indptr[i]; k < a->X->indptr[i + 1]; k++)
			tot += a->X->data[k];
		for (int64_t k = a->X->indptr[i]; k < a->X->indptr[i + 1]; k++)
			logx[(int64_t)i * G + a->X->indices[k]] = log1p(1e4 * a->X->data[k] / tot);
		for (int j = 0; j < G; j++)
			if (prol->b[j])
				score[i] += logx[(int64_t)i * G + j];
	}
	double r_all = pearson(score, g->f, n);
	cr_assert_gt(r_all, 0.6, "proliferation score vs growth rate over all cells: r = %.3f", r_all);
	/* lineage A cells only */
	int m = 0;
	for (int i = 0; i < n; i++)
		if (lin->codes[i] == 1)
			gs[m++] = g->f[i];
	cr_assert_gt(m, 150, "only %d lineage-A cells", m);
	for (int j = 0; j < G; j++) {
		int t = 0;
		for (int i = 0; i < n; i++)
			if (lin->codes[i] == 1)
				col_g[t++] = logx[(int64_t)i * G + j];
		corr[j] = pearson(col_g, gs, m);
		if (isnan(corr[j]))
			corr[j] = -2;
	}
	int hits = 0;
	for (int top = 0; top < 30; top++) {
		int best = 0;
		for (int j = 1; j < G; j++)
			if (corr[j] > corr[best])
				best = j;
		hits += prol->b[best];
		corr[best] = -3;
	}
	cr_assert_geq(hits, 25,
	              "%d of the 30 genes most correlated with growth in lineage A are proliferation genes",
	              hits);
	free(logx), free(score), free(gs), free(col_g), free(corr);
	scuot_adata_free(a);
}

static int count_lines(const char *path, char *first, size_t len)
{
	FILE *fp = fopen(path, "r");
	char buf[4096];
	int n = 0;
	cr_assert_not_null(fp, "cannot open %s", path);
	while (fgets(buf, sizeof buf, fp)) {
		if (n == 0)
			snprintf(first, len, "%s", buf);
		n++;
	}
	fclose(fp);
	return n;
}

Test(tables, truth_files_are_written, .init = quiet)
{
	scuot_sim_opts o;
	scuot_err e = { 0 };
	char dir[] = "/tmp/test_sim_XXXXXX", path[256], head[4096];
	small_opts(&o);
	o.latent_dims = 2;
	scuot_adata *a = run(&o);
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(scuot_sim_write_tables(a, dir, &e), 0, "%s", e.msg);
	snprintf(path, sizeof path, "%s/cell_days.tsv", dir);
	cr_assert_eq(count_lines(path, head, sizeof head), 301);
	cr_assert_str_eq(head, "id\tday\n");
	unlink(path);
	snprintf(path, sizeof path, "%s/truth.tsv", dir);
	cr_assert_eq(count_lines(path, head, sizeof head), 301);
	cr_assert_str_eq(
	    head, "id\tday\tlineage\tbranch_progress\tprolif_program\tlatent_1\tlatent_2\tgrowth_rate\t"
	          "birth_rate\tdeath_rate\texpected_descendants\tlibrary_size\n");
	unlink(path);
	snprintf(path, sizeof path, "%s/genes_truth.tsv", dir);
	cr_assert_eq(count_lines(path, head, sizeof head), 201);
	cr_assert_str_eq(head,
	                 "id\tgene_name\tprogram\tis_proliferation\tbaseline\tprolif_loading\tloading_1\t"
	                 "loading_2\n");
	unlink(path);
	cr_assert_eq(rmdir(dir), 0, "temporaries left in %s", dir);
	/* An object that is not a simulator result is refused. */
	scuot_adata *b = scuot_adata_new(2, 2, &e);
	memset(&e, 0, sizeof e);
	cr_assert_eq(scuot_sim_write_tables(b, "/tmp", &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "obs/day"), "message: %s", e.msg);
	scuot_adata_free(b);
	scuot_adata_free(a);
}
