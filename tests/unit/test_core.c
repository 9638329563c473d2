/* test_core.c -- unit tests of src/lib/core: matrices, CSR, parsing, RNG streams, output files.
 * Reference values are exact identities or hand-computed. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/mat.h"
#include "core/outfile.h"
#include "core/parse.h"
#include "core/rng.h"

static scuot_csr *small_csr(void)
{
	/* [[1 0 2], [0 0 0], [0 3 0], [4 0 5]] */
	scuot_err e = { 0 };
	scuot_csr *c = scuot_csr_new(4, 3, 5, &e);
	cr_assert_not_null(c, "%s", e.msg);
	int64_t ip[] = { 0, 2, 2, 3, 5 };
	int32_t ix[] = { 0, 2, 1, 0, 2 };
	float v[] = { 1, 2, 3, 4, 5 };
	memcpy(c->indptr, ip, sizeof ip);
	memcpy(c->indices, ix, sizeof ix);
	memcpy(c->data, v, sizeof v);
	return c;
}

Test(csr, transpose_twice_is_identity)
{
	scuot_err e = { 0 };
	scuot_csr *c = small_csr(), *t = scuot_csr_transpose(c, &e), *tt = scuot_csr_transpose(t, &e);
	cr_assert_eq(t->nrow, 3);
	cr_assert_eq(t->ncol, 4);
	int64_t tip[] = { 0, 2, 3, 5 };
	int32_t tix[] = { 0, 3, 2, 0, 3 };
	float tv[] = { 1, 4, 3, 2, 5 };
	for (int i = 0; i < 4; i++)
		cr_assert_eq(t->indptr[i], tip[i], "indptr[%d] = %lld, expected %lld", i, (long long)t->indptr[i],
		             (long long)tip[i]);
	for (int k = 0; k < 5; k++) {
		cr_assert_eq(t->indices[k], tix[k]);
		cr_assert_eq(t->data[k], tv[k]);
		cr_assert_eq(tt->indices[k], c->indices[k]);
		cr_assert_eq(tt->data[k], c->data[k]);
	}
	cr_assert_eq(scuot_csr_check(tt, &e), 0, "%s", e.msg);
	scuot_csr_free(c), scuot_csr_free(t), scuot_csr_free(tt);
}

Test(csr, sort_rows_and_duplicates)
{
	scuot_err e = { 0 };
	scuot_csr *c = small_csr();
	c->indices[0] = 2, c->indices[1] = 0, c->data[0] = 2, c->data[1] = 1;
	cr_assert_neq(scuot_csr_check(c, &e), 0);
	memset(&e, 0, sizeof e);
	cr_assert_eq(scuot_csr_sort_rows(c, &e), 0, "%s", e.msg);
	cr_assert_eq(c->indices[0], 0);
	cr_assert_eq(c->data[0], 1);
	cr_assert_eq(scuot_csr_check(c, &e), 0, "%s", e.msg);
	c->indices[4] = 0;
	cr_assert_eq(scuot_csr_sort_rows(c, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "duplicate entry at row 3, column 0"), "message: %s", e.msg);
	scuot_csr_free(c);
}

Test(csr, long_row_sort_matches_qsort)
{
	scuot_err e = { 0 };
	int n = 1000;
	scuot_csr *c = scuot_csr_new(1, 5000, n, &e);
	gsl_rng *r = scuot_rng_new(7, 0, &e);
	c->indptr[1] = n;
	for (int k = 0; k < n; k++) {
		c->indices[k] = (int32_t)((k * 4999L) % 5000);
		c->data[k] = (float)c->indices[k];
	}
	for (int k = n - 1; k > 0; k--) { /* shuffle */
		int j = (int)gsl_rng_uniform_int(r, k + 1);
		int32_t ti = c->indices[k];
		c->indices[k] = c->indices[j], c->indices[j] = ti;
		c->data[k] = (float)c->indices[k], c->data[j] = (float)c->indices[j];
	}
	cr_assert_eq(scuot_csr_sort_rows(c, &e), 0, "%s", e.msg);
	for (int k = 1; k < n; k++)
		cr_assert_lt(c->indices[k - 1], c->indices[k]);
	for (int k = 0; k < n; k++)
		cr_assert_eq(c->data[k], (float)c->indices[k]);
	gsl_rng_free(r);
	scuot_csr_free(c);
}

Test(csr, select_rows_and_dense)
{
	scuot_err e = { 0 };
	scuot_csr *c = small_csr();
	int64_t keep[] = { 3, 0 };
	scuot_csr *s = scuot_csr_select_rows(c, keep, 2, &e);
	scuot_mat *d = scuot_csr_to_dense(s, &e);
	double want[] = { 4, 0, 5, 1, 0, 2 };
	for (int k = 0; k < 6; k++)
		cr_assert_eq(d->data[k], want[k], "dense[%d] = %g, expected %g", k, d->data[k], want[k]);
	scuot_mat_free(d), scuot_csr_free(s), scuot_csr_free(c);
}

Test(csr, check_rejects_bad_structure)
{
	scuot_err e = { 0 };
	scuot_csr *c = small_csr();
	c->indices[2] = 3;
	cr_assert_eq(scuot_csr_check(c, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "row 2: column index 3 out of range"), "message: %s", e.msg);
	c->indices[2] = 1;
	c->data[2] = NAN;
	memset(&e, 0, sizeof e);
	cr_assert_eq(scuot_csr_check(c, &e), SCUOT_EINPUT);
	scuot_csr_free(c);
}

Test(alloc, cap_and_overflow)
{
	scuot_err e = { 0 };
	cr_assert_null(scuot_alloc(SIZE_MAX / 2, 4, 0, "huge", &e));
	cr_assert_eq(e.code, SCUOT_ELIMIT);
	memset(&e, 0, sizeof e);
	scuot_set_alloc_cap(1000);
	cr_assert_null(scuot_alloc(1001, 1, 0, "header says", &e));
	cr_assert(strstr(e.msg, "header says"), "message: %s", e.msg);
	void *p = scuot_alloc(1000, 1, 0, "fits", &e);
	cr_assert_not_null(p);
	free(p);
	scuot_set_alloc_cap(0);
}

Test(parse, strict_numbers)
{
	int64_t v;
	double d;
	uint64_t s;
	cr_assert_eq(scuot_parse_int64("42", 0, 100, &v), 0);
	cr_assert_eq(v, 42);
	cr_assert_eq(scuot_parse_int64("42x", 0, 100, &v), -1);
	cr_assert_eq(scuot_parse_int64("", 0, 100, &v), -1);
	cr_assert_eq(scuot_parse_int64("101", 0, 100, &v), -1);
	cr_assert_eq(scuot_parse_int64("99999999999999999999", 0, INT64_MAX, &v), -1);
	cr_assert_eq(scuot_parse_double("2.5", &d), 0);
	cr_assert_float_eq(d, 2.5, 0);
	cr_assert_eq(scuot_parse_double("nan", &d), -1);
	cr_assert_eq(scuot_parse_double("inf", &d), -1);
	cr_assert_eq(scuot_parse_double("1e400", &d), -1);
	cr_assert_eq(scuot_parse_double("3 4", &d), -1);
	cr_assert_eq(scuot_parse_size("2G", &s), 0);
	cr_assert_eq(s, 2ULL << 30);
	cr_assert_eq(scuot_parse_size("512MiB", &s), 0);
	cr_assert_eq(s, 512ULL << 20);
	cr_assert_eq(scuot_parse_size("12Q", &s), -1);
	cr_assert_eq(scuot_parse_size("50%", &s), 0);
	cr_assert_gt(s, 0);
}

Test(rng, streams_reproducible_and_distinct)
{
	scuot_err e = { 0 };
	gsl_rng *a = scuot_rng_new(1, 5, &e), *b = scuot_rng_new(1, 5, &e), *c = scuot_rng_new(1, 6, &e),
	        *d = scuot_rng_new(2, 5, &e);
	int same_ab = 1, same_ac = 1, same_ad = 1;
	for (int i = 0; i < 100; i++) {
		unsigned long x = gsl_rng_get(a), y = gsl_rng_get(b), z = gsl_rng_get(c), w = gsl_rng_get(d);
		same_ab &= x == y;
		same_ac &= x == z;
		same_ad &= x == w;
	}
	cr_assert(same_ab, "same (seed, stream) must give the same numbers");
	cr_assert(!same_ac, "different streams must differ");
	cr_assert(!same_ad, "different seeds must differ");
	gsl_rng_free(a), gsl_rng_free(b), gsl_rng_free(c), gsl_rng_free(d);
}

Test(outfile, commit_and_abort)
{
	scuot_err e = { 0 };
	char dir[] = "/tmp/scuot-outfile-XXXXXX", path[256];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/out.txt", dir);
	scuot_outfile *o = scuot_outfile_open(path, 1, &e);
	cr_assert_not_null(o, "%s", e.msg);
	fputs("hello\n", o->fp);
	cr_assert_neq(access(o->tmp, F_OK), -1, "temporary exists while writing");
	cr_assert_eq(access(path, F_OK), -1, "target must not exist before commit");
	cr_assert_eq(scuot_outfile_commit(o, &e), 0, "%s", e.msg);
	cr_assert_eq(access(path, F_OK), 0);
	o = scuot_outfile_open(path, 1, &e);
	fputs("half-written", o->fp);
	scuot_outfile_abort(o);
	FILE *fp = fopen(path, "r");
	char buf[32] = { 0 };
	cr_assert_not_null(fgets(buf, sizeof buf, fp));
	fclose(fp);
	cr_assert_str_eq(buf, "hello\n", "abort must leave the earlier output untouched");
	unlink(path);
	cr_assert_eq(rmdir(dir), 0, "no temporary left behind");
}

Test(outfile, unwritable_directory)
{
	scuot_err e = { 0 };
	scuot_outfile *o = scuot_outfile_open("/nonexistent-dir/x.h5ad", 0, &e);
	cr_assert_null(o);
	cr_assert_eq(e.code, SCUOT_EIO);
	cr_assert(strstr(e.msg, "/nonexistent-dir/x.h5ad"), "message names the file: %s", e.msg);
}

Test(err, exit_statuses)
{
	cr_assert_eq(scuot_err_exit_status(SCUOT_EINPUT), 2);
	cr_assert_eq(scuot_err_exit_status(SCUOT_EUSAGE), 2);
	cr_assert_eq(scuot_err_exit_status(SCUOT_EIO), 1);
	cr_assert_eq(scuot_err_exit_status(SCUOT_OK), 0);
	scuot_err e = { 0 };
	scuot_err_set(&e, SCUOT_EINPUT, "first");
	scuot_err_set(&e, SCUOT_EIO, "second");
	cr_assert_str_eq(e.msg, "first", "the first error is kept");
	scuot_err_prefix(&e, "%s: ", "f.h5ad");
	cr_assert_str_eq(e.msg, "f.h5ad: first");
}

/* ---- core/vmath_internal.h and core/vexp_internal.h against glibc ---- */
#include "core/vmath_internal.h"

/* |a - b| in units of the last place of b (subnormal spacing at 0) */
static double ulps(double a, double b)
{
	if (a == b || (isnan(a) && isnan(b)))
		return 0;
	double u = b == 0 ? 4.9406564584124654e-324 : nextafter(fabs(b), INFINITY) - fabs(b);
	return fabs(a - b) / u;
}

Test(vmath, within_a_few_ulp_of_libm)
{
	double wt = 0, wm = 0, wl = 0, we = 0, at = 0, am = 0, al = 0, ae = 0;
	uint64_t s = 88172645463325252ULL;
	for (int i = 0; i < 400000; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17; /* xorshift64: magnitudes 1e-300 .. 1e3, both signs */
		double r = (double)(s >> 11) / 9007199254740992.0, x = pow(10, -300 + 303 * r) * (s & 1 ? -1 : 1);
		double y = i % 2 ? x : (r - 0.5) * 80; /* half of them in [-40, 40], where tanh and expm1 vary */
		double t = fabs(y) <= 1 ? fabs(y) : 1 / fabs(y), u;
		if ((u = ulps(scuot_vtanh(y), tanh(y))) > wt)
			wt = u, at = y;
		if ((u = ulps(scuot_vexpm1(y), expm1(y))) > wm)
			wm = u, am = y;
		if ((u = ulps(scuot_vlog1p01(t), log1p(t))) > wl)
			wl = u, al = t;
		if (y < 709 && (u = ulps(scuot_vexp(y), exp(y))) > we && exp(y) > 1e-300) /* normal results */
			we = u, ae = y;
	}
	cr_assert(wt <= 4, "tanh: %g ulp at %.17g", wt, at);
	cr_assert(wm <= 4, "expm1: %g ulp at %.17g", wm, am);
	cr_assert(wl <= 2, "log1p: %g ulp at %.17g", wl, al);
	cr_assert(we <= 2, "exp: %g ulp at %.17g", we, ae);
	/* the edges: signed zeros, subnormals, saturation, infinities and NaN */
	const double sp[] = { 0.0, -0.0, 5e-324, -5e-324, 1e-310, 19.99, 20, 20.01, -25, 700, 711, -800, INFINITY,
	                      -INFINITY };
	for (size_t k = 0; k < sizeof sp / sizeof sp[0]; k++) {
		double v = scuot_vtanh(sp[k]);
		cr_assert(v == tanh(sp[k]) && signbit(v) == signbit(tanh(sp[k])), "tanh(%g) = %g", sp[k], v);
		cr_assert(ulps(scuot_vexpm1(sp[k]), expm1(sp[k])) <= 4, "expm1(%g) = %g", sp[k], scuot_vexpm1(sp[k]));
	}
	cr_assert(isnan(scuot_vtanh(NAN)) && isnan(scuot_vexpm1(NAN)) && isnan(scuot_vexp(NAN)));
	cr_assert(scuot_vlog1p01(0) == 0 && scuot_vlog1p01(1) == log1p(1.0));
}
