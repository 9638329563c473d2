/* kernel.c -- blocked Gaussian kernel sums with their gradients for the particle flows, the MMD split of a
 * path and the median bandwidth.  Results do not depend on the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* gsl_randist.h brings GSL's CBLAS prototypes, resolved to OpenBLAS at link time (as kern/kern.c). */
#include <gsl/gsl_randist.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/mat.h"
#include "core/vexp_internal.h"
#include "flow/flow.h"
#include "flow/flow_internal.h"
#include "kern/kern.h"

int openblas_get_num_threads(void) __attribute__((weak));
void openblas_set_num_threads(int) __attribute__((weak));

int flow_blas_serial(void)
{
	int n = openblas_get_num_threads ? openblas_get_num_threads() : 1;
	if (openblas_set_num_threads && n != 1)
		openblas_set_num_threads(1);
	return n;
}

void flow_blas_restore(int n)
{
	if (openblas_set_num_threads && n != 1)
		openblas_set_num_threads(n);
}

int flow_max_threads(void)
{
#ifdef _OPENMP
	return omp_get_max_threads();
#else
	return 1;
#endif
}

int flow_thread_num(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

/* One row of a tile: t[j] <- k = exp(-max(qi + zz[j] + t[j], 0) g) (t holds -2 q_i . z_j), returns
 * sum_j v[j] k.  Compiled for AVX-512, AVX2 + FMA and the baseline, chosen at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
double flow_tile_row(double *t, const double *zz, const double *v, int64_t nj, double qi, double g)
{
	double acc = 0;
#pragma omp simd reduction(+ : acc)
	for (int64_t j = 0; j < nj; j++) {
		double s = qi + zz[j] + t[j];
		double k = scuot_vexp_neg(-(s > 0 ? s : 0) * g);
		t[j] = k;
		acc += v[j] * k;
	}
	return acc;
}

/* cos and sin of t, vectorisable: q = nearest integer to t 2/pi, r = t - q pi/2 in three parts (Cody & Waite;
 * exact for |t| < 2^20 or so), Taylor polynomials of sin (to r^17) and cos (to r^18) on |r| <= pi/4
 * (truncation below 1e-16 relative), the quadrant by selects; within 2 ulp of libm for |t| <= 1e5. */
static inline __attribute__((always_inline)) void sincos_v(double t, double *cv, double *sv)
{
	const double twopi_inv = 6.36619772367581382433e-01, shift = 0x1.8p52;
	const double p1 = 1.5707963267341256e+00, p2 = 6.0771005065061922e-11, p3 = 2.0222662487959506e-21;
	double sh = t * twopi_inv + shift, q = sh - shift, r, r2, ps, pc;
	int64_t bits;
	r = ((t - q * p1) - q * p2) - q * p3;
	r2 = r * r;
	ps = -1.0 / 355687428096000.0;
	ps = ps * r2 + 1.0 / 1307674368000.0;
	ps = ps * r2 - 1.0 / 6227020800.0;
	ps = ps * r2 + 1.0 / 39916800.0;
	ps = ps * r2 - 1.0 / 362880.0;
	ps = ps * r2 + 1.0 / 5040.0;
	ps = ps * r2 - 1.0 / 120.0;
	ps = ps * r2 + 1.0 / 6.0;
	ps = r - r * r2 * ps;
	pc = 1.0 / 6402373705728000.0;
	pc = pc * r2 - 1.0 / 20922789888000.0;
	pc = pc * r2 + 1.0 / 87178291200.0;
	pc = pc * r2 - 1.0 / 479001600.0;
	pc = pc * r2 + 1.0 / 3628800.0;
	pc = pc * r2 - 1.0 / 40320.0;
	pc = pc * r2 + 1.0 / 720.0;
	pc = pc * r2 - 1.0 / 24.0;
	pc = pc * r2 + 0.5;
	pc = 1.0 - r2 * pc;
	memcpy(&bits, &sh, sizeof bits); /* the low bits hold q + 2^51: the quadrant is q mod 4 */
	bits &= 3;
	*sv = bits == 0 ? ps : bits == 1 ? pc : bits == 2 ? -ps : -pc;
	*cv = bits == 0 ? pc : bits == 1 ? -ps : bits == 2 ? -pc : ps;
}

/* cos and sin of the n values z + b (z in place -> c cos, s <- c sin) by sincos_v; returns the largest
 * |z + b| for the caller to check against 1e5. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
double flow_sincos_row(double *z, double *s, const double *b, int64_t n, double c)
{
	double big = 0;
#pragma omp simd reduction(max : big)
	for (int64_t k = 0; k < n; k++) {
		double t = z[k] + b[k], at = fabs(t), cv, sv;
		sincos_v(t, &cv, &sv);
		z[k] = c * cv, s[k] = c * sv;
		big = at > big ? at : big;
	}
	return big;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
double flow_sincos_row_w(double *restrict z, double *restrict s, double *restrict rs, double *restrict rc,
                         const double *restrict b, int64_t n, double c, double wi)
{
	double big = 0, sw = sqrt(wi), cs = c * sw;
	if (rc) {
#pragma omp simd reduction(max : big)
		for (int64_t k = 0; k < n; k++) {
			double t = z[k] + b[k], at = fabs(t), cv, sv;
			sincos_v(t, &cv, &sv);
			z[k] = c * cv, s[k] = c * sv, rs[k] = cs * sv, rc[k] = cs * cv;
			big = at > big ? at : big;
		}
	} else {
#pragma omp simd reduction(max : big)
		for (int64_t k = 0; k < n; k++) {
			double t = z[k] + b[k], at = fabs(t), cv, sv;
			sincos_v(t, &cv, &sv);
			z[k] = c * cv, s[k] = c * sv, rs[k] = cs * sv;
			big = at > big ? at : big;
		}
	}
	return big;
}

/* The partial product of the rows [i0, i1) of a symmetric matrix given by its upper triangle (row-major,
 * lda n) with v: p[j] (j >= i0) <- sum_{i0 <= i < i1, i <= j} a_ij v_i + [i0 <= j < i1] sum_{k > j} a_jk v_k,
 * i.e. the row dot products over the stored part and their transposes.  Eight rows at a time, one pass over
 * them with two multiply-adds per entry: the triangle is read once and p (n values) stays in cache.  Compiled
 * for AVX-512, AVX2 + FMA and the baseline. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
static void symv_rows(const double *a, int64_t n, int64_t i0, int64_t i1, const double *v, double *p)
{
	int64_t i = i0;
	for (int64_t j = i0; j < n; j++)
		p[j] = 0;
	for (; i + 8 <= i1; i += 8) {
		const double *r0 = a + i * n, *r1 = r0 + n, *r2 = r1 + n, *r3 = r2 + n, *r4 = r3 + n, *r5 = r4 + n,
		             *r6 = r5 + n, *r7 = r6 + n, *r[8] = { r0, r1, r2, r3, r4, r5, r6, r7 };
		double v0 = v[i], v1 = v[i + 1], v2 = v[i + 2], v3 = v[i + 3], v4 = v[i + 4], v5 = v[i + 5],
		       v6 = v[i + 6], v7 = v[i + 7];
		double t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0, s[8];
		for (int q = 0; q < 8; q++) { /* the 8 x 8 diagonal block from its upper triangle */
			double acc = 0;
			for (int c = 0; c < 8; c++)
				acc += (c >= q ? r[q][i + c] : r[c][i + q]) * v[i + c];
			s[q] = acc;
		}
#pragma omp simd reduction(+ : t0, t1, t2, t3, t4, t5, t6, t7)
		for (int64_t j = i + 8; j < n; j++) {
			double vj = v[j];
			t0 += r0[j] * vj, t1 += r1[j] * vj, t2 += r2[j] * vj, t3 += r3[j] * vj;
			t4 += r4[j] * vj, t5 += r5[j] * vj, t6 += r6[j] * vj, t7 += r7[j] * vj;
			p[j] += ((r0[j] * v0 + r1[j] * v1) + (r2[j] * v2 + r3[j] * v3)) +
			        ((r4[j] * v4 + r5[j] * v5) + (r6[j] * v6 + r7[j] * v7));
		}
		p[i] += s[0] + t0, p[i + 1] += s[1] + t1, p[i + 2] += s[2] + t2, p[i + 3] += s[3] + t3;
		p[i + 4] += s[4] + t4, p[i + 5] += s[5] + t5, p[i + 6] += s[6] + t6, p[i + 7] += s[7] + t7;
	}
	for (; i < i1; i++) {
		const double *r = a + i * n;
		double vi = v[i], t = 0;
#pragma omp simd reduction(+ : t)
		for (int64_t j = i + 1; j < n; j++) {
			t += r[j] * v[j];
			p[j] += r[j] * vi;
		}
		p[i] += r[i] * vi + t;
	}
}

void flow_symv(const double *a, int64_t n, const double *v, double alpha, double beta, double *out,
               double *part)
{
	int64_t nb = (n + FLOW_SYMV_ROWS - 1) / FLOW_SYMV_ROWS;
#pragma omp parallel if (n >= 2 * FLOW_SYMV_ROWS)
	{
#pragma omp for schedule(dynamic, 1)
		for (int64_t b = 0; b < nb; b++) {
			int64_t i0 = b * FLOW_SYMV_ROWS, i1 = i0 + FLOW_SYMV_ROWS < n ? i0 + FLOW_SYMV_ROWS : n;
			symv_rows(a, n, i0, i1, v, part + b * n);
		}
		/* out[j]: the partial sums of the blocks starting at or before j, in block order */
#pragma omp for schedule(static)
		for (int64_t c = 0; c < nb; c++) {
			int64_t j0 = c * FLOW_SYMV_ROWS, j1 = j0 + FLOW_SYMV_ROWS < n ? j0 + FLOW_SYMV_ROWS : n;
			for (int64_t j = j0; j < j1; j++) {
				double s = 0;
				for (int64_t b = 0; b <= c; b++)
					s += part[b * n + j];
				out[j] = alpha * s + beta * v[j];
			}
		}
	}
}

int scuot_flow_gauss_apply(const double *q, int64_t n, const double *z, int64_t m, const double *v, int64_t d,
                           double sigma, double *kv, double *kvz, scuot_err *e)
{
	double *qq = NULL, *zz = NULL, *tile = NULL, *vz = NULL, g;
	int64_t nbq, nbz, sw, ntiles;
	int nt = flow_max_threads(), nblas, ret = 0;
	if (!(sigma > 0) || !isfinite(sigma))
		return scuot_err_set(e, SCUOT_EUSAGE, "kernel bandwidth must be finite and > 0 (got %g)", sigma);
	if (n < 1)
		return 0;
	if (m < 1) {
		memset(kv, 0, sizeof(double) * (size_t)n);
		if (kvz)
			memset(kvz, 0, sizeof(double) * (size_t)(n * d));
		return 0;
	}
	/* tiles of FLOW_BLOCK rows by strips of up to FLOW_STRIP columns: two dgemms per strip (distances, then
	 * the weighted points), long enough for BLAS to run near its peak with d as small as 30 */
	sw = m < FLOW_STRIP ? m : FLOW_STRIP;
	nbq = (n + FLOW_BLOCK - 1) / FLOW_BLOCK, nbz = (m + sw - 1) / sw;
	ntiles = nbq * ((m + FLOW_BLOCK - 1) / FLOW_BLOCK);
	if (!(qq = scuot_alloc((size_t)n, sizeof(double), 0, "squared norms", e)) ||
	    !(zz = scuot_alloc((size_t)m, sizeof(double), 0, "squared norms", e)) ||
	    !(tile = scuot_alloc((size_t)nt * FLOW_BLOCK, (size_t)sw * sizeof(double), 0, "kernel tile", e)) ||
	    (kvz && !(vz = scuot_alloc((size_t)(m * d), sizeof(double), 0, "weighted points", e)))) {
		ret = e->code;
		goto done;
	}
	for (int64_t i = 0; i < n; i++)
		qq[i] = cblas_ddot((int)d, q + i * d, 1, q + i * d, 1);
	for (int64_t j = 0; j < m; j++) {
		zz[j] = cblas_ddot((int)d, z + j * d, 1, z + j * d, 1);
		if (vz)
			for (int64_t k = 0; k < d; k++)
				vz[j * d + k] = v[j] * z[j * d + k];
	}
	g = 1.0 / (2 * sigma * sigma);
	nblas = flow_blas_serial();
	/* threads from 2 FLOW_PAR_BLOCKS tiles of 256 x 256 on (each about a millisecond) */
#pragma omp parallel for schedule(dynamic, 1) if (nbq > 1 && ntiles >= 2 * FLOW_PAR_BLOCKS)
	for (int64_t bi = 0; bi < nbq; bi++) {
		double *t = tile + (size_t)flow_thread_num() * FLOW_BLOCK * (size_t)sw;
		int64_t i0 = bi * FLOW_BLOCK, i1 = i0 + FLOW_BLOCK < n ? i0 + FLOW_BLOCK : n, ni = i1 - i0;
		for (int64_t i = i0; i < i1; i++)
			kv[i] = 0;
		if (kvz)
			memset(kvz + i0 * d, 0, sizeof(double) * (size_t)(ni * d));
		for (int64_t bj = 0; bj < nbz; bj++) {
			int64_t j0 = bj * sw, j1 = j0 + sw < m ? j0 + sw : m, nj = j1 - j0;
			/* t = -2 Q Z^T, then k_ij = exp(-(|q_i|^2 + |z_j|^2 + t_ij) g) with the distance clamped at 0 */
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)ni, (int)nj, (int)d, -2.0, q + i0 * d,
			            (int)d, z + j0 * d, (int)d, 0.0, t, (int)nj);
			for (int64_t i = i0; i < i1; i++)
				kv[i] += flow_tile_row(t + (i - i0) * nj, zz + j0, v + j0, nj, qq[i], g);
			if (kvz) /* kvz += K_tile (v z)_block */
				cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)ni, (int)d, (int)nj, 1.0, t,
				            (int)nj, vz + j0 * d, (int)d, 1.0, kvz + i0 * d, (int)d);
		}
	}
	flow_blas_restore(nblas);
done:
	free(qq);
	free(zz);
	free(tile);
	free(vz);
	return ret;
}

void scuot_flow_gauss_grad(const double *q, int64_t n, int64_t d, double sigma, const double *kv,
                           const double *kvz, double *grad)
{
	double s2 = sigma * sigma;
	for (int64_t i = 0; i < n; i++)
		for (int64_t k = 0; k < d; k++)
			grad[i * d + k] = (kvz[i * d + k] - q[i * d + k] * kv[i]) / s2;
}

int scuot_flow_mmd_split(const double *const *xs, const int64_t *np, const double *const *ws, int ns,
                         const double *x, int64_t n, const double *a, const double *y, int64_t m, const double *b,
                         int64_t d, double sigma, double s, double *d0, double *d1, scuot_err *e)
{
	double sa, sb, kxx, kyy, best_gap = INFINITY;
	int best = -1;
	if (ns < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "no populations to choose from"), -1;
	if (scuot_kern_weights_check(a, n, "source masses", &sa, e) ||
	    scuot_kern_weights_check(b, m, "target masses", &sb, e) ||
	    scuot_kern_gauss_sum(x, n, a, x, n, a, d, sigma, &kxx, e) ||
	    scuot_kern_gauss_sum(y, m, b, y, m, b, d, sigma, &kyy, e))
		return -1;
	kxx /= sa * sa, kyy /= sb * sb;
	for (int k = 0; k < ns; k++) {
		double sw, kss, ksx, ksy, v0, v1, split;
		if (scuot_kern_weights_check(ws[k], np[k], "snapshot masses", &sw, e)) {
			scuot_err_prefix(e, "snapshot %d: ", k);
			return -1;
		}
		if (scuot_kern_gauss_sum(xs[k], np[k], ws[k], xs[k], np[k], ws[k], d, sigma, &kss, e) ||
		    scuot_kern_gauss_sum(xs[k], np[k], ws[k], x, n, a, d, sigma, &ksx, e) ||
		    scuot_kern_gauss_sum(xs[k], np[k], ws[k], y, m, b, d, sigma, &ksy, e))
			return -1;
		kss /= sw * sw;
		v0 = kss + kxx - 2 * ksx / (sw * sa), v1 = kss + kyy - 2 * ksy / (sw * sb);
		v0 = sqrt(v0 > 0 ? v0 : 0), v1 = sqrt(v1 > 0 ? v1 : 0);
		if (d0)
			d0[k] = v0;
		if (d1)
			d1[k] = v1;
		split = v0 + v1 > 0 ? v0 / (v0 + v1) : 0.5;
		if (fabs(split - s) < best_gap)
			best_gap = fabs(split - s), best = k;
	}
	return best;
}

static int cmp_dbl(const void *p, const void *q)
{
	double u = *(const double *)p, v = *(const double *)q;
	return (u > v) - (u < v);
}

double scuot_flow_median_sigma(const double *x, int64_t n, const double *y, int64_t m, int64_t d)
{
	int64_t sn = n < 256 ? n : 256, sm = m < 256 ? m : 256, k = 0;
	double *dist = malloc(sizeof(double) * (size_t)(sn * sm)), med;
	if (!dist || sn < 1 || sm < 1) {
		free(dist);
		return 1;
	}
	for (int64_t i = 0; i < sn; i++) {
		const double *xi = x + (i * n / sn) * d;
		for (int64_t j = 0; j < sm; j++) {
			const double *yj = y + (j * m / sm) * d;
			double t = 0;
			for (int64_t q = 0; q < d; q++)
				t += (xi[q] - yj[q]) * (xi[q] - yj[q]);
			dist[k++] = sqrt(t);
		}
	}
	qsort(dist, (size_t)k, sizeof(double), cmp_dbl);
	med = dist[k / 2];
	free(dist);
	return med > 0 && isfinite(med) ? med : 1;
}
