/* pca.c -- principal component analysis of a cells x genes matrix: exact (LAPACK) for small
 * problems, randomised SVD on sparse input with implicit centring for large ones.
 *
 * Randomised path: Halko, Martinsson & Tropp, "Finding structure with randomness", SIAM Review 53
 * (2011): Algorithm 4.4 (randomised subspace iteration, every product re-orthonormalised by QR)
 * followed by Algorithm 5.1 (direct SVD of the small factor), as sklearn's randomized_svd does (it
 * normalises with LU; QR is the paper's choice).  A = X - 1 mu^T is never formed: A Q = X Q - 1 (mu^T Q)
 * and A^T P = X^T P - mu (1^T P), with X sparse (CSR) or dense.  The sparse products sum in a fixed order
 * (X Q per row with register-blocked accumulators, X^T P over ranges of genes whose slice of the result
 * stays in cache), so results do not depend on the thread count.  Dense input
 * with few genes iterates on the Gram matrix instead (fit_gram_randomized).
 *
 * Symbols: n fit cells, p genes, k components, l = k + oversample sketch columns.  Matrices are
 * row-major: Q is p x l, Y is n x l, loadings V are p x k.
 * Signs: each component is flipped so that its loading of largest magnitude (the first one on ties)
 * is positive -- sklearn's svd_flip(u_based_decision=False). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/threads.h"
#include "prep/prep.h"
#include "prep/prep_internal.h"

/* Largest problem solved by dgesdd on the dense centred matrix (entries). */
#define PCA_GESDD_MAX ((int64_t)1 << 21)
/* Largest p x p covariance or n x n Gram matrix of the exact path (bytes). */
#define PCA_GRAM_MAX ((size_t)1 << 30)
/* Dense randomised PCA goes through the p x p Gram matrix when it is at most this big (bytes). */
#define PCA_GRAM_DENSE_MAX ((size_t)256 << 20)
/* Cache blocking of the transposed sparse product: bytes of the slice of Z kept in L2. */
#define PCA_L2_BYTES ((int64_t)1 << 20)
/* Genes per block of the Gaussian test matrix: block b uses RNG stream b. */
#define PCA_RNG_BLOCK 256

void openblas_set_num_threads(int) __attribute__((weak));

/* The small dense steps of the sparse path (QR of the sketches, the SVD of the last one) run on one
 * BLAS thread: their cost is small next to the sparse products, and a threaded BLAS may order its
 * sums by thread count.  The sparse products are OpenMP loops with fixed blocks, so a CSR fit gives
 * the same bits for any --threads.  Dense input and the exact solver use threaded BLAS (dgemm,
 * dsyrk), whose results may differ in the last bits between thread counts. */
static void blas_threads(int n)
{
	if (openblas_set_num_threads)
		openblas_set_num_threads(n);
}

void scuot_pca_opts_init(scuot_pca_opts *o)
{
	memset(o, 0, sizeof *o);
	o->k = 30;
	o->solver = SCUOT_PCA_AUTO;
	o->oversample = 10;
	o->n_iter = -1;
	o->center = 1;
	o->seed = 0;
}

int scuot_pca_opts_check(const scuot_pca_opts *o, scuot_err *e)
{
	if (o->k < 1)
		return scuot_err_set(e, SCUOT_EUSAGE, "-k: %d components; need at least 1", o->k);
	if (o->solver < SCUOT_PCA_AUTO || o->solver > SCUOT_PCA_RANDOMIZED)
		return scuot_err_set(e, SCUOT_EUSAGE, "--svd-solver: unknown solver %d", o->solver);
	if (o->oversample < 0)
		return scuot_err_set(e, SCUOT_EUSAGE, "--oversample: %d is negative", o->oversample);
	if (o->n_iter < -1)
		return scuot_err_set(e, SCUOT_EUSAGE, "--power-iter: %d is negative", o->n_iter);
	return 0;
}

void scuot_pca_model_free(scuot_pca_model *m)
{
	if (!m)
		return;
	free(m->mean);
	scuot_mat_free(m->loadings);
	free(m->singular_values);
	free(m->variance);
	free(m->variance_ratio);
	free(m);
}

/* ---- the implicit operator A = X[rows] - 1 mu^T ---- */

typedef struct pca_op {
	const scuot_csr *X;  /* sparse input, or */
	const int64_t *rows; /* its fit rows (NULL: all) */
	const scuot_mat *D;  /* dense input (all rows) */
	int64_t n, p;
	const double *mu;    /* p, or NULL: no centring */
} pca_op;

/* Inner kernels of the sparse products, compiled for AVX-512, AVX2 and baseline x86-64 and chosen at
 * load time (GCC function multi-versioning); the arithmetic is the same in every version. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define PCA_KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define PCA_KERNEL
#endif

/* y[0..l) = sum over entries k in [k0, k1) of val[k] * Q[idx[k]] (row idx[k] of the p x l Q).  The
 * accumulators of 16 columns at a time stay in registers (GCC/clang vector extensions, 4 doubles
 * each); every y[j] sums its terms in entry order, as the plain loop would. */
typedef double pca_v4 __attribute__((vector_size(32)));
#define V4_LOAD(x, ptr) __builtin_memcpy(&(x), (ptr), sizeof(pca_v4))
#define V4_STORE(ptr, x) __builtin_memcpy((ptr), &(x), sizeof(pca_v4))

PCA_KERNEL static void gather_row(const int32_t *restrict idx, const float *restrict val, int64_t k0, int64_t k1,
                                  const double *restrict Q, int l, double *restrict y)
{
	int j = 0;
	for (; j + 16 <= l; j += 16) {
		pca_v4 a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 }, q0, q1, q2, q3;
		for (int64_t k = k0; k < k1; k++) {
			const double *q = Q + (int64_t)idx[k] * l + j, v = val[k];
			V4_LOAD(q0, q), V4_LOAD(q1, q + 4), V4_LOAD(q2, q + 8), V4_LOAD(q3, q + 12);
			a0 += q0 * v, a1 += q1 * v, a2 += q2 * v, a3 += q3 * v;
		}
		V4_STORE(y + j, a0), V4_STORE(y + j + 4, a1), V4_STORE(y + j + 8, a2), V4_STORE(y + j + 12, a3);
	}
	for (; j + 4 <= l; j += 4) {
		pca_v4 a0 = { 0 }, q0;
		for (int64_t k = k0; k < k1; k++) {
			V4_LOAD(q0, Q + (int64_t)idx[k] * l + j);
			a0 += q0 * (double)val[k];
		}
		V4_STORE(y + j, a0);
	}
	for (; j < l; j++) {
		double a = 0;
		for (int64_t k = k0; k < k1; k++)
			a += Q[(int64_t)idx[k] * l + j] * (double)val[k];
		y[j] = a;
	}
}

/* Z[idx[k]] += val[k] * pr for the entries k = k0.. whose column is below g1 (pr: one row of P, 16
 * columns at a time held in registers).  Each Z entry receives its terms in entry order. */
PCA_KERNEL static void scatter_range(const int32_t *restrict idx, const float *restrict val, int64_t k0,
                                     int64_t end, int64_t g1, const double *restrict pr, int l,
                                     double *restrict Z)
{
	int64_t k1 = k0;
	int j = 0;
	while (k1 < end && idx[k1] < g1)
		k1++;
	for (; j + 16 <= l; j += 16) {
		pca_v4 p0, p1, p2, p3, z0, z1, z2, z3;
		V4_LOAD(p0, pr + j), V4_LOAD(p1, pr + j + 4), V4_LOAD(p2, pr + j + 8), V4_LOAD(p3, pr + j + 12);
		for (int64_t k = k0; k < k1; k++) {
			double *z = Z + (int64_t)idx[k] * l + j, v = val[k];
			V4_LOAD(z0, z), V4_LOAD(z1, z + 4), V4_LOAD(z2, z + 8), V4_LOAD(z3, z + 12);
			z0 += p0 * v, z1 += p1 * v, z2 += p2 * v, z3 += p3 * v;
			V4_STORE(z, z0), V4_STORE(z + 4, z1), V4_STORE(z + 8, z2), V4_STORE(z + 12, z3);
		}
	}
	for (; j + 4 <= l; j += 4) {
		pca_v4 p0, z0;
		V4_LOAD(p0, pr + j);
		for (int64_t k = k0; k < k1; k++) {
			double *z = Z + (int64_t)idx[k] * l + j;
			V4_LOAD(z0, z);
			z0 += p0 * (double)val[k];
			V4_STORE(z, z0);
		}
	}
	for (; j < l; j++)
		for (int64_t k = k0; k < k1; k++)
			Z[(int64_t)idx[k] * l + j] += pr[j] * (double)val[k];
}

/* Genes per range of the cache-blocked transposed product: a gb x l block of doubles fills about
 * PCA_L2_BYTES. */
static int64_t gene_block(int l)
{
	int64_t gb = PCA_L2_BYTES / ((int64_t)l * (int64_t)sizeof(double));
	return gb < 16 ? 16 : gb;
}

/* Y (n x l) = A Q, Q p x l. */
static void op_mul(const pca_op *op, const double *Q, int l, double *Y)
{
	int64_t n = op->n, p = op->p;
	if (op->D) {
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, l, (int)p, 1.0, op->D->data,
		            (int)p, Q, l, 0.0, Y, l);
	} else {
		const scuot_csr *X = op->X;
#pragma omp parallel for schedule(dynamic, 64)
		for (int64_t r = 0; r < n; r++) {
			int64_t i = op->rows ? op->rows[r] : r;
			gather_row(X->indices, X->data, X->indptr[i], X->indptr[i + 1], Q, l, Y + r * l);
		}
	}
	if (op->mu) {
		double c[l];
		for (int j = 0; j < l; j++)
			c[j] = 0;
		for (int64_t g = 0; g < p; g++)
			for (int j = 0; j < l; j++)
				c[j] += op->mu[g] * Q[g * l + j];
		if (op->D) { /* no OpenMP team on the dense path, to leave the cores to the BLAS threads */
			for (int64_t r = 0; r < n; r++)
				for (int j = 0; j < l; j++)
					Y[r * l + j] -= c[j];
			return;
		}
#pragma omp parallel for schedule(static)
		for (int64_t r = 0; r < n; r++)
			for (int j = 0; j < l; j++)
				Y[r * l + j] -= c[j];
	}
}

/* Z (p x l) = A^T P, P n x l. */
static void op_tmul(const pca_op *op, const double *P, int l, double *Z)
{
	int64_t n = op->n, p = op->p;
	if (op->D) {
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, l, (int)n, 1.0, op->D->data,
		            (int)p, P, l, 0.0, Z, l);
	} else {
		/* tasks over ranges of gb genes: the range's gb x l slice of Z stays in the L2 cache while every
		 * fit row adds its entries of that range (found by binary search).  Each Z entry sums over rows
		 * in row order, so the result does not depend on the number of threads. */
		const scuot_csr *X = op->X;
		int64_t gb = gene_block(l), ngb = (p + gb - 1) / gb;
#pragma omp parallel for schedule(dynamic, 1)
		for (int64_t t = 0; t < ngb; t++) {
			int64_t g0 = t * gb, g1 = g0 + gb < p ? g0 + gb : p;
			double *zb = Z + g0 * l;
			memset(zb, 0, (size_t)(g1 - g0) * l * sizeof *zb);
			for (int64_t r = 0; r < n; r++) {
				int64_t i = op->rows ? op->rows[r] : r, lo = X->indptr[i], hi = X->indptr[i + 1];
				const double *pr = P + r * l;
				while (lo < hi) {
					int64_t mid = lo + (hi - lo) / 2;
					if (X->indices[mid] < g0)
						lo = mid + 1;
					else
						hi = mid;
				}
				scatter_range(X->indices, X->data, lo, X->indptr[i + 1], g1, pr, l, Z);
			}
		}
	}
	if (op->mu) {
		double c[l];
		for (int j = 0; j < l; j++)
			c[j] = 0;
		for (int64_t r = 0; r < n; r++)
			for (int j = 0; j < l; j++)
				c[j] += P[r * l + j];
		if (op->D) {
			cblas_dger(CblasRowMajor, (int)p, l, -1.0, op->mu, 1, c, 1, Z, l);
			return;
		}
#pragma omp parallel for schedule(static)
		for (int64_t g = 0; g < p; g++)
			for (int j = 0; j < l; j++)
				Z[g * l + j] -= op->mu[g] * c[j];
	}
}

/* Dense copy of rows [r0, r1) of A (centred), (r1 - r0) x p row-major into B. */
static void op_dense_rows(const pca_op *op, int64_t r0, int64_t r1, double *B)
{
	int64_t p = op->p;
	for (int64_t r = r0; r < r1; r++) {
		double *b = B + (r - r0) * p;
		if (op->D) {
			memcpy(b, op->D->data + r * p, (size_t)p * sizeof *b);
		} else {
			int64_t i = op->rows ? op->rows[r] : r;
			memset(b, 0, (size_t)p * sizeof *b);
			for (int64_t k = op->X->indptr[i]; k < op->X->indptr[i + 1]; k++)
				b[op->X->indices[k]] = op->X->data[k];
		}
		if (op->mu)
			for (int64_t g = 0; g < p; g++)
				b[g] -= op->mu[g];
	}
}

/* Orthonormalise the columns of the m x l row-major M in place: Cholesky QR applied twice (CholQR2:
 * G = M^T M = R^T R, M <- M R^-1; Yamamoto et al. 2015), all level-3 BLAS, falling back to Householder
 * QR (dgeqrf, dorgqr) when M is too ill-conditioned for the Cholesky factorisation. */
static int orthonormalise(double *M, int64_t m, int l, scuot_err *e)
{
	double G[l * l], tau[l];
	lapack_int info = 0;
	for (int rep = 0; rep < 2; rep++) {
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, l, (int)m, 1.0, M, l, 0.0, G, l);
		if ((info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', l, G, l)) != 0)
			break;
		cblas_dtrsm(CblasRowMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, (int)m, l, 1.0,
		            G, l, M, l);
	}
	if (info == 0)
		return 0;
	info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)m, l, M, l, tau);
	if (!info)
		info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (lapack_int)m, l, l, M, l, tau);
	if (info)
		return scuot_err_set(e, info < 0 ? SCUOT_EINTERNAL : SCUOT_ENUMERIC,
		                     "PCA: QR factorisation failed (LAPACK info %d)", (int)info);
	return 0;
}

/* Make the largest-magnitude entry of each column of V (p x k) positive. */
static void flip_signs(scuot_mat *V)
{
	int64_t p = V->nrow, k = V->ncol;
	for (int64_t j = 0; j < k; j++) {
		int64_t best = 0;
		for (int64_t g = 1; g < p; g++)
			if (fabs(V->data[g * k + j]) > fabs(V->data[best * k + j]))
				best = g;
		if (V->data[best * k + j] < 0)
			for (int64_t g = 0; g < p; g++)
				V->data[g * k + j] = -V->data[g * k + j];
	}
}

/* Randomised SVD: loadings (p x k) and singular values of A. */
static int fit_randomized(pca_op *op, const scuot_pca_opts *o, int n_iter, scuot_mat *V, double *sv,
                          scuot_err *e)
{
	int64_t n = op->n, p = op->p, mn = n < p ? n : p;
	int k = o->k, l = (int)(o->k + o->oversample < mn ? o->k + o->oversample : mn);
	double *Q = NULL, *Y = NULL, *W = NULL, *s = NULL, *vt = NULL;
	int ret = 0;
	int64_t nblk = (p + PCA_RNG_BLOCK - 1) / PCA_RNG_BLOCK;
	if (!(Q = scuot_alloc((size_t)p * l, sizeof *Q, 0, "PCA sketch", e)) ||
	    !(Y = scuot_alloc((size_t)n * l, sizeof *Y, 0, "PCA sketch", e)) ||
	    !(s = scuot_alloc((size_t)l, sizeof *s, 0, "PCA", e)) ||
	    !(vt = scuot_alloc((size_t)l * l, sizeof *vt, 0, "PCA", e)) ||
	    !(W = scuot_alloc((size_t)p * l, sizeof *W, 0, "PCA", e))) {
		ret = e->code;
		goto done;
	}
	/* Gaussian test matrix: block b of PCA_RNG_BLOCK genes from stream (seed, b) */
	int fail = 0;
#pragma omp parallel for schedule(dynamic, 1) reduction(| : fail)
	for (int64_t b = 0; b < nblk; b++) {
		int64_t g0 = b * PCA_RNG_BLOCK, g1 = g0 + PCA_RNG_BLOCK < p ? g0 + PCA_RNG_BLOCK : p;
		if (prep_gaussian(o->seed, (uint64_t)b, Q + g0 * l, (g1 - g0) * l))
			fail = 1;
	}
	if (fail) {
		ret = scuot_err_set(e, SCUOT_ENOMEM, "PCA: cannot allocate random-number streams");
		goto done;
	}
	/* Algorithm 4.4: Y = orth(A Q); Q = orth(A^T Y), n_iter times; then Y = orth(A Q) */
	for (int it = 0; it < n_iter; it++) {
		op_mul(op, Q, l, Y);
		if ((ret = orthonormalise(Y, n, l, e)))
			goto done;
		op_tmul(op, Y, l, Q);
		if ((ret = orthonormalise(Q, p, l, e)))
			goto done;
	}
	op_mul(op, Q, l, Y);
	if ((ret = orthonormalise(Y, n, l, e)))
		goto done;
	/* Algorithm 5.1: B^T = A^T Y (p x l) = W S Z^T, so A ~ Y Z S W^T and the loadings are W */
	op_tmul(op, Y, l, Q);
	lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)p, l, Q, l, s, W, l, vt, l);
	if (info) {
		ret = scuot_err_set(e, SCUOT_ENUMERIC,
		                    "PCA: SVD of the %lld x %d sketch failed (LAPACK info %d)", (long long)p,
		                    l, (int)info);
		goto done;
	}
	for (int64_t g = 0; g < p; g++)
		for (int j = 0; j < k; j++)
			V->data[g * k + j] = W[g * l + j];
	for (int j = 0; j < k; j++)
		sv[j] = s[j];
done:
	free(Q);
	free(Y);
	free(W);
	free(s);
	free(vt);
	return ret;
}

/* Top k eigenpairs of the symmetric m x m G (upper triangle), largest first: values in w, vectors
 * as the columns of the m x k Z. */
static int top_eigen(double *G, int64_t m, int k, double *w, double *Z, scuot_err *e)
{
	lapack_int found = 0, *supp = NULL;
	double *wa = NULL, *za = NULL;
	int ret = 0;
	if (!(supp = scuot_alloc((size_t)2 * k, sizeof *supp, 0, "PCA", e)) ||
	    !(wa = scuot_alloc((size_t)m, sizeof *wa, 0, "PCA", e)) ||
	    !(za = scuot_alloc((size_t)m * k, sizeof *za, 0, "PCA", e))) {
		ret = e->code;
		goto done;
	}
	lapack_int info =
	        LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'I', 'U', (lapack_int)m, G, (lapack_int)m, 0, 0,
	                       (lapack_int)(m - k + 1), (lapack_int)m, 0.0, &found, wa, za, k, supp);
	if (info || found != k) {
		ret = scuot_err_set(e, SCUOT_ENUMERIC,
		                    "PCA: eigendecomposition of a %lld x %lld matrix failed (LAPACK "
		                    "info %d)",
		                    (long long)m, (long long)m, (int)info);
		goto done;
	}
	for (int j = 0; j < k; j++) {
		w[j] = wa[k - 1 - j];
		for (int64_t g = 0; g < m; g++)
			Z[g * k + j] = za[g * k + (k - 1 - j)];
	}
done:
	free(supp);
	free(wa);
	free(za);
	return ret;
}

/* G (p x p, upper triangle) += A^T A, accumulated over tall blocks of centred rows (dsyrk). */
static int covariance(const pca_op *op, double *G, scuot_err *e)
{
	/* tall blocks (about 64 MB): each dsyrk call rereads and rewrites all of G, so few calls */
	int64_t n = op->n, p = op->p, bs = ((int64_t)8 << 20) / (p > 0 ? p : 1);
	if (op->D && n <= INT32_MAX) {
		/* dense input: one dsyrk straight on the matrix, then the centring as a rank-one update,
		 * A^T A = X^T X - n mu mu^T, without copying centred blocks (the copies cost as much as a
		 * third of the product on a 20,000 x 2,000 matrix) */
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)n, 1.0, op->D->data, (int)p, 1.0, G,
		            (int)p);
		if (op->mu)
			cblas_dsyr(CblasRowMajor, CblasUpper, (int)p, -(double)n, op->mu, 1, G, (int)p);
		return 0;
	}
	if (bs < 512)
		bs = 512;
	double *B = scuot_alloc((size_t)bs * p, sizeof *B, 0, "PCA block", e);
	if (!B)
		return e ? e->code : SCUOT_ENOMEM;
	for (int64_t r0 = 0; r0 < n; r0 += bs) {
		int64_t r1 = r0 + bs < n ? r0 + bs : n;
		op_dense_rows(op, r0, r1, B);
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)(r1 - r0), 1.0, B, (int)p, 1.0, G,
		            (int)p);
	}
	free(B);
	return 0;
}

/* Randomised subspace iteration through the Gram matrix, for dense input with few genes: G = A^T A
 * (p x p) is formed once with dsyrk (n p^2 flops at level-3 speed) and the n_iter + 1 products
 * Q <- orth(G Q) replace the 2 (n_iter + 1) skinny products with A and A^T of Algorithm 4.4 (each
 * G Q is one A^T (A Q)); the Rayleigh-Ritz step eig(Q^T G Q) then gives the loadings Q W and the
 * singular values sqrt(eigenvalues) (Halko et al. 2011, section 5.5 on the eigenproblem of a
 * Hermitian matrix). */
static int fit_gram_randomized(pca_op *op, const scuot_pca_opts *o, int n_iter, scuot_mat *V, double *sv,
                               scuot_err *e)
{
	int64_t p = op->p, mn = op->n < p ? op->n : p;
	int k = o->k, l = (int)(o->k + o->oversample < mn ? o->k + o->oversample : mn), ret = 0;
	double *G = NULL, *Q = NULL, *T = NULL, *H = NULL, *w = NULL;
	int64_t nblk = (p + PCA_RNG_BLOCK - 1) / PCA_RNG_BLOCK;
	if (!(G = scuot_alloc((size_t)p * p, sizeof *G, 1, "PCA Gram matrix", e)) ||
	    !(Q = scuot_alloc((size_t)p * l, sizeof *Q, 0, "PCA sketch", e)) ||
	    !(T = scuot_alloc((size_t)p * l, sizeof *T, 0, "PCA sketch", e)) ||
	    !(H = scuot_alloc((size_t)l * l, sizeof *H, 0, "PCA", e)) || !(w = scuot_alloc((size_t)l, sizeof *w, 0, "PCA", e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t b = 0; b < nblk; b++) {
		int64_t g0 = b * PCA_RNG_BLOCK, g1 = g0 + PCA_RNG_BLOCK < p ? g0 + PCA_RNG_BLOCK : p;
		if (prep_gaussian(o->seed, (uint64_t)b, Q + g0 * l, (g1 - g0) * l)) {
			ret = scuot_err_set(e, SCUOT_ENOMEM, "PCA: cannot allocate random-number streams");
			goto done;
		}
	}
	if ((ret = covariance(op, G, e)))
		goto done;
	for (int it = 0; it <= n_iter; it++) {
		cblas_dsymm(CblasRowMajor, CblasLeft, CblasUpper, (int)p, l, 1.0, G, (int)p, Q, l, 0.0, T, l);
		if ((ret = orthonormalise(T, p, l, e)))
			goto done;
		double *t = Q;
		Q = T, T = t;
	}
	/* Rayleigh-Ritz: H = Q^T G Q = W diag(w) W^T, loadings Q W */
	cblas_dsymm(CblasRowMajor, CblasLeft, CblasUpper, (int)p, l, 1.0, G, (int)p, Q, l, 0.0, T, l);
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l, l, (int)p, 1.0, Q, l, T, l, 0.0, H, l);
	lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', l, H, l, w);
	if (info) {
		ret = scuot_err_set(e, SCUOT_ENUMERIC, "PCA: eigendecomposition of the %d x %d Ritz matrix failed "
		                                       "(LAPACK info %d)", l, l, (int)info);
		goto done;
	}
	/* eigenvalues ascending: component j is column l - 1 - j */
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)p, l, l, 1.0, Q, l, H, l, 0.0, T, l);
	for (int j = 0; j < k; j++) {
		sv[j] = sqrt(w[l - 1 - j] > 0 ? w[l - 1 - j] : 0);
		for (int64_t g = 0; g < p; g++)
			V->data[g * k + j] = T[g * l + (l - 1 - j)];
	}
done:
	free(G);
	free(Q);
	free(T);
	free(H);
	free(w);
	return ret;
}

/* Exact: dgesdd on the dense centred matrix when small, else eigenvectors of A^T A (p <= n) or of
 * A A^T (n < p, loadings A^T U / s). */
static int fit_exact(pca_op *op, const scuot_pca_opts *o, scuot_mat *V, double *sv, scuot_err *e)
{
	int64_t n = op->n, p = op->p, mn = n < p ? n : p;
	int k = o->k, ret = 0;
	double *A = NULL, *s = NULL, *U = NULL, *vt = NULL, *G = NULL, *w = NULL, *Z = NULL, *B = NULL;
	if (n * p <= PCA_GESDD_MAX) {
		if (!(A = scuot_alloc((size_t)n * p, sizeof *A, 0, "PCA matrix", e)) ||
		    !(s = scuot_alloc((size_t)mn, sizeof *s, 0, "PCA", e)) ||
		    !(U = scuot_alloc((size_t)n * mn, sizeof *U, 0, "PCA", e)) ||
		    !(vt = scuot_alloc((size_t)mn * p, sizeof *vt, 0, "PCA", e))) {
			ret = e->code;
			goto done;
		}
		op_dense_rows(op, 0, n, A);
		lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)n, (lapack_int)p, A,
		                                 (lapack_int)p, s, U, (lapack_int)mn, vt, (lapack_int)p);
		if (info) {
			ret = scuot_err_set(e, SCUOT_ENUMERIC,
			                    "PCA: SVD of the %lld x %lld matrix failed (LAPACK info %d)",
			                    (long long)n, (long long)p, (int)info);
			goto done;
		}
		for (int j = 0; j < k; j++) {
			sv[j] = s[j];
			for (int64_t g = 0; g < p; g++)
				V->data[g * k + j] = vt[j * p + g];
		}
		goto done;
	}
	if ((size_t)mn * mn * sizeof(double) > PCA_GRAM_MAX) {
		ret = scuot_err_set(e, SCUOT_ELIMIT,
		                    "PCA: the exact solver needs a %lld x %lld matrix (%.1f GB) for %lld "
		                    "cells x %lld genes; use --svd-solver randomized",
		                    (long long)mn, (long long)mn, (double)mn * mn * 8 / 1e9, (long long)n,
		                    (long long)p);
		goto done;
	}
	if (!(G = scuot_alloc((size_t)mn * mn, sizeof *G, 1, "PCA Gram matrix", e)) ||
	    !(w = scuot_alloc((size_t)k, sizeof *w, 0, "PCA", e)) ||
	    !(Z = scuot_alloc((size_t)mn * k, sizeof *Z, 0, "PCA", e))) {
		ret = e->code;
		goto done;
	}
	if (p <= n) {
		if ((ret = covariance(op, G, e)) || (ret = top_eigen(G, p, k, w, Z, e)))
			goto done;
		for (int j = 0; j < k; j++)
			sv[j] = sqrt(w[j] > 0 ? w[j] : 0);
		memcpy(V->data, Z, (size_t)p * k * sizeof *Z);
	} else {
		/* G = A A^T over dense blocks of 512 centred columns */
		int64_t bs = 512, *cur = NULL;
		if (!(B = scuot_alloc((size_t)n * bs, sizeof *B, 0, "PCA block", e)) ||
		    !(cur = scuot_alloc((size_t)n, sizeof *cur, 0, "PCA block", e))) {
			ret = e->code;
			goto done;
		}
		for (int64_t r = 0; r < n && op->X; r++)
			cur[r] = op->X->indptr[op->rows ? op->rows[r] : r];
		for (int64_t c0 = 0; c0 < p; c0 += bs) {
			int64_t c1 = c0 + bs < p ? c0 + bs : p, w0 = c1 - c0;
			for (int64_t r = 0; r < n; r++) {
				double *b = B + r * w0;
				if (op->D) {
					memcpy(b, op->D->data + r * p + c0, (size_t)w0 * sizeof *b);
				} else {
					int64_t i = op->rows ? op->rows[r] : r, end = op->X->indptr[i + 1];
					memset(b, 0, (size_t)w0 * sizeof *b);
					for (; cur[r] < end && op->X->indices[cur[r]] < c1; cur[r]++)
						b[op->X->indices[cur[r]] - c0] = op->X->data[cur[r]];
				}
				if (op->mu)
					for (int64_t g = 0; g < w0; g++)
						b[g] -= op->mu[c0 + g];
			}
			cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)w0, 1.0, B, (int)w0,
			            1.0, G, (int)n);
		}
		free(cur);
		if ((ret = top_eigen(G, n, k, w, Z, e)))
			goto done;
		op_tmul(op, Z, k, V->data);
		for (int j = 0; j < k; j++) {
			sv[j] = sqrt(w[j] > 0 ? w[j] : 0);
			for (int64_t g = 0; g < p; g++)
				V->data[g * k + j] = sv[j] > 0 ? V->data[g * k + j] / sv[j] : 0;
		}
	}
done:
	free(A);
	free(s);
	free(U);
	free(vt);
	free(G);
	free(w);
	free(Z);
	free(B);
	return ret;
}

/* Fit on op: mean, solver choice, loadings, signs, variances. */
static int fit(pca_op *op, const scuot_pca_opts *o, scuot_pca_model **out, scuot_err *e)
{
	int64_t n = op->n, p = op->p, mn = n < p ? n : p;
	scuot_pca_model *m = NULL;
	double *s1 = NULL, *s2 = NULL, *T = NULL;
	int ret, k = o->k;
	*out = NULL;
	if ((ret = scuot_pca_opts_check(o, e)))
		return ret;
	if (n < 2)
		return scuot_err_set(e, SCUOT_EINPUT, "PCA needs at least 2 cells to fit, got %lld",
		                     (long long)n);
	if (k > mn)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "PCA: %d components asked for, but %lld cells x %lld genes allow at "
		                     "most min(cells, genes) = %lld; lower -k",
		                     k, (long long)n, (long long)p, (long long)mn);
	if (!(m = calloc(1, sizeof *m)) ||
	    !(m->mean = scuot_alloc((size_t)p, sizeof *m->mean, 1, "PCA mean", e)) ||
	    !(m->loadings = scuot_mat_new(p, k, e)) ||
	    !(m->singular_values = scuot_alloc((size_t)k, sizeof(double), 0, "PCA", e)) ||
	    !(m->variance = scuot_alloc((size_t)k, sizeof(double), 0, "PCA", e)) ||
	    !(m->variance_ratio = scuot_alloc((size_t)k, sizeof(double), 0, "PCA", e)) ||
	    !(s1 = scuot_alloc((size_t)p, sizeof *s1, 1, "PCA", e)) ||
	    !(s2 = scuot_alloc((size_t)p, sizeof *s2, 1, "PCA", e))) {
		ret = m ? e->code : scuot_err_set(e, SCUOT_ENOMEM, "PCA: out of memory");
		goto done;
	}
	m->p = p, m->k = k, m->n_fit = n, m->center = o->center;
	/* gene means and variances over the fit cells */
	if (op->D) {
		for (int64_t i = 0; i < n; i++)
			for (int64_t g = 0; g < p; g++) {
				double v = op->D->data[i * p + g];
				s1[g] += v, s2[g] += v * v;
			}
	} else if ((ret = prep_col_stats(op->X, op->rows, n, 0, NULL, s1, s2, NULL, e))) {
		goto done;
	}
	m->total_variance = 0;
	int64_t nconst = 0;
	for (int64_t g = 0; g < p; g++) {
		double mu = s1[g] / n, ss = s2[g] - n * mu * mu;
		nconst += !(ss > 1e-12 * s2[g]);
		if (o->center)
			m->mean[g] = mu;
		m->total_variance += o->center ? (ss > 0 ? ss : 0) / (n - 1) : (ss > 0 ? ss : 0) / n;
	}
	if (nconst == p) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "PCA: all %lld genes are constant over the %lld fit cells; there is no "
		                    "variance to decompose",
		                    (long long)p, (long long)n);
		goto done;
	}
	if (nconst)
		scuot_log_info("PCA: %lld of %lld genes are constant over the fit cells", (long long)nconst,
		               (long long)p);
	op->mu = o->center ? m->mean : NULL;
	int solver = o->solver, n_iter = o->n_iter;
	if (solver == SCUOT_PCA_AUTO)
		solver = mn <= 1000 || k >= 0.8 * mn ? SCUOT_PCA_EXACT : SCUOT_PCA_RANDOMIZED;
	if (n_iter < 0)
		n_iter = k < 0.1 * mn ? 7 : 4;
	m->solver = solver;
	scuot_log_info("PCA: %d components of %lld cells x %lld genes, %s solver%s", k, (long long)n,
	               (long long)p, solver == SCUOT_PCA_EXACT ? "exact" : "randomised",
	               op->D ? " (dense)" : "");
	if (solver == SCUOT_PCA_EXACT)
		ret = fit_exact(op, o, m->loadings, m->singular_values, e);
	else if (op->X) {
		int nt = scuot_threads_get();
		blas_threads(1);
		ret = fit_randomized(op, o, n_iter, m->loadings, m->singular_values, e);
		blas_threads(nt);
	} else if ((size_t)p * p * sizeof(double) <= PCA_GRAM_DENSE_MAX &&
	           p <= 6 * (int64_t)(n_iter + 1) * (k + o->oversample) && p <= n) {
		ret = fit_gram_randomized(op, o, n_iter, m->loadings, m->singular_values, e);
	} else {
		ret = fit_randomized(op, o, n_iter, m->loadings, m->singular_values, e);
	}
	if (ret)
		goto done;
	flip_signs(m->loadings);
	if (o->center) {
		for (int j = 0; j < k; j++)
			m->variance[j] = m->singular_values[j] * m->singular_values[j] / (double)(n - 1);
	} else {
		/* truncated SVD (sklearn TruncatedSVD): variance (ddof 0) of the scores of the fit cells */
		if (!(T = scuot_alloc((size_t)n * k, sizeof *T, 0, "PCA scores", e))) {
			ret = e->code;
			goto done;
		}
		op_mul(op, m->loadings->data, k, T);
		for (int j = 0; j < k; j++) {
			double a = 0, b = 0;
			for (int64_t i = 0; i < n; i++)
				a += T[i * k + j], b += T[i * k + j] * T[i * k + j];
			a /= n;
			m->variance[j] = b / n - a * a;
		}
	}
	for (int j = 0; j < k; j++)
		m->variance_ratio[j] = m->total_variance > 0 ? m->variance[j] / m->total_variance : 0;
done:
	free(s1);
	free(s2);
	free(T);
	if (ret)
		scuot_pca_model_free(m);
	else
		*out = m;
	return ret;
}

int scuot_pca_fit_csr(const scuot_csr *X, const int64_t *rows, int64_t nrows, const scuot_pca_opts *o,
                      scuot_pca_model **out, scuot_err *e)
{
	pca_op op = {0};
	op.X = X, op.rows = rows, op.n = rows ? nrows : X->nrow, op.p = X->ncol;
	return fit(&op, o, out, e);
}

int scuot_pca_fit_dense(const scuot_mat *X, const scuot_pca_opts *o, scuot_pca_model **out, scuot_err *e)
{
	pca_op op = {0};
	op.D = X, op.n = X->nrow, op.p = X->ncol;
	return fit(&op, o, out, e);
}

static scuot_mat *project(const scuot_pca_model *m, const scuot_csr *X, const scuot_mat *D, scuot_err *e)
{
	int64_t p = X ? X->ncol : D->ncol, n = X ? X->nrow : D->nrow;
	pca_op op = {0};
	scuot_mat *T;
	if (p != m->p) {
		scuot_err_set(e, SCUOT_EINPUT, "PCA projection: the matrix has %lld genes, the model %lld",
		              (long long)p, (long long)m->p);
		return NULL;
	}
	if (!(T = scuot_mat_new(n, m->k, e)))
		return NULL;
	op.X = X, op.D = D, op.n = n, op.p = p, op.mu = m->center ? m->mean : NULL;
	op_mul(&op, m->loadings->data, m->k, T->data);
	return T;
}

scuot_mat *scuot_pca_project_csr(const scuot_pca_model *m, const scuot_csr *X, scuot_err *e)
{
	return project(m, X, NULL, e);
}

scuot_mat *scuot_pca_project_dense(const scuot_pca_model *m, const scuot_mat *X, scuot_err *e)
{
	return project(m, NULL, X, e);
}

double scuot_pca_subspace_angle(const scuot_mat *A, const scuot_mat *B, int k)
{
	int64_t p = A->nrow;
	double *M = calloc((size_t)k * k, sizeof *M), *s = calloc((size_t)k, sizeof *s),
	       *sup = calloc((size_t)k, sizeof *sup);
	double ang = -1;
	if (!M || !s || !sup || B->nrow != p || A->ncol < k || B->ncol < k)
		goto done;
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, k, (int)p, 1.0, A->data, (int)A->ncol,
	            B->data, (int)B->ncol, 0.0, M, k);
	if (LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', k, k, M, k, s, NULL, 1, NULL, 1, sup))
		goto done;
	double c = s[k - 1] > 1 ? 1 : s[k - 1];
	ang = acos(c);
done:
	free(M);
	free(s);
	free(sup);
	return ang;
}
