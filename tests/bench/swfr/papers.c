/* papers.c -- the swfr paper's experiments (Jing, Li, Liu, Zhou, learned spherical-WFR geodesics, Sec. 6.1
 * and 6.2) with src/lib/neural/swfr.c, writing TSV files for tests/bench/swfr/papers.py.  Not a test.
 *   papers oned ALPHA ITERS BATCH GAMMA2 OUTDIR
 *     rho0 = 1/3 N(-3, 1) + 2/3 N(3, 1) (2048 particles), rho1 = N(0, 1) (Sec. 6.1): ITERS Adam iterations
 *     on minibatches of BATCH particles (and BATCH draws of rho1 for Phi-hat), then the forward system (4.9)
 *     from the 2048 particles and the inverse (4.11) from 2048 draws of N(0, 1):
 *       OUTDIR/oned-ALPHA-fwd.tsv, -inv.tsv: particle, step k, t = k / 8, position, weight (Fig. 3, 4;
 *       weights of mean 1 at the start of each flow), -curve.tsv: iteration, J;
 *     stdout: "oned ALPHA ITERS seconds J_SWFR J_R W2^2/2", J_SWFR and J_R (Sec. 4.4) of the trained forward
 *     flow over the 2048 particles, W2^2 / 2 between rho0 and rho1 from the quantile functions (OT-Flow's
 *     transport cost E L(x, T), the paper's 2.71; the alpha -> infinity limit of J_SWFR, Fig. 5b).
 *   papers toy 8gaussians|moons ALPHA ITERS N BATCH NPLOT OUTDIR
 *     FFJORD's toy densities (as in tests/unit/test_swfr.c) -> N(0, I) (Sec. 6.2, Fig. 6): training on N
 *     points, then, for NPLOT fresh points of the toy (in chunks of CHUNK, see below):
 *       OUTDIR/toy-NAME-data.tsv   x y     the points (rho0; panel 1)
 *       OUTDIR/toy-NAME-fwd.tsv    x y w   their forward transform z(1), w(1) (panel 2)
 *       OUTDIR/toy-NAME-back.tsv   x y w   the inverse of those weighted particles back to t = 0 (panel 3)
 *       OUTDIR/toy-NAME-gen.tsv    x y w   NPLOT draws of N(0, I) taken back to t = 0 (panel 4)
 *       OUTDIR/toy-NAME-curve.tsv  iteration J
 *     stdout: "toy NAME ALPHA ITERS seconds J_SWFR J_R".
 * Phi-bar (4.10) couples the particles of one flow only through a common factor of their weights; the
 * plotting flows run in chunks of CHUNK particles (memory: the graph holds every RK4 stage), each chunk's
 * weights of mean 1, which equals one flow over all NPLOT up to the Monte-Carlo error of that factor. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "neural/swfr_internal.h"
#include "../../unit/swfr_toys.h"

#define NONED 2048
#define CHUNK 2000

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *xmalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fprintf(stderr, "papers: out of memory (%zu x %zu bytes)\n", n, size);
		exit(1);
	}
	return p;
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void close_out(FILE *f, const char *name)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "papers: writing %s failed\n", name);
		exit(1);
	}
}

static void die(const scuot_err *e)
{
	fprintf(stderr, "papers: %s\n", e->msg);
	exit(1);
}

static void write_curve(const char *dir, const char *name, const double *curve, int64_t iters)
{
	FILE *f = open_out(dir, name);
	fprintf(f, "iteration\tJ\n");
	for (int64_t i = 0; i < iters; i++)
		fprintf(f, "%lld\t%.8g\n", (long long)i + 1, curve[i]);
	close_out(f, name);
}

/* ---- Sec. 6.1 ---- */

/* CDF of rho0 = 1/3 N(-3, 1) + 2/3 N(3, 1) and its inverse by bisection */
static double cdf0(double x)
{
	return gsl_cdf_ugaussian_P(x + 3) / 3 + 2 * gsl_cdf_ugaussian_P(x - 3) / 3;
}

static double quantile0(double u)
{
	double lo = -20, hi = 20;
	for (int k = 0; k < 100; k++) {
		double mid = (lo + hi) / 2;
		if (cdf0(mid) < u)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* W2^2 / 2 = 1/2 int_0^1 (F0^-1(u) - Phi^-1(u))^2 du (the monotone map is optimal in 1-D), midpoint rule */
static double w2half(void)
{
	int64_t K = 200000;
	double s = 0;
	for (int64_t k = 0; k < K; k++) {
		double u = (k + 0.5) / (double)K, q = quantile0(u) - gsl_cdf_ugaussian_Pinv(u);
		s += q * q;
	}
	return 0.5 * s / (double)K;
}

static void write_flow(const char *dir, const char *name, const double *zs, const double *ws, int64_t n,
                       int steps)
{
	FILE *f = open_out(dir, name);
	fprintf(f, "particle\tk\tt\tx\tw\n");
	for (int64_t i = 0; i < n; i++)
		for (int k = 0; k <= steps; k++)
			fprintf(f, "%lld\t%d\t%.4f\t%.6g\t%.6g\n", (long long)i, k, (double)k / steps,
			        zs[(size_t)k * (size_t)n + (size_t)i], ws[(size_t)k * (size_t)n + (size_t)i]);
	close_out(f, name);
}

static int oned(double alpha, int64_t iters, int64_t batch, double gamma2, const char *dir)
{
	int64_t n = NONED, d = 1;
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(61, 0, &e);
	swfr_opts o;
	swfr_opts_init(&o);
	o.alpha = alpha;
	o.gamma2 = gamma2;
	o.batch = o.tbatch = batch;
	o.seed = 7;
	int steps = o.steps;
	double *x = xmalloc((size_t)n, sizeof(double)), *y = xmalloc((size_t)n, sizeof(double));
	double *zs = xmalloc((size_t)((steps + 1) * n), sizeof(double));
	double *ws = xmalloc((size_t)((steps + 1) * n), sizeof(double));
	double *curve = xmalloc((size_t)iters, sizeof(double));
	if (!r)
		die(&e);
	for (int64_t i = 0; i < n; i++)
		x[i] = (gsl_rng_uniform(r) < 1.0 / 3 ? -3 : 3) + gsl_ran_gaussian(r, 1);
	for (int64_t i = 0; i < n; i++)
		y[i] = gsl_ran_gaussian(r, 1);
	swfr *s = NULL;
	swfr_target tg = { swfr_logp_gauss, swfr_sample_gauss, &d, NULL, NULL, 0 };
	swfr_costs c;
	char name[256], tag[64];
	snprintf(tag, sizeof tag, "%g", alpha);
	double t0 = now();
	if (swfr_new(&s, &o, d, &e) || swfr_train(s, x, NULL, n, &tg, iters, curve, &c, &e) ||
	    swfr_forward(s, x, NULL, n, zs, ws, NULL, &c, &e))
		die(&e);
	double sec = now() - t0;
	snprintf(name, sizeof name, "oned-%s-fwd.tsv", tag);
	write_flow(dir, name, zs, ws, n, steps);
	if (swfr_inverse(s, y, NULL, n, zs, ws, NULL, &e))
		die(&e);
	snprintf(name, sizeof name, "oned-%s-inv.tsv", tag);
	write_flow(dir, name, zs, ws, n, steps);
	snprintf(name, sizeof name, "oned-%s-curve.tsv", tag);
	write_curve(dir, name, curve, iters);
	printf("oned\t%g\t%lld\t%.2f\t%.6f\t%.6f\t%.6f\n", alpha, (long long)iters, sec, c.swfr, c.reg, w2half());
	swfr_free(s);
	gsl_rng_free(r);
	free(x), free(y), free(zs), free(ws), free(curve);
	return 0;
}

/* ---- Sec. 6.2 ---- */

/* draw_toy: FFJORD's toy densities, as tests/unit/test_swfr.c draws them (tests/unit/swfr_toys.h) */

static void write_pts(FILE *f, const double *z, const double *w, int64_t n)
{
	for (int64_t i = 0; i < n; i++) {
		fprintf(f, "%.6g\t%.6g", z[2 * i], z[2 * i + 1]);
		if (w)
			fprintf(f, "\t%.6g", w[i]);
		fputc('\n', f);
	}
}

static int toy(const char *which, double alpha, int64_t iters, int64_t n, int64_t batch, int64_t nplot,
               const char *dir)
{
	int moons = !strcmp(which, "moons"), steps;
	int64_t d = 2;
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(71, (uint64_t)moons, &e);
	swfr_opts o;
	swfr_opts_init(&o);
	o.alpha = alpha;
	o.batch = o.tbatch = batch;
	o.seed = 9;
	steps = o.steps;
	double *x = xmalloc((size_t)(n * d), sizeof(double)), *curve = xmalloc((size_t)iters, sizeof(double));
	double *xp = xmalloc((size_t)(CHUNK * d), sizeof(double)), *g = xmalloc((size_t)(CHUNK * d), sizeof(double));
	double *zs = xmalloc((size_t)((steps + 1) * CHUNK * d), sizeof(double));
	double *ws = xmalloc((size_t)((steps + 1) * CHUNK), sizeof(double));
	double *z1 = xmalloc((size_t)(CHUNK * d), sizeof(double)), *w1 = xmalloc((size_t)CHUNK, sizeof(double));
	if (!r)
		die(&e);
	draw_toy(moons, r, n, x);
	swfr *s = NULL;
	swfr_target tg = { swfr_logp_gauss, swfr_sample_gauss, &d, NULL, NULL, 0 };
	swfr_costs c;
	double t0 = now();
	if (swfr_new(&s, &o, d, &e) || swfr_train(s, x, NULL, n, &tg, iters, curve, &c, &e))
		die(&e);
	double sec = now() - t0;
	char name[4][256];
	const char *part[4] = { "data", "fwd", "back", "gen" };
	FILE *f[4];
	for (int k = 0; k < 4; k++) {
		snprintf(name[k], sizeof name[k], "toy-%s-%s.tsv", which, part[k]);
		f[k] = open_out(dir, name[k]);
		fprintf(f[k], k ? "x\ty\tw\n" : "x\ty\n");
	}
	double js = 0, jr = 0;
	for (int64_t done = 0; done < nplot; done += CHUNK) {
		int64_t m = nplot - done < CHUNK ? nplot - done : CHUNK;
		const double *zl, *wl;
		draw_toy(moons, r, m, xp);
		for (int64_t i = 0; i < m * d; i++)
			g[i] = gsl_ran_gaussian(r, 1);
		write_pts(f[0], xp, NULL, m);
		if (swfr_forward(s, xp, NULL, m, zs, ws, NULL, &c, &e))
			die(&e);
		js += c.swfr * (double)m, jr += c.reg * (double)m;
		zl = zs + (size_t)steps * (size_t)(m * d), wl = ws + (size_t)steps * (size_t)m;
		memcpy(z1, zl, sizeof(double) * (size_t)(m * d));
		memcpy(w1, wl, sizeof(double) * (size_t)m);
		write_pts(f[1], z1, w1, m);
		if (swfr_inverse(s, z1, w1, m, zs, ws, NULL, &e))
			die(&e);
		write_pts(f[2], zs, ws, m); /* entry 0: time 0 */
		if (swfr_inverse(s, g, NULL, m, zs, ws, NULL, &e))
			die(&e);
		write_pts(f[3], zs, ws, m);
	}
	for (int k = 0; k < 4; k++)
		close_out(f[k], name[k]);
	snprintf(name[0], sizeof name[0], "toy-%s-curve.tsv", which);
	write_curve(dir, name[0], curve, iters);
	printf("toy\t%s\t%g\t%lld\t%.2f\t%.6f\t%.6f\n", which, alpha, (long long)iters, sec, js / (double)nplot,
	       jr / (double)nplot);
	swfr_free(s);
	gsl_rng_free(r);
	free(x), free(curve), free(xp), free(g), free(zs), free(ws), free(z1), free(w1);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "oned"))
		return oned(atof(argv[2]), atoll(argv[3]), atoll(argv[4]), atof(argv[5]), argv[6]);
	if (argc == 9 && !strcmp(argv[1], "toy") && (!strcmp(argv[2], "8gaussians") || !strcmp(argv[2], "moons")))
		return toy(argv[2], atof(argv[3]), atoll(argv[4]), atoll(argv[5]), atoll(argv[6]), atoll(argv[7]),
		           argv[8]);
	fprintf(stderr, "usage: papers oned ALPHA ITERS BATCH GAMMA2 OUTDIR\n"
	        "       papers toy 8gaussians|moons ALPHA ITERS N BATCH NPLOT OUTDIR\n");
	return 2;
}
