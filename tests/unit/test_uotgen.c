/* test_uotgen.c -- unit tests of UOT-gen (src/lib/neural/uotgen.c), its chunked generator (swfr_generate) and the
 * model file (src/lib/io/arrays.c): generation equals the inverse system (4.11), files round-trip exactly, bad
 * files and inputs are refused with messages. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "io/arrays.h"
#include "neural/swfr_internal.h"
#include "neural/uotgen.h"

static char tmpdir[64];

static void setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/scuot-uotgen-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(uotgen, .init = setup, .fini = teardown);

static char *path_in(const char *name)
{
	static char p[128];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return p;
}

Test(uotgen, arrays_file_round_trips_and_refuses_other_files)
{
	scuot_err e = { 0 };
	scuot_arrays a = { 0 }, b = { 0 };
	double m[6] = { 1, -2.5, 3e-300, 4, 5, 6 };
	char *labels[2] = { "x0", "theta" };
	cr_assert_eq(scuot_arrays_add(&a, "phi.K0", 2, 3, m, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_arrays_add_scalar(&a, "alpha", 0.25, &e), 0, "%s", e.msg);
	scuot_err e2 = { 0 };
	cr_assert_eq(scuot_arrays_add(&a, "alpha", 1, 1, m, &e2), SCUOT_EINTERNAL, "a repeated name is refused");
	cr_assert_eq(scuot_arrays_set_labels(&a, labels, 2, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_arrays_write(path_in("m.h5"), "scuot-test", 3, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_arrays_read(path_in("m.h5"), "scuot-test", 3, "the test", &b, &e), 0, "%s", e.msg);
	cr_assert_eq(b.n, 2);
	const scuot_array *k0;
	cr_assert_eq(scuot_arrays_get(&b, "m.h5", "phi.K0", 2, 3, &k0, &e), 0, "%s", e.msg);
	cr_assert_eq(memcmp(k0->v, m, sizeof m), 0, "values come back bit for bit");
	double al;
	cr_assert_eq(scuot_arrays_scalar(&b, "m.h5", "alpha", 0, 1, 0, &al, &e), 0, "%s", e.msg);
	cr_assert_eq(al, 0.25);
	e = (scuot_err){ 0 }; /* the record keeps the first error: a fresh one per expected failure */
	cr_assert_eq(scuot_arrays_scalar(&b, "m.h5", "alpha", 0, 1, 1, &al, &e), SCUOT_EINPUT, "not an integer");
	cr_assert(strstr(e.msg, "/arrays/alpha = 0.25 is not an integer"), "%s", e.msg);
	e = (scuot_err){ 0 };
	cr_assert_eq(scuot_arrays_get(&b, "m.h5", "phi.K0", 3, 2, &k0, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "is 2 x 3, expected 3 x 2"), "%s", e.msg);
	e = (scuot_err){ 0 };
	cr_assert_eq(scuot_arrays_get(&b, "m.h5", "phi.b0", -1, -1, &k0, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "no array /arrays/phi.b0"), "%s", e.msg);
	cr_assert_eq(b.nlabels, 2);
	cr_assert_str_eq(b.labels[1], "theta");
	scuot_arrays_clear(&b);
	/* another kind, another version, not HDF5: refused, nothing filled */
	e = (scuot_err){ 0 };
	cr_assert_eq(scuot_arrays_read(path_in("m.h5"), "scuot-uotgen", 1, "scuot-uotgen train", &b, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "not a scuot-uotgen file (its root attribute format is \"scuot-test\")"), "%s", e.msg);
	cr_assert_eq(b.n, 0);
	e = (scuot_err){ 0 };
	cr_assert_eq(scuot_arrays_read(path_in("m.h5"), "scuot-test", 4, "the test", &b, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "format version 3, this scuot reads version 4"), "%s", e.msg);
	FILE *fp = fopen(path_in("text.h5"), "w");
	fputs("id\tx\n", fp);
	fclose(fp);
	e = (scuot_err){ 0 };
	cr_assert_neq(scuot_arrays_read(path_in("text.h5"), "scuot-test", 3, "the test", &b, &e), 0);
	cr_assert(strstr(e.msg, "text.h5"), "the message names the file: %s", e.msg);
	scuot_arrays_clear(&a);
}

/* A potential with random parameters (every term of the flow exercised) for the inverse-system tests. */
static swfr *random_flow(int64_t d, int steps, double amp)
{
	scuot_err e = { 0 };
	swfr_opts o;
	swfr_opts_init(&o);
	o.alpha = 0.7, o.steps = steps;
	swfr *s = NULL;
	cr_assert_eq(swfr_new(&s, &o, d, &e), 0, "%s", e.msg);
	gsl_rng *r = scuot_rng_new(3, 0, &e);
	scuot_nn_model *m = swfr_model(s);
	for (int k = 0; k < m->n; k++)
		for (int64_t i = 0; i < m->t[k]->r * m->t[k]->c; i++)
			m->t[k]->v[i] += amp * (2 * gsl_rng_uniform(r) - 1);
	gsl_rng_free(r);
	return s;
}

/* The chunked generator against the whole-population inverse system (4.11).  Positions do not depend on the
 * weights: equal to rounding for any chunk size.  Weights: swfr_inverse integrates w by RK4, swfr_generate
 * integrates int Phi dt by RK4 and exponentiates; both converge to the same solution, checked against the
 * inverse system at 512 steps, where generate at 8 steps must be at least as close as inverse at 8 steps. */
Test(uotgen, generate_equals_the_inverse_system)
{
	int64_t d = 2, n = 300;
	scuot_err e = { 0 };
	swfr *s = random_flow(d, 8, 0.3), *fine = random_flow(d, 512, 0.3);
	gsl_rng *r = scuot_rng_new(4, 0, &e);
	double *y = malloc(sizeof(double) * (size_t)(n * d)), *wy = malloc(sizeof(double) * (size_t)n);
	double *xs = malloc(sizeof(double) * (size_t)(513 * n * d)), *ws = malloc(sizeof(double) * (size_t)(513 * n));
	double *x = malloc(sizeof(double) * (size_t)(n * d)), *w = malloc(sizeof(double) * (size_t)n);
	double *wf = malloc(sizeof(double) * (size_t)n), *wi = malloc(sizeof(double) * (size_t)n);
	for (int64_t i = 0; i < n * d; i++)
		y[i] = gsl_ran_gaussian(r, 1);
	for (int64_t i = 0; i < n; i++)
		wy[i] = 0.5 + gsl_rng_uniform(r);
	cr_assert_eq(swfr_inverse(fine, y, wy, n, xs, ws, NULL, &e), 0, "%s", e.msg);
	memcpy(wf, ws, sizeof(double) * (size_t)n); /* entry 0: t = 0 */
	cr_assert_eq(swfr_inverse(s, y, wy, n, xs, ws, NULL, &e), 0, "%s", e.msg);
	memcpy(wi, ws, sizeof(double) * (size_t)n);
	double dx = 0, dg = 0, dinv = 0, spread = 0;
	for (int64_t i = 0; i < n; i++) {
		dinv = fmax(dinv, fabs(wi[i] - wf[i]) / wf[i]);
		spread = fmax(spread, fabs(log(wf[i] / wy[i])));
	}
	for (int64_t chunk = 1; chunk <= 512; chunk *= 8) {
		cr_assert_eq(swfr_generate(s, y, wy, n, chunk, x, w, &e), 0, "%s", e.msg);
		double mw = 0;
		for (int64_t i = 0; i < n; i++)
			mw += w[i] / (double)n;
		cr_assert_float_eq(mw, 1, 1e-12, "weights of mean 1 (%.15g)", mw);
		for (int64_t i = 0; i < n * d; i++)
			dx = fmax(dx, fabs(x[i] - xs[i]));
		for (int64_t i = 0; i < n; i++)
			dg = fmax(dg, fabs(w[i] - wf[i]) / wf[i]);
	}
	fprintf(stderr, "swfr_generate vs swfr_inverse (chunks 1, 8, 64, 512 of 300): positions %.3g; weights "
	        "against 512 steps: generate %.3g, inverse %.3g (relative); |log weight change| up to %.3g\n", dx, dg,
	        dinv, spread);
	cr_assert(dx < 1e-12, "positions differ by %.3g", dx);
	cr_assert(spread > 1, "the weights changed by at most a factor e^%.3g: the comparison would not test them",
	          spread);
	cr_assert(dg < 0.02 && dg <= dinv, "generated weights %.3g from the 512-step solution, the 8-step inverse "
	          "system %.3g", dg, dinv);
	free(y), free(wy), free(xs), free(ws), free(x), free(w), free(wf), free(wi);
	gsl_rng_free(r);
	swfr_free(s);
	swfr_free(fine);
}

static void draw(double *x, double *w, int64_t n, uint64_t seed)
{
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(seed, 0, &e);
	for (int64_t i = 0; i < n; i++) {
		x[2 * i] = 3 + gsl_ran_gaussian(r, 1);
		x[2 * i + 1] = -1 + 0.5 * gsl_ran_gaussian(r, 1);
		w[i] = exp(-0.5 * (x[2 * i] - 3) * (x[2 * i] - 3));
	}
	gsl_rng_free(r);
}

Test(uotgen, model_file_round_trip_gives_the_same_samples)
{
	int64_t n = 200, d = 2, N = 150;
	scuot_err e = { 0 };
	double x[400], w[200], g1[300], v1[150], g2[300], v2[150], c1[4], c2[4];
	char *labels[2] = { "theta1", "theta2" };
	draw(x, w, n, 5);
	scuot_uotgen_opts o;
	scuot_uotgen_opts_init(&o);
	o.iters = 5, o.batch = 64, o.tbatch = 64, o.width = 8, o.alpha = 2;
	scuot_uotgen *u = NULL, *v = NULL;
	cr_assert_eq(scuot_uotgen_new(&u, x, n, d, &o, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_uotgen_set_labels(u, labels, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_uotgen_train(u, x, w, n, &o, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_uotgen_save(u, path_in("u.h5"), &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_uotgen_load(&v, path_in("u.h5"), &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_uotgen_dim(v), 2);
	cr_assert_eq(scuot_uotgen_iterations(v), 5);
	cr_assert_str_eq(scuot_uotgen_labels(v)[1], "theta2");
	cr_assert_eq(scuot_uotgen_get_opts(v)->width, 8);
	cr_assert_eq(scuot_uotgen_get_opts(v)->alpha, 2);
	scuot_uotgen_costs(u, c1);
	scuot_uotgen_costs(v, c2);
	cr_assert_eq(memcmp(c1, c2, sizeof c1), 0, "costs round-trip");
	cr_assert_eq(scuot_uotgen_sample(u, N, 9, g1, v1, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_uotgen_sample(v, N, 9, g2, v2, &e), 0, "%s", e.msg);
	cr_assert_eq(memcmp(g1, g2, sizeof g1), 0, "the loaded model generates the same positions");
	cr_assert_eq(memcmp(v1, v2, sizeof v1), 0, "and the same weights");
	/* whitening: generated positions are in data coordinates (near the samples' mean, not near 0) */
	double mx = 0;
	for (int64_t i = 0; i < N; i++)
		mx += g1[2 * i] / (double)N;
	cr_assert(mx > 1.5, "generated mean of coordinate 1 is %.3f; the samples' is 3", mx);
	/* a warm start continues: the loaded model trains on, counting iterations */
	cr_assert_eq(scuot_uotgen_train(v, x, w, n, &o, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_uotgen_iterations(v), 10);
	scuot_uotgen_free(u);
	scuot_uotgen_free(v);
}

Test(uotgen, bad_samples_and_model_files_are_refused)
{
	int64_t n = 50, d = 2;
	scuot_err e = { 0 };
	double x[100], w[50];
	draw(x, w, n, 7);
	scuot_uotgen_opts o;
	scuot_uotgen_opts_init(&o);
	o.iters = 1, o.width = 4;
	scuot_uotgen *u = NULL, *v = NULL;
	cr_assert_eq(scuot_uotgen_new(&u, x, n, d, &o, &e), 0, "%s", e.msg);
	x[7] = NAN;
	e = (scuot_err){ 0 };
	cr_assert_eq(scuot_uotgen_train(u, x, w, n, &o, NULL, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "sample 4, coordinate 2 is nan"), "%s", e.msg);
	x[7] = 0;
	w[3] = -1;
	e = (scuot_err){ 0 };
	cr_assert_eq(scuot_uotgen_train(u, x, w, n, &o, NULL, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "sample 4 has weight -1"), "%s", e.msg);
	memset(w, 0, sizeof w);
	e = (scuot_err){ 0 };
	cr_assert_eq(scuot_uotgen_train(u, x, w, n, &o, NULL, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "all 50 weights are 0"), "%s", e.msg);
	cr_assert_eq(scuot_uotgen_iterations(u), 0, "nothing was trained");
	/* a model file with a tensor of the wrong shape, and one with an infinite parameter */
	scuot_arrays a = { 0 };
	e = (scuot_err){ 0 };
	cr_assert_eq(scuot_uotgen_save(u, path_in("good.h5"), &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_arrays_read(path_in("good.h5"), "scuot-uotgen", 1, "x", &a, &e), 0, "%s", e.msg);
	for (int k = 0; k < a.n; k++)
		if (!strcmp(a.a[k].name, "phi.w"))
			a.a[k].c = 3;
	cr_assert_eq(scuot_arrays_write(path_in("shape.h5"), "scuot-uotgen", 1, &a, &e), 0, "%s", e.msg);
	e = (scuot_err){ 0 };
	cr_assert_eq(scuot_uotgen_load(&v, path_in("shape.h5"), &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "shape.h5: /arrays/phi.w is 1 x 3, expected 1 x 4"), "%s", e.msg);
	cr_assert_null(v);
	for (int k = 0; k < a.n; k++)
		if (!strcmp(a.a[k].name, "phi.w"))
			a.a[k].c = 4, a.a[k].v[2] = INFINITY;
	cr_assert_eq(scuot_arrays_write(path_in("inf.h5"), "scuot-uotgen", 1, &a, &e), 0, "%s", e.msg);
	e = (scuot_err){ 0 };
	cr_assert_eq(scuot_uotgen_load(&v, path_in("inf.h5"), &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "inf.h5: /arrays/phi.w holds inf at entry 2"), "%s", e.msg);
	scuot_arrays_clear(&a);
	scuot_uotgen_free(u);
}
