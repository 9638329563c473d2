/* prep_fixture.h -- loaders of the fixtures in tests/fixtures/prep (made by make_fixtures.py) for
 * the unit tests of src/lib/prep: counts, days, gene names, expected values by key. */
#ifndef SCUOT_TEST_PREP_FIXTURE_H
#define SCUOT_TEST_PREP_FIXTURE_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/adata.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name tests/fixtures/prep"
#endif

static inline FILE *fx_open(const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", FIXTURE_DIR, name);
	FILE *fp = fopen(path, "r");
	cr_assert(fp, "cannot open fixture %s", path);
	return fp;
}

/* The counts matrix (cells x genes CSR). */
static inline scuot_csr *fx_counts(void)
{
	FILE *fp = fx_open("counts.mtx");
	long long n, p, nnz, i, j, v, last = -1;
	scuot_err e = { 0 };
	cr_assert_eq(fscanf(fp, "%lld %lld %lld", &n, &p, &nnz), 3);
	scuot_csr *X = scuot_csr_new(n, p, nnz, &e);
	cr_assert(X);
	for (long long k = 0; k < nnz; k++) {
		cr_assert_eq(fscanf(fp, "%lld %lld %lld", &i, &j, &v), 3);
		X->indices[k] = (int32_t)j;
		X->data[k] = (float)v;
		for (; last < i; last++)
			X->indptr[last + 1] = k;
	}
	for (; last < n; last++)
		X->indptr[last + 1] = nnz;
	fclose(fp);
	cr_assert_eq(scuot_csr_check(X, &e), 0, "%s", e.msg);
	return X;
}

/* Days of the cells (n entries, malloc'd). */
static inline double *fx_days(int64_t n)
{
	FILE *fp = fx_open("cells.tsv");
	char id[64], hd[64];
	double *d = malloc((size_t)n * sizeof *d);
	cr_assert_eq(fscanf(fp, "%63s %63s", id, hd), 2);
	for (int64_t i = 0; i < n; i++)
		cr_assert_eq(fscanf(fp, "%63s %lf", id, &d[i]), 2);
	fclose(fp);
	return d;
}

/* AnnData of the fixture: X counts, obs index cellNNN with column day, var index the gene names. */
static inline scuot_adata *fx_adata(void)
{
	scuot_err e = { 0 };
	scuot_csr *X = fx_counts();
	scuot_adata *a = scuot_adata_new(X->nrow, X->ncol, &e);
	char **cells = malloc((size_t)X->nrow * sizeof *cells),
	     **genes = malloc((size_t)X->ncol * sizeof *genes);
	char buf[256];
	a->X = X;
	for (int64_t i = 0; i < X->nrow; i++) {
		snprintf(buf, sizeof buf, "cell%03lld", (long long)i);
		cells[i] = strdup(buf);
	}
	FILE *fp = fx_open("genes.tsv");
	for (int64_t g = 0; g < X->ncol; g++) {
		cr_assert_eq(fscanf(fp, "%255s", buf), 1);
		genes[g] = strdup(buf);
	}
	fclose(fp);
	cr_assert_eq(scuot_df_set_index(&a->obs, cells, X->nrow, &e), 0);
	cr_assert_eq(scuot_df_set_index(&a->var, genes, X->ncol, &e), 0);
	double *d = fx_days(X->nrow);
	scuot_col *c = scuot_df_add(&a->obs, "day", SCUOT_COL_FLOAT, &e);
	memcpy(c->f, d, (size_t)X->nrow * sizeof *d);
	free(d);
	return a;
}

/* Values of key in expected.txt (malloc'd); *n receives the count. */
static inline double *fx_expected(const char *key, int64_t *n)
{
	FILE *fp = fx_open("expected.txt");
	char k[128], tok[64];
	long long m;
	while (fscanf(fp, "%127s %lld", k, &m) == 2) {
		int want = strcmp(k, key) == 0;
		double *v = want ? malloc((size_t)(m ? m : 1) * sizeof *v) : NULL;
		for (long long j = 0; j < m; j++) {
			cr_assert_eq(fscanf(fp, "%63s", tok), 1);
			if (want)
				v[j] = strtod(tok, NULL);
		}
		if (want) {
			fclose(fp);
			*n = m;
			return v;
		}
	}
	fclose(fp);
	cr_assert_fail("key %s not in expected.txt", key);
	return NULL;
}

/* Relative closeness with NaN == NaN. */
static inline int fx_close(double a, double b, double rtol, double atol)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return fabs(a - b) <= atol + rtol * fabs(b);
}

/* Assert that got[0..n) matches the expected key within tolerances. */
static inline void fx_check_array(const char *key, const double *got, int64_t n, double rtol, double atol)
{
	int64_t m;
	double *want = fx_expected(key, &m);
	cr_assert_eq(m, n, "%s: %lld expected values, %lld computed", key, (long long)m, (long long)n);
	for (int64_t j = 0; j < n; j++)
		cr_expect(fx_close(got[j], want[j], rtol, atol), "%s[%lld]: got %.17g, expected %.17g", key,
		          (long long)j, got[j], want[j]);
	free(want);
}

/* Assert that the set flags sel[0..n) equals the expected index list key. */
static inline void fx_check_selection(const char *key, const uint8_t *sel, int64_t n)
{
	int64_t m, c = 0;
	double *want = fx_expected(key, &m);
	uint8_t *w = calloc((size_t)n, 1);
	for (int64_t j = 0; j < m; j++)
		w[(int64_t)want[j]] = 1;
	for (int64_t g = 0; g < n; g++) {
		cr_expect_eq(sel[g] != 0, w[g], "%s: gene %lld selected %d, expected %d", key, (long long)g,
		             sel[g] != 0, w[g]);
		c += sel[g] != 0;
	}
	cr_expect_eq(c, m, "%s: %lld genes selected, expected %lld", key, (long long)c, (long long)m);
	free(w);
	free(want);
}

#endif
