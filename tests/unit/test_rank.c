/* test_rank.c -- unit tests of the rank module: competition ranks and percentiles, Spearman correlation,
 * Benjamini-Hochberg, and growth-gene statistics against scipy.stats (tests/fixtures/rank/de_cases.txt). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rank/rank.h"

#define NCOL 13

static double *read_doubles(FILE *fp, int64_t n)
{
	double *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
	cr_assert(v);
	for (int64_t i = 0; i < n; i++)
		cr_assert(fscanf(fp, "%lf", &v[i]) == 1, "fixture: value %lld unreadable", (long long)i);
	return v;
}

/* |got - want| <= atol + rtol |want|; equal infinities and NaNs agree. */
static void close_to(const char *what, const char *cas, int64_t g, double got, double want, double rtol,
		     double atol)
{
	if (isnan(want)) {
		cr_expect(isnan(got), "%s gene %lld %s: got %.17g, expected NaN", cas, (long long)g, what,
			  got);
		return;
	}
	if (isinf(want)) {
		cr_expect(got == want, "%s gene %lld %s: got %.17g, expected %g", cas, (long long)g, what,
			  got, want);
		return;
	}
	cr_expect(fabs(got - want) <= atol + rtol * fabs(want), "%s gene %lld %s: got %.17g, expected %.17g",
		  cas, (long long)g, what, got, want);
}

static void check_de_case(FILE *fp, const char *name, int64_t n, int64_t G)
{
	scuot_err e = { 0 };
	double *X = read_doubles(fp, n * G), *want = NULL;
	uint8_t *in1 = malloc((size_t)n);
	int64_t nnz = 0, k = 0;
	scuot_rank_de *de = calloc((size_t)G, sizeof *de);
	cr_assert(in1 && de);
	for (int64_t c = 0; c < n; c++) {
		int f;
		cr_assert(fscanf(fp, "%d", &f) == 1);
		in1[c] = (uint8_t)f;
	}
	for (int64_t i = 0; i < n * G; i++)
		nnz += X[i] != 0;
	/* a sparse matrix with the zeros left out, plus one explicitly stored zero in the first cell */
	scuot_csr *csr = scuot_csr_new(n, G, nnz + 1, &e);
	cr_assert(csr, "%s", e.msg);
	for (int64_t c = 0; c < n; c++) {
		for (int64_t g = 0; g < G; g++)
			if (X[c * G + g] != 0 || (c == 0 && g == 0 && X[0] == 0)) {
				csr->indices[k] = (int32_t)g;
				csr->data[k++] = (float)X[c * G + g];
			}
		csr->indptr[c + 1] = k;
	}
	csr->nnz = k;
	cr_assert_eq(scuot_rank_de_run(csr, in1, de, &e), 0, "%s: %s", name, e.msg);
	want = read_doubles(fp, G * (NCOL + 1));
	for (int64_t g = 0; g < G; g++) {
		const double *w = want + g * (NCOL + 1) + 1;
		const scuot_rank_de *d = &de[g];
		cr_expect_eq(d->gene, g);
		close_to("mean1", name, g, d->mean1, w[0], 1e-7, 1e-7);
		close_to("mean0", name, g, d->mean0, w[1], 1e-7, 1e-7);
		close_to("det1", name, g, d->det1, w[2], 1e-12, 1e-12);
		close_to("det0", name, g, d->det0, w[3], 1e-12, 1e-12);
		close_to("log2fc", name, g, d->log2fc, w[4], 1e-6, 1e-6);
		close_to("t", name, g, d->t, w[5], 1e-6, 1e-9);
		close_to("df", name, g, d->t_df, w[6], 1e-6, 1e-9);
		close_to("t p", name, g, d->t_p, w[7], 1e-5, 1e-12);
		close_to("U", name, g, d->u, w[8], 1e-12, 1e-9);
		close_to("z", name, g, d->z, w[9], 1e-6, 1e-9);
		close_to("wilcoxon p", name, g, d->w_p, w[10], 1e-5, 1e-14);
		close_to("t fdr", name, g, d->t_fdr, w[11], 1e-5, 1e-12);
		close_to("wilcoxon fdr", name, g, d->w_fdr, w[12], 1e-5, 1e-14);
	}
	/* sorted: z descending */
	scuot_rank_de_sort(de, G);
	for (int64_t g = 1; g < G; g++)
		cr_expect(de[g - 1].z >= de[g].z, "%s: sorted row %lld has z %g above %g", name, (long long)g,
			  de[g].z, de[g - 1].z);
	scuot_csr_free(csr);
	free(X);
	free(want);
	free(in1);
	free(de);
}

Test(rank, against_scipy_fixtures)
{
	FILE *fp = fopen(FIXTURE_DIR "/de_cases.txt", "r");
	char kind[32], name[64];
	int ncase = 0;
	cr_assert(fp, "cannot open " FIXTURE_DIR "/de_cases.txt");
	while (fscanf(fp, "%31s", kind) == 1) {
		if (!strcmp(kind, "de")) {
			long long n, G;
			cr_assert(fscanf(fp, "%63s %lld %lld", name, &n, &G) == 3);
			check_de_case(fp, name, n, G);
		} else if (!strcmp(kind, "spearman")) {
			long long n;
			double rho, want;
			scuot_err e = { 0 };
			cr_assert(fscanf(fp, "%63s %lld", name, &n) == 2);
			double *x = read_doubles(fp, n), *y = read_doubles(fp, n);
			cr_assert(fscanf(fp, " expect %lf", &want) == 1);
			cr_assert_eq(scuot_rank_spearman(x, y, n, &rho, &e), 0, "%s", e.msg);
			cr_expect(fabs(rho - want) < 1e-12, "spearman %s: got %.17g, expected %.17g", name,
				  rho, want);
			free(x);
			free(y);
		} else if (!strcmp(kind, "bh")) {
			long long n;
			scuot_err e = { 0 };
			cr_assert(fscanf(fp, "%lld", &n) == 1);
			double *p = read_doubles(fp, n), *want = read_doubles(fp, n),
			       *q = malloc(sizeof *q * (size_t)n);
			cr_assert_eq(scuot_rank_bh(p, n, q, &e), 0);
			for (long long i = 0; i < n; i++)
				cr_expect(fabs(q[i] - want[i]) < 1e-14, "bh %lld: got %.17g, expected %.17g",
					  i, q[i], want[i]);
			free(p);
			free(want);
			free(q);
		} else {
			cr_assert_fail("fixture: unknown record '%s'", kind);
		}
		ncase++;
	}
	fclose(fp);
	cr_expect_eq(ncase, 5, "fixture cases read: %d, expected 5", ncase);
}

Test(rank, competition_ranks_and_percentiles)
{
	const double v[6] = { 0.5, 2.0, 1.0, 2.0, 0.1, 1.0 };
	const int64_t want[6] = { 5, 1, 3, 1, 6, 3 };
	int64_t r[6];
	scuot_err e = { 0 };
	cr_assert_eq(scuot_rank_desc(v, 6, r, &e), 0);
	for (int i = 0; i < 6; i++)
		cr_expect_eq(r[i], want[i], "value %g: rank %lld, expected %lld", v[i], (long long)r[i],
			     (long long)want[i]);
	cr_expect_float_eq(scuot_rank_percentile(1, 6), 100.0, 1e-12);
	cr_expect_float_eq(scuot_rank_percentile(6, 6), 0.0, 1e-12);
	cr_expect_float_eq(scuot_rank_percentile(3, 5), 50.0, 1e-12);
	cr_expect_float_eq(scuot_rank_percentile(1, 1), 100.0, 1e-12);
	const double bad[2] = { 1, NAN };
	memset(&e, 0, sizeof e);
	cr_expect_eq(scuot_rank_desc(bad, 2, r, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "value 1 is NaN"), "message: %s", e.msg);
}

Test(rank, midranks_and_degenerate_spearman)
{
	const double v[5] = { 3, 1, 3, 2, 3 };
	const double want[5] = { 4, 1, 4, 2, 4 };
	double r[5], rho;
	scuot_err e = { 0 };
	cr_assert_eq(scuot_rank_midranks(v, 5, r, &e), 0);
	for (int i = 0; i < 5; i++)
		cr_expect_float_eq(r[i], want[i], 1e-15, "value %g: midrank %g, expected %g", v[i], r[i],
				   want[i]);
	const double c[3] = { 1, 1, 1 }, x[3] = { 1, 2, 3 }, y[3] = { 30, 20, 10 };
	cr_assert_eq(scuot_rank_spearman(c, x, 3, &rho, &e), 0);
	cr_expect(isnan(rho), "constant side: rho %g, expected NaN", rho);
	cr_assert_eq(scuot_rank_spearman(x, y, 3, &rho, &e), 0);
	cr_expect_float_eq(rho, -1.0, 1e-15);
	cr_expect_eq(scuot_rank_spearman(x, y, 1, &rho, &e), SCUOT_EUSAGE);
}

Test(rank, top_group_sizes_and_errors)
{
	double s[20];
	uint8_t in1[20];
	int64_t n1 = 0;
	scuot_err e = { 0 };
	for (int i = 0; i < 20; i++)
		s[i] = (double)((i * 7) % 20);
	/* 0.1 * 20 = 2 exactly, not 3 through rounding */
	cr_assert_eq(scuot_rank_top_group(s, 20, 0.1, in1, &n1, &e), 0, "%s", e.msg);
	cr_expect_eq(n1, 2);
	for (int i = 0; i < 20; i++)
		cr_expect_eq(in1[i], s[i] >= 18, "cell %d (scaling %g): flag %d", i, s[i], in1[i]);
	cr_assert_eq(scuot_rank_top_group(s, 20, 0.25, in1, &n1, &e), 0);
	cr_expect_eq(n1, 5);
	cr_expect_eq(scuot_rank_top_group(s, 20, 0.0, in1, &n1, &e), SCUOT_EUSAGE);
	cr_expect(strstr(e.msg, "not in (0, 1)"), "message: %s", e.msg);
	cr_expect_eq(scuot_rank_top_group(s, 20, 1.0, in1, &n1, &e), SCUOT_EUSAGE);
	memset(&e, 0, sizeof e);
	cr_expect_eq(scuot_rank_top_group(s, 20, 0.01, in1, &n1, &e), SCUOT_EUSAGE);
	cr_expect(strstr(e.msg, "at least 2"), "message: %s", e.msg);
}

Test(rank, de_refuses_small_groups)
{
	scuot_err e = { 0 };
	scuot_csr *c = scuot_csr_new(3, 1, 0, &e);
	uint8_t in1[3] = { 1, 0, 0 };
	scuot_rank_de de[1];
	cr_assert(c);
	cr_expect_eq(scuot_rank_de_run(c, in1, de, &e), SCUOT_EUSAGE);
	cr_expect(strstr(e.msg, "1 top cells and 2 others"), "message: %s", e.msg);
	scuot_csr_free(c);
}
