/* emdbench.c -- benchmark driver of the network-simplex EMD (src/lib/ot/emd.c) on the inputs written by
 * tests/bench/ot/emd_pot.py gen: DIR/meta.txt ("n m d"), DIR/x.bin and DIR/y.bin (row-major doubles).
 *   emdbench DIR      uniform masses, squared Euclidean cost (unnormalised), one solve
 * Prints "key value" lines: cost_seconds (cost matrix), solve_seconds (scuot_emd alone), iterations, nnz,
 * cost, optimal, peak_rss_mb (whole process, cost matrix included). */
#include <stdio.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/sys.h"
#include "ot/cost.h"
#include "ot/emd.h"

static void die(const char *what)
{
	fprintf(stderr, "emdbench: %s\n", what);
	exit(1);
}

static double *read_bin(const char *dir, const char *name, size_t k)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "rb");
	double *v = malloc(k * sizeof *v);
	if (!fp || !v || fread(v, sizeof *v, k, fp) != k)
		die(path);
	fclose(fp);
	return v;
}

int main(int argc, char **argv)
{
	char path[4096];
	long long n, m, d;
	scuot_err e = { 0 };
	if (argc != 2)
		die("usage: emdbench DIR");
	snprintf(path, sizeof path, "%s/meta.txt", argv[1]);
	FILE *fp = fopen(path, "r");
	if (!fp || fscanf(fp, "%lld %lld %lld", &n, &m, &d) != 3)
		die(path);
	fclose(fp);
	double *x = read_bin(argv[1], "x.bin", (size_t)(n * d)),
	       *y = read_bin(argv[1], "y.bin", (size_t)(m * d));
	double *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)m * sizeof *b);
	if (!a || !b)
		die("out of memory");
	for (long long i = 0; i < n; i++)
		a[i] = 1.0 / (double)n;
	for (long long j = 0; j < m; j++)
		b[j] = 1.0 / (double)m;
	scuot_cost c;
	double t0 = scuot_sys_wall();
	if (scuot_cost_init(&c, SCUOT_COST_SQEUCLIDEAN, x, n, y, m, d, 1, &e))
		die(e.msg);
	double *C = scuot_cost_matrix(&c, &e);
	if (!C)
		die(e.msg);
	double t1 = scuot_sys_wall();
	scuot_emd_result r;
	if (scuot_emd(n, m, a, b, C, 0, &r, &e))
		die(e.msg);
	double t2 = scuot_sys_wall();
	printf("cost_seconds %.6f\nsolve_seconds %.6f\niterations %lld\nnnz %lld\ncost %.17g\noptimal %d\n"
	       "peak_rss_mb %.1f\n",
	       t1 - t0, t2 - t1, (long long)r.iterations, (long long)r.nnz, r.cost, r.optimal,
	       scuot_sys_peak_rss() / 1048576.0);
	scuot_emd_result_clear(&r);
	scuot_cost_free(&c);
	free(C);
	free(x);
	free(y);
	free(a);
	free(b);
	return 0;
}
