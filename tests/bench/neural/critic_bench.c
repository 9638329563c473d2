/* critic_bench.c -- time per update of the USD critic (scuot_usd_critic_update: minibatch forward on both
 * sides, grad_x f, the augmented-Lagrangian loss with the Sobolev and Fisher terms, its gradient in every
 * parameter through the second-order path, AMSGrad step).  Used by critic.sh; not a test.
 *   critic_bench D WIDTH HIDDEN LAST BATCHNORM BATCH UPDATES SEED   -> "seconds_per_update gap constraint flops" */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "neural/neural.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 9) {
		fprintf(stderr, "usage: critic_bench D WIDTH HIDDEN LAST BATCHNORM BATCH UPDATES SEED\n");
		return 2;
	}
	int64_t d = atoll(argv[1]), batch = atoll(argv[6]), updates = atoll(argv[7]), n = 4 * batch;
	scuot_usd_opts o = { .width = atoll(argv[2]), .hidden = atoll(argv[3]), .last = atoll(argv[4]),
	                     .batchnorm = atoi(argv[5]), .batch = batch, .lr = 1e-4, .weight_decay = 1e-5,
	                     .lambda0 = 1e-5, .rho = 1e-6, .alpha = 0.6, .gamma = 1, .eval_batch = 1000 };
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new((uint64_t)atoll(argv[8]), 0, &e);
	double *x = malloc(sizeof(double) * (size_t)(n * d)), *y = malloc(sizeof(double) * (size_t)(n * d));
	double *w = malloc(sizeof(double) * (size_t)n);
	for (int64_t i = 0; i < n * d; i++) {
		x[i] = gsl_ran_gaussian(r, 1);
		y[i] = 0.5 + gsl_ran_gaussian(r, 1);
	}
	for (int64_t i = 0; i < n; i++)
		w[i] = 1.0 / (double)n;
	scuot_usd_critic *c;
	if (scuot_usd_critic_new(&c, &o, d, n, 1, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	for (int k = 0; k < 3; k++) /* warm-up: the graph's arena reaches its size */
		scuot_usd_critic_update(c, y, w, n, x, w, n, &e);
	double t = now();
	for (int64_t k = 0; k < updates; k++)
		if (scuot_usd_critic_update(c, y, w, n, x, w, n, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
	t = (now() - t) / (double)updates;
	double con, lam, gap;
	scuot_usd_critic_stats(c, &con, &lam, &gap);
	printf("%.6f %.6g %.6g %.6g\n", t, gap, con, scuot_usd_critic_flops(c));
	scuot_usd_critic_free(c);
	gsl_rng_free(r);
	free(x);
	free(y);
	free(w);
	return 0;
}
