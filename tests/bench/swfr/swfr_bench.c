/* swfr_bench.c -- one training iteration of the learned spherical-WFR geodesics (swfr_train: forward system
 * (4.9) by RK4, inverse system (4.11) from rho1 draws, J, its parameter gradient, Adam): dump and timing.
 * Used by run.sh against swfr_torch.py; not a test.
 *   swfr_bench [--dump FILE] [--repeats R] D BATCH TBATCH WIDTH STEPS ITERS SEED
 * Data: D = 1 the paper's 1-D mixture (Sec. 6.1) towards rho1 = N(0, 1); D = 2 eight Gaussians (the 2-D
 * toys of Sec. 6.2, as in FFJORD and OT-Flow) towards N(0, I); D >= 3 as scuot's swfr method between two
 * days: rho1 a full-covariance Gaussian mixture fitted to target cells, which are also the draws for
 * Phi-hat.  Pools of 4 BATCH source points and 4 TBATCH target points; each timed iteration draws its
 * minibatches.
 * --dump FILE: the configuration, the pools, the mixture, the initial parameters and, for one iteration on
 * the fixed minibatches (the first BATCH and TBATCH rows of the pools), the costs, the parameter gradients
 * and the parameters after the Adam step, as text ("mat NAME ROWS COLS" then the rows).
 * Then: R times ITERS iterations (after 3 warm-up ones) of a fresh model of the same seed; prints
 * "ms_per_iteration(median) min max cpu_ms_per_iteration(median) flops_per_iteration last_J" (cpu: the
 * process's CPU time, all threads, less sensitive than the wall clock to other work on the machine). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "dens/gmm.h"
#include "neural/swfr_internal.h"

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double now(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_dbl);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}


static void put_mat(FILE *f, const char *name, int64_t r, int64_t c, const double *v)
{
	fprintf(f, "mat %s %lld %lld\n", name, (long long)r, (long long)c);
	for (int64_t i = 0; i < r; i++)
		for (int64_t j = 0; j < c; j++)
			fprintf(f, "%.17g%c", v[i * c + j], j + 1 < c ? ' ' : '\n');
}

static void put_model(FILE *f, const char *prefix, const scuot_nn_model *m, int grad)
{
	char name[128];
	for (int k = 0; k < m->n; k++) {
		const scuot_nn_tensor *t = m->t[k];
		snprintf(name, sizeof name, "%s%s", prefix, t->name);
		put_mat(f, name, t->r, t->c, grad ? t->g : t->v);
	}
}

/* the source pool (n x d) and the target pool (ny x d) of the configuration */
static void gen_data(gsl_rng *r, int64_t d, int64_t n, double *x, int64_t ny, double *y)
{
	if (d == 1) {
		for (int64_t i = 0; i < n; i++)
			x[i] = (gsl_rng_uniform(r) < 1.0 / 3 ? -3 : 3) + gsl_ran_gaussian(r, 1);
	} else if (d == 2) {
		for (int64_t i = 0; i < n; i++) {
			double a = (double)gsl_rng_uniform_int(r, 8) * M_PI / 4;
			x[2 * i] = (4 * cos(a) + 0.5 * gsl_ran_gaussian(r, 1)) / 1.414;
			x[2 * i + 1] = (4 * sin(a) + 0.5 * gsl_ran_gaussian(r, 1)) / 1.414;
		}
	} else {
		for (int64_t i = 0; i < n * d; i++)
			x[i] = gsl_ran_gaussian(r, 1);
	}
	if (d <= 2) {
		for (int64_t i = 0; i < ny * d; i++)
			y[i] = gsl_ran_gaussian(r, 1);
		return;
	}
	/* four clusters shifted by 2 along the first four axes, half the source's spread */
	for (int64_t i = 0; i < ny; i++) {
		int64_t c = (int64_t)gsl_rng_uniform_int(r, 4);
		for (int64_t q = 0; q < d; q++)
			y[i * d + q] = (q == c ? 2.0 : 0.0) + 0.5 * gsl_ran_gaussian(r, 1);
	}
}

/* The dump (see the top of the file): a fresh model of seed o->seed and one iteration on fixed minibatches,
 * all of the first B source points (draw_idx keeps every point in order when the batch is the whole set) and
 * the first NB target points as given draws of rho1. Returns 0 or 1 after a message. */
static int write_dump(const char *path, const swfr_opts *o, int64_t d, int64_t B, int64_t NB, int64_t n,
                      const double *x, int64_t ny, const double *y, const scuot_gmm *gm,
                      const swfr_target *tg)
{
	FILE *f = fopen(path, "w");
	swfr *s = NULL;
	swfr_costs c;
	scuot_err e = { 0 };
	int ret = 1;
	if (!f) {
		perror(path);
		return 1;
	}
	if (swfr_new(&s, o, d, &e)) {
		fprintf(stderr, "swfr_bench: %s\n", e.msg);
		goto out;
	}
	fprintf(f, "# swfr_bench dump\nopts %lld %lld %lld %lld %lld %d %.17g %.17g %.17g %.17g %s\n",
	        (long long)d, (long long)B, (long long)NB, (long long)o->width, (long long)swfr_get_net(s)->r,
	        o->steps, o->alpha, o->gamma1, o->gamma2, o->lr, gm ? "gmm" : "gauss");
	put_mat(f, "x", n, d, x);
	put_mat(f, "y", ny, d, y);
	if (gm) {
		fprintf(f, "gmm %d %d\n", gm->k, gm->full);
		put_mat(f, "gmm.mu", gm->k, d, gm->mu);
		put_mat(f, "gmm.linv", gm->k, gm->full ? d * d : d, gm->linv);
		put_mat(f, "gmm.lnorm", 1, gm->k, gm->lnorm);
	}
	put_model(f, "init.", swfr_model(s), 0);
	swfr_target tf = *tg;
	tf.sample = NULL, tf.y = y, tf.yw = NULL, tf.ny = NB;
	if (swfr_train(s, x, NULL, B, &tf, 1, NULL, &c, &e)) {
		fprintf(stderr, "swfr_bench: %s\n", e.msg);
		goto out;
	}
	double cv[4] = { c.J, c.kl, c.swfr, c.reg };
	put_mat(f, "costs", 1, 4, cv);
	put_model(f, "grad.", swfr_model(s), 1);
	put_model(f, "step.", swfr_model(s), 0);
	ret = 0;
out:
	swfr_free(s);
	if (fclose(f) && !ret) {
		perror(path);
		ret = 1;
	}
	return ret;
}

int main(int argc, char **argv)
{
	const char *dump = NULL;
	int repeats = 3, a = 1;
	for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a++) {
		if (!strcmp(argv[a], "--dump") && a + 1 < argc)
			dump = argv[++a];
		else if (!strcmp(argv[a], "--repeats") && a + 1 < argc)
			repeats = atoi(argv[++a]);
		else
			break;
	}
	if (argc - a != 7 || repeats < 1) {
		fprintf(stderr, "usage: swfr_bench [--dump FILE] [--repeats R] D BATCH TBATCH WIDTH STEPS ITERS SEED\n");
		return 2;
	}
	int64_t d = atoll(argv[a]), B = atoll(argv[a + 1]), NB = atoll(argv[a + 2]);
	int64_t iters = atoll(argv[a + 5]), n = 4 * B, ny = 4 * NB;
	uint64_t seed = (uint64_t)atoll(argv[a + 6]);
	swfr_opts o;
	swfr_opts_init(&o);
	o.width = atoll(argv[a + 3]);
	o.steps = atoi(argv[a + 4]);
	o.batch = B, o.tbatch = NB, o.seed = seed;
	if (d < 1 || B < 1 || NB < 1 || o.width < 1 || o.steps < 1 || iters < 1) {
		fprintf(stderr, "swfr_bench: every size must be positive\n");
		return 2;
	}
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(seed, 7, &e);
	double *x = malloc(sizeof(double) * (size_t)(n * d)), *y = malloc(sizeof(double) * (size_t)(ny * d));
	double *times = malloc(sizeof(double) * (size_t)repeats);
	double *cpu = malloc(sizeof(double) * (size_t)repeats), *curve = malloc(sizeof(double) * (size_t)iters);
	scuot_gmm *gm = NULL;
	swfr *s = NULL;
	int ret = 1;
	if (!r || !x || !y || !times || !cpu || !curve) {
		fprintf(stderr, "swfr_bench: out of memory\n");
		goto done;
	}
	gen_data(r, d, n, x, ny, y);
	swfr_target tg = { swfr_logp_gauss, swfr_sample_gauss, &d, y, NULL, ny };
	if (d >= 3) {
		/* as the swfr method: log rho1 from a full-covariance mixture fitted to the target cells */
		scuot_gmm_opts go;
		scuot_gmm_opts_init(&go);
		go.seed = seed;
		if (scuot_gmm_fit(&gm, y, NULL, ny, d, 4, &go, &e)) {
			fprintf(stderr, "swfr_bench: %s\n", e.msg);
			goto done;
		}
		tg = (swfr_target){ swfr_logp_gmm, NULL, gm, y, NULL, ny };
	}
	if (dump && write_dump(dump, &o, d, B, NB, n, x, ny, y, gm, &tg))
		goto done;
	if (swfr_new(&s, &o, d, &e) || swfr_train(s, x, NULL, n, &tg, 3, NULL, NULL, &e)) {
		fprintf(stderr, "swfr_bench: %s\n", e.msg);
		goto done;
	}
	for (int k = 0; k < repeats; k++) {
		double t = now(CLOCK_MONOTONIC), c = now(CLOCK_PROCESS_CPUTIME_ID);
		if (swfr_train(s, x, NULL, n, &tg, iters, curve, NULL, &e)) {
			fprintf(stderr, "swfr_bench: %s\n", e.msg);
			goto done;
		}
		times[k] = 1000 * (now(CLOCK_MONOTONIC) - t) / (double)iters;
		cpu[k] = 1000 * (now(CLOCK_PROCESS_CPUTIME_ID) - c) / (double)iters;
	}
	double med = median(times, repeats);
	printf("%.4f %.4f %.4f %.4f %.6g %.10g\n", med, times[0], times[repeats - 1], median(cpu, repeats),
	       swfr_last_flops(s), curve[iters - 1]);
	ret = 0;
done:
	swfr_free(s);
	scuot_gmm_free(gm);
	gsl_rng_free(r);
	free(x);
	free(y);
	free(times);
	free(cpu);
	free(curve);
	return ret;
}
