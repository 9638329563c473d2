/* prepbench.c -- benchmark driver of src/lib/prep: times normalisation + log1p + HVG selection and
 * PCA (randomised, dense or sparse) on the raw inputs written by tests/bench/prep/gen.py.
 *   prepbench norm DIR OUT.txt                 normalise, log1p, seurat HVGs (2000); selection to OUT
 *   prepbench pca-dense DIR K ITER OUT.txt     randomised PCA (centred) of the dense matrix
 *   prepbench pca-sparse DIR K ITER CENTER OUT.txt  randomised PCA / truncated SVD of the sparse matrix
 * Prints "key value" lines: seconds of each step, peak RSS; writes ratios/singular values to OUT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mat.h"
#include "core/sys.h"
#include "core/threads.h"
#include "prep/prep.h"

static void die(const char *what)
{
	fprintf(stderr, "prepbench: %s\n", what);
	exit(1);
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		die(path);
	return fp;
}

static scuot_csr *read_csr(const char *dir)
{
	scuot_err e = { 0 };
	long long n, p, nnz;
	FILE *fp = open_in(dir, "meta.txt");
	if (fscanf(fp, "%lld %lld %lld", &n, &p, &nnz) != 3)
		die("meta.txt");
	fclose(fp);
	scuot_csr *X = scuot_csr_new(n, p, nnz, &e);
	if (!X)
		die(e.msg);
	fp = open_in(dir, "indptr.bin");
	if (fread(X->indptr, sizeof *X->indptr, (size_t)n + 1, fp) != (size_t)n + 1)
		die("indptr.bin");
	fclose(fp);
	fp = open_in(dir, "indices.bin");
	if (fread(X->indices, sizeof *X->indices, (size_t)nnz, fp) != (size_t)nnz)
		die("indices.bin");
	fclose(fp);
	fp = open_in(dir, "data.bin");
	if (fread(X->data, sizeof *X->data, (size_t)nnz, fp) != (size_t)nnz)
		die("data.bin");
	fclose(fp);
	return X;
}

static scuot_mat *read_dense(const char *dir)
{
	scuot_err e = { 0 };
	long long n, p;
	FILE *fp = open_in(dir, "meta.txt");
	if (fscanf(fp, "%lld %lld", &n, &p) != 2)
		die("meta.txt");
	fclose(fp);
	scuot_mat *X = scuot_mat_new(n, p, &e);
	if (!X)
		die(e.msg);
	fp = open_in(dir, "dense.bin");
	if (fread(X->data, sizeof(double), (size_t)(n * p), fp) != (size_t)(n * p))
		die("dense.bin");
	fclose(fp);
	return X;
}

static void write_model(const char *path, const scuot_pca_model *m)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		die(path);
	for (int j = 0; j < m->k; j++)
		fprintf(fp, "%.17g %.17g %.17g\n", m->singular_values[j], m->variance[j],
		        m->variance_ratio[j]);
	fclose(fp);
}

int main(int argc, char **argv)
{
	scuot_err e = { 0 };
	scuot_log_set_prog("prepbench");
	scuot_log_set_level(SCUOT_LOG_WARNING);
	int threads = scuot_threads_set(0);
	if (argc < 4)
		die("usage: prepbench norm|pca-dense|pca-sparse DIR ...");
	double t0 = scuot_sys_wall();
	printf("threads %d\n", threads);
	if (!strcmp(argv[1], "norm")) {
		scuot_csr *X = read_csr(argv[2]);
		printf("load_s %.3f\n", scuot_sys_wall() - t0);
		double t1 = scuot_sys_wall();
		if (scuot_norm_total(X, 1e4, 1, NULL, &e))
			die(e.msg);
		double t2 = scuot_sys_wall();
		scuot_hvg_opts o;
		scuot_hvg_result r;
		scuot_hvg_opts_init(&o);
		o.n_top_genes = 2000;
		if (scuot_hvg_select(X, &o, NULL, 0, NULL, &r, &e))
			die(e.msg);
		double t3 = scuot_sys_wall();
		printf("normalize_s %.3f\nhvg_s %.3f\ntotal_s %.3f\n", t2 - t1, t3 - t2, t3 - t1);
		printf("cpu_s %.3f\n", scuot_sys_cpu());
		FILE *fp = fopen(argv[3], "w");
		for (int64_t g = 0; g < r.n; g++)
			if (r.highly_variable[g])
				fprintf(fp, "%lld\n", (long long)g);
		fclose(fp);
		scuot_hvg_result_free(&r);
		scuot_csr_free(X);
	} else if (!strcmp(argv[1], "pca-dense") && argc >= 6) {
		scuot_mat *X = read_dense(argv[2]);
		printf("load_s %.3f\n", scuot_sys_wall() - t0);
		scuot_pca_opts o;
		scuot_pca_model *m;
		scuot_pca_opts_init(&o);
		o.k = atoi(argv[3]), o.n_iter = atoi(argv[4]), o.solver = SCUOT_PCA_RANDOMIZED;
		double t1 = scuot_sys_wall();
		if (scuot_pca_fit_dense(X, &o, &m, &e))
			die(e.msg);
		double t2 = scuot_sys_wall();
		scuot_mat *T = scuot_pca_project_dense(m, X, &e);
		double t3 = scuot_sys_wall();
		printf("fit_s %.3f\nproject_s %.3f\ntotal_s %.3f\ncpu_s %.3f\n", t2 - t1, t3 - t2, t3 - t1, scuot_sys_cpu());
		write_model(argv[5], m);
		scuot_mat_free(T);
		scuot_pca_model_free(m);
		scuot_mat_free(X);
	} else if (!strcmp(argv[1], "pca-sparse") && argc >= 7) {
		scuot_csr *X = read_csr(argv[2]);
		printf("load_s %.3f\n", scuot_sys_wall() - t0);
		scuot_pca_opts o;
		scuot_pca_model *m;
		scuot_pca_opts_init(&o);
		o.k = atoi(argv[3]), o.n_iter = atoi(argv[4]), o.center = atoi(argv[5]),
		o.solver = SCUOT_PCA_RANDOMIZED;
		double t1 = scuot_sys_wall();
		if (scuot_pca_fit_csr(X, NULL, 0, &o, &m, &e))
			die(e.msg);
		double t2 = scuot_sys_wall();
		scuot_mat *T = scuot_pca_project_csr(m, X, &e);
		double t3 = scuot_sys_wall();
		printf("fit_s %.3f\nproject_s %.3f\ntotal_s %.3f\ncpu_s %.3f\n", t2 - t1, t3 - t2, t3 - t1, scuot_sys_cpu());
		write_model(argv[6], m);
		scuot_mat_free(T);
		scuot_pca_model_free(m);
		scuot_csr_free(X);
	} else {
		die("unknown mode or missing arguments");
	}
	printf("peak_rss_mb %.1f\n", scuot_sys_peak_rss() / 1e6);
	return 0;
}
