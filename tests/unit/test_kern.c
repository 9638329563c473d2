/* test_kern.c -- unit tests of src/lib/kern: exact weighted MMD against numpy (tests/fixtures/kern, made
 * by make_fixtures.py), random Fourier feature accuracy against its variance, weights, determinism. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "core/threads.h"
#include "kern/kern.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name tests/fixtures/kern"
#endif

typedef struct mmd_case {
	char name[64];
	int64_t n, m, d;
	double sigma, kxy, mmd2;
	int ux, uy;
	double *x, *wx, *y, *wy;
} mmd_case;

static void read_doubles(FILE *fp, double *v, int64_t k, const char *what, const char *name)
{
	for (int64_t i = 0; i < k; i++)
		cr_assert_eq(fscanf(fp, "%lf", &v[i]), 1, "case %s: cannot read %s value %lld", name, what,
		             (long long)i);
}

/* Read the next case; 0 at the end of the file. */
static int read_case(FILE *fp, mmd_case *c)
{
	long long n, m, d;
	memset(c, 0, sizeof *c);
	if (fscanf(fp, " case %63s %lld %lld %lld %lf %d %d", c->name, &n, &m, &d, &c->sigma, &c->ux,
	           &c->uy) != 7)
		return 0;
	c->n = n, c->m = m, c->d = d;
	c->x = malloc(sizeof(double) * (size_t)(n * d));
	c->y = malloc(sizeof(double) * (size_t)(m * d));
	c->wx = malloc(sizeof(double) * (size_t)n);
	c->wy = malloc(sizeof(double) * (size_t)m);
	cr_assert(c->x && c->y && c->wx && c->wy);
	read_doubles(fp, c->x, n * d, "x", c->name);
	read_doubles(fp, c->wx, n, "wx", c->name);
	read_doubles(fp, c->y, m * d, "y", c->name);
	read_doubles(fp, c->wy, m, "wy", c->name);
	cr_assert_eq(fscanf(fp, " expect %lf %lf", &c->kxy, &c->mmd2), 2, "case %s: no expect line", c->name);
	return 1;
}

static void free_case(mmd_case *c)
{
	free(c->x);
	free(c->y);
	free(c->wx);
	free(c->wy);
}

static FILE *open_cases(void)
{
	FILE *fp = fopen(FIXTURE_DIR "/mmd_cases.txt", "r");
	cr_assert_not_null(fp, "cannot open %s/mmd_cases.txt", FIXTURE_DIR);
	return fp;
}

static void assert_close(const char *what, const char *name, double got, double want, double tol)
{
	double err = fabs(got - want), scale = fabs(want) > 1 ? fabs(want) : 1;
	cr_assert(err <= tol * scale, "%s, case %s: got %.17g, numpy %.17g (error %.3g > %.3g)", what, name,
	          got, want, err, tol * scale);
}

Test(exact, matches_numpy)
{
	FILE *fp = open_cases();
	mmd_case c;
	int ncase = 0;
	scuot_threads_set(2);
	while (read_case(fp, &c)) {
		scuot_err e = {0};
		double kxy, mmd2;
		const double *wx = c.ux ? NULL : c.wx, *wy = c.uy ? NULL : c.wy;
		cr_assert_eq(scuot_kern_gauss_sum(c.x, c.n, wx, c.y, c.m, wy, c.d, c.sigma, &kxy, &e), 0,
		             "%s", e.msg);
		cr_assert_eq(scuot_kern_mmd2(c.x, c.n, wx, c.y, c.m, wy, c.d, c.sigma, &mmd2, &e), 0, "%s",
		             e.msg);
		assert_close("kernel sum", c.name, kxy, c.kxy, 1e-10);
		assert_close("MMD^2", c.name, mmd2, c.mmd2, 1e-10);
		/* explicit weights of 1 are the uniform weights */
		if (c.ux) {
			double v;
			cr_assert_eq(scuot_kern_mmd2(c.x, c.n, c.wx, c.y, c.m, wy, c.d, c.sigma, &v, &e), 0,
			             "%s", e.msg);
			assert_close("MMD^2 with explicit unit weights", c.name, v, c.mmd2, 1e-10);
		}
		free_case(&c);
		ncase++;
	}
	fclose(fp);
	cr_assert_eq(ncase, 5, "expected 5 fixture cases, read %d", ncase);
}

Test(exact, symmetric_and_self)
{
	FILE *fp = open_cases();
	mmd_case c;
	scuot_err e = {0};
	double a, b, self;
	cr_assert(read_case(fp, &c));
	free_case(&c);
	cr_assert(read_case(fp, &c)); /* weighted_d10 */
	fclose(fp);
	cr_assert_eq(scuot_kern_mmd2(c.x, c.n, c.wx, c.y, c.m, c.wy, c.d, c.sigma, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_kern_mmd2(c.y, c.m, c.wy, c.x, c.n, c.wx, c.d, c.sigma, &b, &e), 0, "%s", e.msg);
	cr_assert(fabs(a - b) <= 1e-14, "MMD^2 not symmetric: %.17g vs %.17g", a, b);
	cr_assert_eq(scuot_kern_mmd2(c.x, c.n, c.wx, c.x, c.n, c.wx, c.d, c.sigma, &self, &e), 0, "%s",
	             e.msg);
	cr_assert(self <= 1e-14, "MMD^2 of a cloud with itself is %.3g, expected 0", self);
	free_case(&c);
}

/* Duplicating a point is the same as doubling its weight, exactly and with features. */
Test(weights, duplicate_is_double_weight)
{
	const int64_t d = 3, n = 4, m = 6;
	double x[4 * 3], xd[5 * 3], y[6 * 3], w[4] = {2, 1, 1, 1}, v1, v2, r1, r2;
	scuot_err e = {0};
	gsl_rng *r = scuot_rng_new(7, 0, &e);
	for (int i = 0; i < n * d; i++)
		x[i] = gsl_ran_gaussian(r, 1);
	for (int i = 0; i < m * d; i++)
		y[i] = gsl_ran_gaussian(r, 1) + 0.5;
	gsl_rng_free(r);
	memcpy(xd, x, sizeof x);
	memcpy(xd + n * d, x, sizeof(double) * d); /* point 0 twice */
	cr_assert_eq(scuot_kern_mmd2(x, n, w, y, m, NULL, d, 1.5, &v1, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_kern_mmd2(xd, n + 1, NULL, y, m, NULL, d, 1.5, &v2, &e), 0, "%s", e.msg);
	cr_assert(fabs(v1 - v2) <= 1e-14, "exact: weight 2 gives %.17g, duplicate %.17g", v1, v2);
	scuot_kern_rff *f = scuot_kern_rff_new(d, 500, 1.5, 3, 1, &e);
	cr_assert_not_null(f, "%s", e.msg);
	cr_assert_eq(scuot_kern_rff_mmd(f, x, n, w, y, m, NULL, &r1, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_kern_rff_mmd(f, xd, n + 1, NULL, y, m, NULL, &r2, &e), 0, "%s", e.msg);
	cr_assert(fabs(r1 - r2) <= 1e-14, "features: weight 2 gives %.17g, duplicate %.17g", r1, r2);
	/* scaling all weights changes nothing */
	double w10[4] = {20, 10, 10, 10};
	cr_assert_eq(scuot_kern_mmd2(x, n, w10, y, m, NULL, d, 1.5, &v2, &e), 0, "%s", e.msg);
	cr_assert(fabs(v1 - v2) <= 1e-14, "weights x10: %.17g vs %.17g", v2, v1);
	scuot_kern_rff_free(f);
}

Test(weights, bad_weights_refused)
{
	double x[2] = {0, 1}, y[2] = {0, 2}, v;
	double neg[2] = {1, -1}, nan_w[2] = {1, NAN}, zero[2] = {0, 0};
	scuot_err e = {0};
	cr_assert_eq(scuot_kern_mmd2(x, 2, neg, y, 2, NULL, 1, 1, &v, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "weight 1 is -1"), "message: %s", e.msg);
	e.code = 0;
	cr_assert_eq(scuot_kern_mmd2(x, 2, NULL, y, 2, nan_w, 1, 1, &v, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "second cloud: weight 1 is nan"), "message: %s", e.msg);
	e.code = 0;
	cr_assert_eq(scuot_kern_mmd2(x, 2, zero, y, 2, NULL, 1, 1, &v, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "sum to 0"), "message: %s", e.msg);
	e.code = 0;
	cr_assert_eq(scuot_kern_mmd2(x, 2, NULL, y, 2, NULL, 1, 0, &v, &e), SCUOT_EUSAGE);
	cr_assert_null(scuot_kern_rff_new(1, 10, -1, 0, 0, &e));
	cr_assert_eq(e.code, SCUOT_EUSAGE);
}

/* Features: E[phi(x).phi(y)] = k(x, y).  One term 2 cos(w.x + b) cos(w.y + b) = cos(w.(x-y)) +
 * cos(w.(x+y) + 2b) has variance 1 + k(x,y)^4 / 2 - k(x,y)^2 <= 1 (E cos^2(w.delta) = (1 + k^4) / 2
 * for the Gaussian, the two cosines are uncorrelated and the second has mean 0), so the mean squared
 * error of the D-feature estimate is v / D with v the average of that variance over the pairs.  We
 * average the squared error over P pairs and R independent draws and require the ratio observed /
 * expected to lie in [1/3, 3] at each D: the average of R = 24 draws has relative sd at most
 * sqrt(2 / R) ~ 0.29 (the worst case, fully correlated pairs: a scaled chi-square with R degrees
 * of freedom), so the bounds are about 2.3 sd below and 7 sd above.  With the fixed seeds the test
 * is deterministic; the bounds say a correct implementation fails for fewer than 1 seed in 100.
 * Then the error falls like 1/sqrt(D): RMS(100) / RMS(6400) must be within 8 x [0.5, 2]. */
Test(rff, kernel_error_shrinks_like_inverse_sqrt_D)
{
	const int64_t d = 5, P = 60, R = 24;
	const int64_t Ds[] = {100, 400, 1600, 6400};
	const double sigma = 1.7;
	double x[60 * 5], y[60 * 5], k[60], v = 0, rms[4];
	scuot_err e = {0};
	gsl_rng *g = scuot_rng_new(11, 0, &e);
	for (int64_t i = 0; i < P * d; i++)
		x[i] = gsl_ran_gaussian(g, 1.0), y[i] = gsl_ran_gaussian(g, 1.0);
	gsl_rng_free(g);
	for (int64_t p = 0; p < P; p++) {
		k[p] = scuot_kern_gauss(x + p * d, y + p * d, d, sigma);
		v += 1 + pow(k[p], 4) / 2 - k[p] * k[p];
	}
	v /= (double)P;
	for (int t = 0; t < 4; t++) {
		int64_t D = Ds[t];
		double *fx = malloc(sizeof(double) * (size_t)(P * D)),
		       *fy = malloc(sizeof(double) * (size_t)(P * D));
		double mse = 0;
		cr_assert(fx && fy);
		for (int64_t r = 0; r < R; r++) {
			scuot_kern_rff *f =
			        scuot_kern_rff_new(d, D, sigma, 100 + (uint64_t)t, (uint64_t)r, &e);
			cr_assert_not_null(f, "%s", e.msg);
			scuot_kern_rff_features(f, x, P, fx);
			scuot_kern_rff_features(f, y, P, fy);
			for (int64_t p = 0; p < P; p++) {
				double dot = 0;
				for (int64_t j = 0; j < D; j++)
					dot += fx[p * D + j] * fy[p * D + j];
				mse += (dot - k[p]) * (dot - k[p]);
			}
			scuot_kern_rff_free(f);
		}
		mse /= (double)(P * R);
		double ratio = mse / (v / (double)D);
		cr_assert(ratio >= 1.0 / 3 && ratio <= 3.0,
		          "D = %lld: mean squared error %.4g, expected v/D = %.4g (ratio %.3f outside [1/3, "
		          "3])",
		          (long long)D, mse, v / (double)D, ratio);
		rms[t] = sqrt(mse);
		free(fx);
		free(fy);
	}
	double slope = rms[0] / rms[3];
	cr_assert(slope >= 4 && slope <= 16,
	          "RMS error at D=100 / D=6400 = %.3f, expected about sqrt(64) = 8", slope);
}

/* The feature MMD^2 is the mean of D terms g_k = 2 (sum_i p_i cos(.) - sum_j q_j cos(.))^2 in [0, 8]
 * with mean MMD^2, so Var(feature MMD^2) <= 8 MMD^2 / D.  With D = 40000 we require the error to be
 * within 6 such standard deviations (a one-sided Chebyshev bound gives failure probability < 3%, a
 * normal approximation ~ 2e-9), on the fixture cases. */
Test(rff, mmd_close_to_exact_for_large_D)
{
	FILE *fp = open_cases();
	mmd_case c;
	const int64_t D = 40000;
	while (read_case(fp, &c)) {
		scuot_err e = {0};
		double exact, rff;
		const double *wx = c.ux ? NULL : c.wx, *wy = c.uy ? NULL : c.wy;
		if (c.n * c.m <
		    1000) { /* only the larger cases: the bound is about the features, not the data */
			free_case(&c);
			continue;
		}
		cr_assert_eq(scuot_kern_mmd2(c.x, c.n, wx, c.y, c.m, wy, c.d, c.sigma, &exact, &e), 0, "%s",
		             e.msg);
		scuot_kern_rff *f = scuot_kern_rff_new(c.d, D, c.sigma, 5, 0, &e);
		cr_assert_not_null(f, "%s", e.msg);
		cr_assert_eq(scuot_kern_rff_mmd(f, c.x, c.n, wx, c.y, c.m, wy, &rff, &e), 0, "%s", e.msg);
		double bound = 6 * sqrt(8 * exact / (double)D);
		cr_assert(fabs(rff * rff - exact) <= bound,
		          "case %s: feature MMD^2 %.6g, exact %.6g, |diff| > %.3g", c.name, rff * rff, exact,
		          bound);
		scuot_kern_rff_free(f);
		free_case(&c);
	}
	fclose(fp);
}

/* Features follow the formula; the embedding equals the explicit weighted mean of the features. */
Test(rff, embedding_is_weighted_mean)
{
	const int64_t d = 4, n = 700, D = 33; /* n spans three row blocks */
	double *x = malloc(sizeof(double) * n * d), *w = malloc(sizeof(double) * n),
	       *phi = malloc(sizeof(double) * n * D);
	double mu[33], ref[33] = {0}, ws = 0;
	scuot_err e = {0};
	gsl_rng *g = scuot_rng_new(3, 3, &e);
	for (int64_t i = 0; i < n * d; i++)
		x[i] = gsl_ran_gaussian(g, 2);
	for (int64_t i = 0; i < n; i++)
		ws += w[i] = gsl_rng_uniform(g);
	gsl_rng_free(g);
	scuot_kern_rff *f = scuot_kern_rff_new(d, D, 2.0, 1, 2, &e);
	cr_assert_not_null(f, "%s", e.msg);
	scuot_kern_rff_features(f, x, n, phi);
	for (int64_t i = 0; i < n; i++)
		for (int64_t k = 0; k < D; k++) {
			double dot = 0, want;
			for (int64_t j = 0; j < d; j++)
				dot += f->W[k * d + j] * x[i * d + j];
			want = sqrt(2.0 / D) * cos(dot + f->b[k]);
			cr_assert(fabs(phi[i * D + k] - want) <= 1e-13,
			          "phi[%lld][%lld] = %.17g, direct %.17g", (long long)i, (long long)k,
			          phi[i * D + k], want);
		}
	for (int64_t i = 0; i < n; i++)
		for (int64_t k = 0; k < D; k++)
			ref[k] += w[i] * phi[i * D + k] / ws;
	cr_assert_eq(scuot_kern_rff_embed(f, x, n, w, mu, &e), 0, "%s", e.msg);
	for (int64_t k = 0; k < D; k++)
		cr_assert(fabs(mu[k] - ref[k]) <= 1e-13, "feature %lld: %.17g vs %.17g", (long long)k, mu[k],
		          ref[k]);
	scuot_kern_rff_free(f);
	free(x);
	free(w);
	free(phi);
}

/* Same seed, same features; any thread count, bitwise the same sums and embeddings. */
Test(determinism, seed_and_threads)
{
	FILE *fp = open_cases();
	mmd_case c;
	scuot_err e = {0};
	double v[3], s[3], mu[3][64];
	for (int k = 0; k < 3;
	     k++) { /* the third, blocks_zero_weights: 300 x 270 points, two row blocks each */
		cr_assert(read_case(fp, &c));
		if (k < 2)
			free_case(&c);
	}
	fclose(fp);
	const int threads[3] = {1, 2, 4};
	for (int t = 0; t < 3; t++) {
		scuot_threads_set(threads[t]);
		cr_assert_eq(scuot_kern_mmd2(c.x, c.n, c.wx, c.y, c.m, c.wy, c.d, c.sigma, &v[t], &e), 0,
		             "%s", e.msg);
		cr_assert_eq(scuot_kern_gauss_sum(c.x, c.n, c.wx, c.x, c.n, c.wx, c.d, c.sigma, &s[t], &e), 0,
		             "%s", e.msg);
		scuot_kern_rff *f = scuot_kern_rff_new(c.d, 64, c.sigma, 42, 9, &e);
		cr_assert_not_null(f, "%s", e.msg);
		cr_assert_eq(scuot_kern_rff_embed(f, c.x, c.n, c.wx, mu[t], &e), 0, "%s", e.msg);
		scuot_kern_rff_free(f);
	}
	for (int t = 1; t < 3; t++) {
		cr_assert(v[t] == v[0], "MMD^2 with %d threads %.17g, 1 thread %.17g", threads[t], v[t],
		          v[0]);
		cr_assert(s[t] == s[0], "kernel sum with %d threads %.17g, 1 thread %.17g", threads[t], s[t],
		          s[0]);
		cr_assert(memcmp(mu[t], mu[0], sizeof mu[0]) == 0,
		          "embedding differs between 1 and %d threads", threads[t]);
	}
	scuot_kern_rff *a = scuot_kern_rff_new(3, 20, 1.0, 5, 1, &e),
	               *b = scuot_kern_rff_new(3, 20, 1.0, 5, 1, &e),
	               *o = scuot_kern_rff_new(3, 20, 1.0, 5, 2, &e);
	cr_assert(a && b && o, "%s", e.msg);
	cr_assert(memcmp(a->W, b->W, sizeof(double) * 60) == 0 &&
	                  memcmp(a->b, b->b, sizeof(double) * 20) == 0,
	          "same seed and stream gave different features");
	cr_assert(memcmp(a->W, o->W, sizeof(double) * 60) != 0, "another stream gave the same features");
	scuot_kern_rff_free(a);
	scuot_kern_rff_free(b);
	scuot_kern_rff_free(o);
	scuot_threads_set(0);
	free_case(&c);
}

/* W has the right scale: the sample variance of its D d entries is 1 / sigma^2 within 5%
 * (relative sd sqrt(2 / (D d)) = 0.6% at 50000 entries). */
Test(rff, frequency_scale)
{
	scuot_err e = {0};
	scuot_kern_rff *f = scuot_kern_rff_new(10, 5000, 2.5, 0, 0, &e);
	double s2 = 0, bmin = 1e9, bmax = -1e9;
	cr_assert_not_null(f, "%s", e.msg);
	for (int64_t k = 0; k < 50000; k++)
		s2 += f->W[k] * f->W[k];
	s2 /= 50000;
	cr_assert(fabs(s2 * 2.5 * 2.5 - 1) < 0.05, "variance of W %.5g, expected 1/sigma^2 = %.5g", s2,
	          1 / 6.25);
	for (int64_t k = 0; k < 5000; k++)
		bmin = fmin(bmin, f->b[k]), bmax = fmax(bmax, f->b[k]);
	cr_assert(bmin >= 0 && bmax < 2 * M_PI && bmax - bmin > 6.2, "phases span [%g, %g]", bmin, bmax);
	scuot_kern_rff_free(f);
}
