/* uotbench.c -- benchmark driver of scuot's unbalanced Sinkhorn (tests/bench/ot/uot.sh): reads two point
 * clouds written by uotbench.py gen, solves, prints key=value lines (times, iterations, mode, peak RSS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sys.h"
#include "core/threads.h"
#include "ot/cost.h"
#include "ot/ot.h"
#include "ot/sinkhorn.h"

static double *load(const char *dir, const char *name, int64_t n, int64_t d)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "rb");
	double *x = malloc(sizeof(double) * (size_t)(n * d));
	if (!fp || !x || fread(x, sizeof(double), (size_t)(n * d), fp) != (size_t)(n * d)) {
		fprintf(stderr, "uotbench: cannot read %lld x %lld doubles from %s\n", (long long)n, (long long)d, path);
		exit(2);
	}
	fclose(fp);
	return x;
}

static void save(const char *path, const double *v, int64_t n)
{
	FILE *fp = fopen(path, "w");
	if (!fp) {
		perror(path);
		exit(1);
	}
	for (int64_t i = 0; i < n; i++)
		fprintf(fp, "%.17g\n", v[i]);
	fclose(fp);
}

int main(int argc, char **argv)
{
	if (argc < 12) {
		fprintf(stderr, "usage: uotbench DATA_DIR N M D EPS LAMBDA1 LAMBDA2 TOL MAX_ITER EPS0 FLOAT32 "
		                "[MAX_MEMORY_GB [OUT_PREFIX]]\n"
		                "  EPS0 0: no epsilon scaling; MAX_MEMORY_GB 0: half the physical memory\n");
		return 2;
	}
	const char *dir = argv[1];
	int64_t n = atoll(argv[2]), m = atoll(argv[3]), d = atoll(argv[4]);
	scuot_sinkhorn_opts o;
	scuot_sinkhorn_opts_init(&o, SCUOT_SINKHORN_UNBALANCED);
	o.eps = atof(argv[5]), o.lambda1 = atof(argv[6]), o.lambda2 = atof(argv[7]), o.tol = atof(argv[8]);
	o.max_iter = atoll(argv[9]), o.eps0 = atof(argv[10]), o.float32 = atoi(argv[11]);
	double gb = argc > 12 ? atof(argv[12]) : 0;
	const char *out = argc > 13 ? argv[13] : NULL;
	scuot_log_set_level(SCUOT_LOG_INFO);
	int threads = scuot_threads_set(0);
	double *x = load(dir, "x.bin", n, d), *y = load(dir, "y.bin", m, d);
	double *a = malloc(sizeof(double) * (size_t)n), *b = malloc(sizeof(double) * (size_t)m);
	for (int64_t i = 0; i < n; i++)
		a[i] = 1.0 / n;
	for (int64_t j = 0; j < m; j++)
		b[j] = 1.0 / m;
	scuot_ot_problem p = { 0 };
	p.n = n, p.m = m, p.d = d, p.x = x, p.y = y, p.a = a, p.b = b, p.t1 = 1;
	p.cost = SCUOT_COST_SQEUCLIDEAN, p.cost_norm = SCUOT_COSTNORM_MEDIAN;
	p.max_memory = gb > 0 ? (size_t)(gb * 1e9) : (size_t)(scuot_sys_phys_mem() / 2);
	p.topk = 0;
	scuot_err e = { 0 };
	scuot_ot_result *r = scuot_ot_result_new(&p, &e);
	double rss0 = (double)scuot_sys_peak_rss();
	double t0 = scuot_sys_wall();
	int ret = r ? scuot_ot_sinkhorn(&p, &o, r, &e) : e.code;
	double t1 = scuot_sys_wall();
	if (ret) {
		fprintf(stderr, "uotbench: %s\n", e.msg);
		return 1;
	}
	printf("tool=scuot\nthreads=%d\nn=%lld\nm=%lld\nfloat32=%d\nmax_memory_gb=%.3f\n", threads, (long long)n,
	       (long long)m, o.float32, p.max_memory / 1e9);
	printf("wall=%.3f\niterations=%lld\nconverged=%d\nlast_error=%.3g\nobjective=%.10g\ntransport_cost=%.10g\n",
	       t1 - t0, (long long)r->iterations, r->converged, r->n_curve ? r->curve[r->n_curve - 1] : 0.0,
	       r->objective, r->transport_cost);
	double mass = 0;
	for (int64_t i = 0; i < n; i++)
		mass += r->row_sum[i];
	printf("cost_scale=%.17g\n", r->cost_scale);
	printf("mass=%.10g\npeak_rss_mb=%.1f\ninput_rss_mb=%.1f\ncoupling=%s\n", mass, scuot_sys_peak_rss() / 1e6,
	       rss0 / 1e6,
	       r->pi.kind == SCUOT_COUPLING_DENSE ? "dense" : r->pi.kind == SCUOT_COUPLING_SPARSE ? "topk" : "none");
	if (out) {
		char path[4096];
		snprintf(path, sizeof path, "%s.rows", out);
		save(path, r->row_sum, n);
		snprintf(path, sizeof path, "%s.cols", out);
		save(path, r->col_sum, m);
	}
	scuot_ot_result_free(r);
	free(x), free(y), free(a), free(b);
	return 0;
}
