/* kern.c -- Gaussian kernel sums and MMD between weighted clouds, exact (blocked dgemm) and by random
 * Fourier features (Rahimi & Recht 2007).  Results do not depend on the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* gsl_randist.h brings GSL's CBLAS prototypes (the standard CBLAS interface, resolved to OpenBLAS at
 * link time); OpenBLAS's cblas.h cannot be included beside it. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/mat.h"
#include "core/rng.h"
#include "kern/kern.h"

#define ROW_BLOCK 256 /* points per block (features, kernel tiles) */

/* OpenBLAS's thread count, resolved weakly as in core/threads.c so other BLAS builds link. */
int openblas_get_num_threads(void) __attribute__((weak));
void openblas_set_num_threads(int) __attribute__((weak));

/* The parallel regions below call dgemm from every OpenMP thread on fixed blocks.  A threaded dgemm
 * partitions a block by its thread count, and the partition decides which entries its edge kernels
 * compute (with another summation order), so BLAS runs single-threaded inside them: the same bits for
 * any thread count, and no nested oversubscription.  blas_serial returns the count to restore. */
static int blas_serial(void)
{
	int n = openblas_get_num_threads ? openblas_get_num_threads() : 1;
	if (openblas_set_num_threads && n != 1)
		openblas_set_num_threads(1);
	return n;
}

static void blas_restore(int n)
{
	if (openblas_set_num_threads && n != 1)
		openblas_set_num_threads(n);
}

static int max_threads(void)
{
#ifdef _OPENMP
	return omp_get_max_threads();
#else
	return 1;
#endif
}

static int thread_num(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

int scuot_kern_weights_check(const double *w, int64_t n, const char *what, double *sum, scuot_err *e)
{
	double s = 0;
	if (n < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: no points", what);
	if (!w) {
		if (sum)
			*sum = (double)n;
		return 0;
	}
	for (int64_t i = 0; i < n; i++) {
		if (!isfinite(w[i]) || w[i] < 0)
			return scuot_err_set(e, SCUOT_EINPUT,
			                     "%s: weight %lld is %g; weights must be finite and >= 0", what,
			                     (long long)i, w[i]);
		s += w[i];
	}
	if (!(s > 0) || !isfinite(s))
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: the %lld weights sum to %g; a positive finite total is needed",
		                     what, (long long)n, s);
	if (sum)
		*sum = s;
	return 0;
}

static int sigma_check(double sigma, scuot_err *e)
{
	if (!(sigma > 0) || !isfinite(sigma))
		return scuot_err_set(e, SCUOT_EUSAGE, "kernel bandwidth must be finite and > 0 (got %g)",
		                     sigma);
	return 0;
}

/* ---- random Fourier features ---- */

scuot_kern_rff *scuot_kern_rff_new(int64_t d, int64_t D, double sigma, uint64_t seed, uint64_t stream,
                                   scuot_err *e)
{
	scuot_kern_rff *f = NULL;
	gsl_rng *r = NULL;
	if (d < 1 || D < 1)
		return scuot_err_set(e, SCUOT_EUSAGE,
		                     "random features need d >= 1 and D >= 1 (got d = %lld, D = %lld)",
		                     (long long)d, (long long)D),
		       NULL;
	if (sigma_check(sigma, e))
		return NULL;
	if (!(f = scuot_alloc(1, sizeof *f, 1, "random features", e)))
		return NULL;
	f->d = d, f->D = D, f->sigma = sigma;
	if ((uint64_t)D > SIZE_MAX / sizeof(double) / (uint64_t)d) {
		scuot_err_set(e, SCUOT_ELIMIT, "random features: %lld x %lld is too large", (long long)D,
		              (long long)d);
		goto fail;
	}
	if (!(f->W = scuot_alloc((size_t)(D * d), sizeof(double), 0, "random feature frequencies", e)) ||
	    !(f->b = scuot_alloc((size_t)D, sizeof(double), 0, "random feature phases", e)) ||
	    !(r = scuot_rng_new(seed, stream, e)))
		goto fail;
	for (int64_t k = 0; k < D * d; k++)
		f->W[k] = gsl_ran_gaussian(r, 1.0 / sigma);
	for (int64_t k = 0; k < D; k++)
		f->b[k] = 2 * M_PI * gsl_rng_uniform(r);
	gsl_rng_free(r);
	return f;
fail:
	gsl_rng_free(r);
	scuot_kern_rff_free(f);
	return NULL;
}

void scuot_kern_rff_free(scuot_kern_rff *f)
{
	if (!f)
		return;
	free(f->W);
	free(f->b);
	free(f);
}

void scuot_kern_rff_features(const scuot_kern_rff *f, const double *x, int64_t n, double *out)
{
	int64_t D = f->D;
	if (n <= 0)
		return;
	/* out = x W^T, then out_ik = sqrt(2/D) cos(out_ik + b_k) */
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)D, (int)f->d, 1.0, x, (int)f->d,
	            f->W, (int)f->d, 0.0, out, (int)D);
	double c = sqrt(2.0 / (double)D);
	for (int64_t i = 0; i < n; i++) {
		double *o = out + i * D;
		for (int64_t k = 0; k < D; k++)
			o[k] = c * cos(o[k] + f->b[k]);
	}
}

int scuot_kern_rff_embed(const scuot_kern_rff *f, const double *x, int64_t n, const double *w, double *mu,
                         scuot_err *e)
{
	double wsum, *part = NULL, *scratch = NULL;
	int64_t D = f->D, nblk, nchunk, per_chunk;
	int nt = max_threads(), nblas, ret;
	if ((ret = scuot_kern_weights_check(w, n, "mean embedding", &wsum, e)))
		return ret;
	/* chunks of whole blocks, their count fixed by n (never by the thread count) */
	nblk = (n + ROW_BLOCK - 1) / ROW_BLOCK;
	nchunk = nblk < 64 ? nblk : 64;
	per_chunk = (nblk + nchunk - 1) / nchunk;
	nchunk = (nblk + per_chunk - 1) / per_chunk;
	if (!(part = scuot_alloc((size_t)(nchunk * D), sizeof(double), 1, "mean embedding partial sums",
	                         e)) ||
	    !(scratch = scuot_alloc((size_t)nt * ROW_BLOCK, (size_t)D * sizeof(double), 0, "feature block",
	                            e))) {
		ret = e->code;
		goto done;
	}
	nblas = blas_serial();
#pragma omp parallel for schedule(dynamic, 1)
	for (int64_t c = 0; c < nchunk; c++) {
		double *phi = scratch + (size_t)thread_num() * ROW_BLOCK * D, *pc = part + c * D;
		int64_t b1 = (c + 1) * per_chunk < nblk ? (c + 1) * per_chunk : nblk;
		for (int64_t b = c * per_chunk; b < b1; b++) {
			int64_t i0 = b * ROW_BLOCK, i1 = i0 + ROW_BLOCK < n ? i0 + ROW_BLOCK : n;
			scuot_kern_rff_features(f, x + i0 * f->d, i1 - i0, phi);
			for (int64_t i = i0; i < i1; i++) {
				double wi = w ? w[i] : 1.0;
				const double *p = phi + (i - i0) * D;
				if (wi == 0)
					continue;
				for (int64_t k = 0; k < D; k++)
					pc[k] += wi * p[k];
			}
		}
	}
	blas_restore(nblas);
	for (int64_t k = 0; k < D; k++)
		mu[k] = 0;
	for (int64_t c = 0; c < nchunk; c++)
		for (int64_t k = 0; k < D; k++)
			mu[k] += part[c * D + k];
	for (int64_t k = 0; k < D; k++)
		mu[k] /= wsum;
	ret = 0;
done:
	free(part);
	free(scratch);
	return ret;
}

int scuot_kern_rff_mmd(const scuot_kern_rff *f, const double *x, int64_t n, const double *wx, const double *y,
                       int64_t m, const double *wy, double *mmd, scuot_err *e)
{
	double *mu = NULL, s = 0;
	int ret;
	if (!(mu = scuot_alloc((size_t)f->D, 2 * sizeof(double), 0, "mean embeddings", e)))
		return e->code;
	if ((ret = scuot_kern_rff_embed(f, x, n, wx, mu, e)) ||
	    (ret = scuot_kern_rff_embed(f, y, m, wy, mu + f->D, e)))
		goto done;
	for (int64_t k = 0; k < f->D; k++)
		s += (mu[k] - mu[f->D + k]) * (mu[k] - mu[f->D + k]);
	*mmd = sqrt(s);
done:
	free(mu);
	return ret;
}

/* ---- exact kernel sums ---- */

double scuot_kern_gauss(const double *x, const double *y, int64_t d, double sigma)
{
	double s = 0;
	for (int64_t k = 0; k < d; k++)
		s += (x[k] - y[k]) * (x[k] - y[k]);
	return exp(-s / (2 * sigma * sigma));
}

static void sq_norms(const double *x, int64_t n, int64_t d, double *out)
{
	for (int64_t i = 0; i < n; i++)
		out[i] = cblas_ddot((int)d, x + i * d, 1, x + i * d, 1);
}

int scuot_kern_gauss_sum(const double *x, int64_t n, const double *wx, const double *y, int64_t m,
                         const double *wy, int64_t d, double sigma, double *sum, scuot_err *e)
{
	double *xx = NULL, *yy = NULL, *part = NULL, *tile = NULL, g;
	int64_t nbx, nby;
	int sym = x == y && n == m && wx == wy, nt = max_threads(), nblas, ret;
	if ((ret = sigma_check(sigma, e)) ||
	    (ret = scuot_kern_weights_check(wx, n, "first cloud", NULL, e)) ||
	    (ret = scuot_kern_weights_check(wy, m, "second cloud", NULL, e)))
		return ret;
	if (d < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "kernel sum: points with %lld dimensions",
		                     (long long)d);
	nbx = (n + ROW_BLOCK - 1) / ROW_BLOCK, nby = (m + ROW_BLOCK - 1) / ROW_BLOCK;
	if (!(xx = scuot_alloc((size_t)n, sizeof(double), 0, "squared norms", e)) ||
	    !(yy = scuot_alloc((size_t)m, sizeof(double), 0, "squared norms", e)) ||
	    !(part = scuot_alloc((size_t)nbx, sizeof(double), 1, "kernel partial sums", e)) ||
	    !(tile = scuot_alloc((size_t)nt * ROW_BLOCK, ROW_BLOCK * sizeof(double), 0, "kernel tile", e))) {
		ret = e->code;
		goto done;
	}
	sq_norms(x, n, d, xx);
	sq_norms(y, m, d, yy);
	g = 1.0 / (2 * sigma * sigma);
	/* Row block bi against column blocks bj (bj >= bi when symmetric, off-diagonal tiles counted twice):
	 * tile = -2 X_bi Y_bj^T by dgemm, k_ij = exp(-(|x_i|^2 + |y_j|^2 + tile_ij) g), clamped distance. */
	nblas = blas_serial();
#pragma omp parallel for schedule(dynamic, 1)
	for (int64_t bi = 0; bi < nbx; bi++) {
		double *t = tile + (size_t)thread_num() * ROW_BLOCK * ROW_BLOCK, acc = 0;
		int64_t i0 = bi * ROW_BLOCK, i1 = i0 + ROW_BLOCK < n ? i0 + ROW_BLOCK : n;
		for (int64_t bj = sym ? bi : 0; bj < nby; bj++) {
			int64_t j0 = bj * ROW_BLOCK, j1 = j0 + ROW_BLOCK < m ? j0 + ROW_BLOCK : m,
			        nj = j1 - j0;
			double blk = 0;
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(i1 - i0), (int)nj, (int)d,
			            -2.0, x + i0 * d, (int)d, y + j0 * d, (int)d, 0.0, t, (int)nj);
			for (int64_t i = i0; i < i1; i++) {
				const double *ti = t + (i - i0) * nj;
				double row = 0, xi = xx[i];
				for (int64_t j = 0; j < nj; j++) {
					double s = xi + yy[j0 + j] + ti[j];
					row += (wy ? wy[j0 + j] : 1.0) * exp(-(s > 0 ? s : 0) * g);
				}
				blk += (wx ? wx[i] : 1.0) * row;
			}
			acc += sym && bj > bi ? 2 * blk : blk;
		}
		part[bi] = acc;
	}
	blas_restore(nblas);
	*sum = 0;
	for (int64_t bi = 0; bi < nbx; bi++)
		*sum += part[bi];
	ret = 0;
done:
	free(xx);
	free(yy);
	free(part);
	free(tile);
	return ret;
}

int scuot_kern_mmd2(const double *x, int64_t n, const double *wx, const double *y, int64_t m,
                    const double *wy, int64_t d, double sigma, double *mmd2, scuot_err *e)
{
	double sx, sy, kxx, kyy, kxy, v;
	int ret;
	if ((ret = sigma_check(sigma, e)) || (ret = scuot_kern_weights_check(wx, n, "first cloud", &sx, e)) ||
	    (ret = scuot_kern_weights_check(wy, m, "second cloud", &sy, e)))
		return ret;
	if ((ret = scuot_kern_gauss_sum(x, n, wx, x, n, wx, d, sigma, &kxx, e)) ||
	    (ret = scuot_kern_gauss_sum(y, m, wy, y, m, wy, d, sigma, &kyy, e)) ||
	    (ret = scuot_kern_gauss_sum(x, n, wx, y, m, wy, d, sigma, &kxy, e)))
		return ret;
	v = kxx / (sx * sx) + kyy / (sy * sy) - 2 * kxy / (sx * sy);
	*mmd2 = v > 0 ? v : 0;
	return 0;
}
