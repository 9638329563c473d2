/* sinkhorn.c -- the stabilised scaling algorithm for balanced, unbalanced (KL) and WFR entropic transport:
 * log-domain absorption, epsilon scaling and one fused pass over the kernel per iteration.
 *
 * Algorithm: Chizat, Peyre, Schmitzer, Vialard 2018, "Scaling algorithms for unbalanced optimal transport
 * problems" (Math. Comp. 87), Algorithm 2 (scaling iterations u <- prox(a, K v), v <- prox(b, K^T u)) with
 * the stabilisation and epsilon scaling of their Algorithm 3 and of Schmitzer 2019, "Stabilized sparse
 * scaling algorithms for entropy regularized transport problems" (SIAM J. Sci. Comput. 41), Sections 3.1-3.2.
 * Waddington-OT (Schiebinger et al. 2019, Cell 176; function transport_stablev2) runs the same scheme.
 *
 * Symbols: C the scaled cost (n x m), eps the current regularisation, f, g the absorbed potentials, u, v the
 * scalings, K~_ij = exp((f_i + g_j - C_ij) / eps) the stabilised kernel; the coupling is
 * pi_ij = u_i K~_ij v_j.  With the reference rho_ij = dx_i dy_j, dx = 1/n, dy = 1/m (see sinkhorn.h), the
 * proximal step of lambda KL(. | a) (Chizat et al. 2018, Section 5.1, the KL case) reads
 *     u_i = (a_i / (K~ v)_i)^(lambda1 / (lambda1 + eps)) * exp((eps log dx_i - f_i) / (lambda1 + eps))
 * and u_i = a_i / (K~ v)_i for a hard constraint (lambda1 = inf); the same for v with b, lambda2, dy, g.
 * When a scaling leaves [1/TAU, TAU] it is absorbed (f += eps log u, u = 1) and K~ is rebuilt; eps decreases
 * geometrically from eps0 to its target, absorbing before each change.
 *
 * Departures from the papers, for robustness and speed:
 * - at each rebuild a row (column) of K~ whose largest exponent leaves [-LIM, LIM] is renormalised to
 *   largest entry 1 by shifting f_i (g_j), so K~ neither underflows entirely nor overflows, even when
 *   exp(-C/eps) underflows everywhere (tiny eps); the scalings take up the shift.
 * - one pass over K~ per iteration, four rows at a time: rows i..i+3 give (K~ v)_i in one pass over v, then
 *   u_i, then u_i K~_i. is added to the column accumulator of their row block in one pass.  Row blocks (a
 *   multiple of four rows) are fixed by n alone (at most MAX_BLOCKS) and their accumulators are summed in
 *   block order, so results do not depend on the thread count.
 * - K~ is stored as double or float when the memory budget allows, else rebuilt from dgemm cost rows and
 *   exp in blocks of CHUNK rows every iteration (the same blocks and expressions, so both modes agree);
 *   exp is a vectorised polynomial within 2 ulp of libm's (scuot_vexp, core/vexp_internal.h).
 * - kernel entries below the smallest normal number of their type are stored as 0 (subnormals are slow and
 *   carry nothing: rows are kept at largest entry >= e^-LIM).
 * - the final pass of the last solve writes a dense coupling itself, into the kernel's memory. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "core/log.h"
#include "core/mat.h"
#include "core/progress.h"
#include "core/threads.h"
#include "core/vexp_internal.h"
#include "ot/cost.h"
#include "ot/ot_internal.h"
#include "ot/sinkhorn.h"

void openblas_set_num_threads(int) __attribute__((weak));

#define CHUNK 32          /* cost rows computed by one dgemm */
#define MAX_BLOCKS 64     /* row blocks, each with its own column accumulator */
#define MIN_BLOCK_ROWS 16
#define TAU 1e4           /* absorption threshold on the scalings */
#define LCLAMP 300.0      /* |log u|, |log v| are clamped here before the next absorption */
#define LIM_DOUBLE 300.0  /* kernel exponents kept in [-LIM, LIM] by renormalisation */
#define LIM_FLOAT 40.0
#define MID_TOL 1e-3      /* tolerance at the intermediate epsilons of the scaling */
#define MID_ITER 500      /* iteration cap at each intermediate epsilon */

enum { KERN_FLY = 0, KERN_DOUBLE, KERN_FLOAT };

typedef struct sk {
	scuot_progress *pg; /* progress over the epsilon steps and, in each, log(error) towards tol */
	int64_t n, m, br, nb;
	const scuot_cost *cost;
	double eps, lim;
	double la1, la2;           /* penalties, INFINITY: constraint */
	double ldx, ldy;           /* log dx = -log n, log dy = -log m */
	const double *a, *b;       /* current priors */
	double *lga, *lgb;         /* their logs */
	double *f, *g, *u, *v;
	double *rmax, *cmax;       /* largest kernel exponent of each row and column at the last rebuild */
	unsigned char *dead_r, *dead_c; /* rows, columns whose costs are all +inf (WFR beyond pi delta) */
	int mode;
	double *kd;
	float *kf;
	double *acc;               /* nb x m column accumulators */
	double *ktu;               /* K~^T u */
	double *part;              /* nb partial sums */
	double *buf;               /* nthr x CHUNK x m cost rows */
	int nthr;
} sk;

static void blas_single(int on)
{
	if (openblas_set_num_threads)
		openblas_set_num_threads(on ? 1 : scuot_threads_get());
}

static inline int thread_id(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

static inline int64_t blk_end(const sk *s, int64_t b)
{
	int64_t e = (b + 1) * s->br;
	return e < s->n ? e : s->n;
}

/* Ask for transparent huge pages on the 2 MB-aligned inside of a large buffer (a hint, where the system
 * has them only on request): fewer page faults when it is first written, fewer TLB misses when streamed. */
static void huge_pages(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	const uintptr_t h = (uintptr_t)1 << 21;
	uintptr_t a = ((uintptr_t)p + h - 1) & ~(h - 1), b = ((uintptr_t)p + bytes) & ~(h - 1);
	if (p && b > a)
		(void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
	(void)p, (void)bytes;
#endif
}

/* The proximal step of one scaling (see the top of the file), in the log domain and clamped. */
static inline double prox(double lmass, double kv, double lam, double eps, double lref, double pot)
{
	double l = lmass - log(kv);
	if (isfinite(lam))
		l = lam / (lam + eps) * l + (eps * lref - pot) / (lam + eps);
	if (!(l < LCLAMP)) /* also kv = 0 */
		l = LCLAMP;
	if (l < -LCLAMP)
		l = -LCLAMP;
	return exp(l);
}

/* The hot loops, built twice where GCC can (x86-64-v3, i.e. AVX2 and FMA, chosen at run time, and baseline
 * x86-64): the rounding then depends on the machine, never on the thread count. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define HOT_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define HOT_CLONES
#endif
/* The exp loops below vectorise only without trapping math (GCC will not if-convert the clamps otherwise);
 * nothing here reads floating-point exception flags. */
#if defined(__GNUC__) && !defined(__clang__)
#define EXP_LOOPS HOT_CLONES __attribute__((optimize("no-trapping-math")))
#else
#define EXP_LOOPS HOT_CLONES
#endif

typedef double v4d __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

/* unaligned loads of 4 lanes (macros: a function returning v4d would change the ABI between the clones) */
#define load_d(p) ({ v4d x_; memcpy(&x_, (p), sizeof x_); x_; })
#define load_f(p) ({ v4f x_; memcpy(&x_, (p), sizeof x_); __builtin_convertvector(x_, v4d); })
#define store_d(p, x) ({ v4d y_ = (x); memcpy((p), &y_, sizeof y_); })

/* Four rows of the fused pass.  First the four (K~ v)_r in one pass over v (v is read once per four rows,
 * not once per row), each summed in a fixed order: 8 lanes (columns j mod 8), then the lanes pairwise, then
 * the tail; then u_r from the proximal step (u_r = 0 where dead[r]); then one pass acc += sum_r u_r K~_r.,
 * so acc is read and written once per four rows (the rows, 4 x m entries, are still in L2).  All arithmetic
 * is in double: float kernel entries are widened on load, so the float kernel differs from the double one
 * only by the rounding of its entries.  A dead (or missing) row is read through a live one with u = 0.
 * Writes u[0..4). */
#define FUSED_ROW4(NAME, T, LOAD) \
	static HOT_CLONES void NAME(const T *const k[4], const unsigned char dead[4], const double *restrict v, \
	                            double *restrict acc, int64_t m, const double lmass[4], double lam, double eps, \
	                            double lref, const double pot[4], double u[4]) \
	{ \
		const T *restrict k0 = k[0], *restrict k1 = k[1], *restrict k2 = k[2], *restrict k3 = k[3]; \
		v4d a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 }, b0 = { 0 }, b1 = { 0 }, b2 = { 0 }, b3 = { 0 }; \
		double t[4] = { 0, 0, 0, 0 }; \
		int64_t j = 0; \
		for (; j + 8 <= m; j += 8) { \
			v4d x = load_d(v + j), y = load_d(v + j + 4); \
			a0 += LOAD(k0 + j) * x, b0 += LOAD(k0 + j + 4) * y; \
			a1 += LOAD(k1 + j) * x, b1 += LOAD(k1 + j + 4) * y; \
			a2 += LOAD(k2 + j) * x, b2 += LOAD(k2 + j + 4) * y; \
			a3 += LOAD(k3 + j) * x, b3 += LOAD(k3 + j + 4) * y; \
		} \
		v4d s[4] = { a0 + b0, a1 + b1, a2 + b2, a3 + b3 }; \
		for (int r = 0; r < 4; r++) \
			t[r] = (s[r][0] + s[r][2]) + (s[r][1] + s[r][3]); \
		for (; j < m; j++) { \
			double x = v[j]; \
			t[0] += (double)k0[j] * x, t[1] += (double)k1[j] * x; \
			t[2] += (double)k2[j] * x, t[3] += (double)k3[j] * x; \
		} \
		for (int r = 0; r < 4; r++) \
			u[r] = dead[r] ? 0 : prox(lmass[r], t[r], lam, eps, lref, pot[r]); \
		const v4d u0 = { u[0], u[0], u[0], u[0] }, u1 = { u[1], u[1], u[1], u[1] }; \
		const v4d u2 = { u[2], u[2], u[2], u[2] }, u3 = { u[3], u[3], u[3], u[3] }; \
		for (j = 0; j + 4 <= m; j += 4) \
			store_d(acc + j, load_d(acc + j) + ((u0 * LOAD(k0 + j) + u1 * LOAD(k1 + j)) + \
			                                    (u2 * LOAD(k2 + j) + u3 * LOAD(k3 + j)))); \
		for (; j < m; j++) \
			acc[j] += (u[0] * (double)k0[j] + u[1] * (double)k1[j]) + (u[2] * (double)k2[j] + u[3] * (double)k3[j]); \
	}

FUSED_ROW4(fused4_d, double, load_d)
FUSED_ROW4(fused4_f, float, load_f)

/* The largest exponent (fi + g_j - c_j) / eps of a row (a product with ieps = 1 / eps, as everywhere). */
static EXP_LOOPS double row_max(const double *restrict c, const double *restrict g, double fi, double ieps,
                                 int64_t m)
{
	double mx = -INFINITY;
#pragma omp simd reduction(max : mx)
	for (int64_t j = 0; j < m; j++) {
		double x = (fi + g[j] - c[j]) * ieps;
		mx = x > mx ? x : mx;
	}
	return mx;
}

/* One kernel row K~_ij = exp((fi + g_j - c_j) / eps), below the smallest normal number of its type stored as
 * 0 (subnormals are slow and carry nothing: rows are kept at largest entry >= e^-LIM), into kd (which may be
 * c itself) or kf; with cm, the exponents also raise the column maxima cm. */
static EXP_LOOPS void row_kernel(const double *c, const double *restrict g, double fi, double ieps, int64_t m,
                                  double *restrict cm, double *kd, float *restrict kf)
{
	if (cm) {
#pragma omp simd
		for (int64_t j = 0; j < m; j++) {
			double x = (fi + g[j] - c[j]) * ieps;
			cm[j] = x > cm[j] ? x : cm[j];
		}
	}
	if (kd) {
#pragma omp simd
		for (int64_t j = 0; j < m; j++) {
			double kx = scuot_vexp((fi + g[j] - c[j]) * ieps);
			kd[j] = kx < DBL_MIN ? 0 : kx;
		}
	} else if (kf) {
#pragma omp simd
		for (int64_t j = 0; j < m; j++) {
			double kx = scuot_vexp((fi + g[j] - c[j]) * ieps);
			kf[j] = kx < FLT_MIN ? 0 : (float)kx;
		}
	}
}

/* One row of the final pass: pi_ij = exp((Fi + G_j - c_j) / eps) (0 where c_j = +inf) added to the column
 * sums ac, written to out when given; returns the row sum, *tc gets sum_j pi_ij c_j. */
static EXP_LOOPS double row_final(const double *restrict c, const double *restrict G, double Fi, double ieps,
                                   int64_t m, double *restrict ac, double *restrict out, double *tc)
{
	double rs = 0, t = 0;
	if (out) {
#pragma omp simd reduction(+ : rs, t)
		for (int64_t j = 0; j < m; j++) {
			int fin = c[j] < INFINITY;
			double p = scuot_vexp((Fi + G[j] - c[j]) * ieps);
			p = fin ? p : 0;
			rs += p, ac[j] += p, t += fin ? p * c[j] : 0;
			out[j] = p;
		}
	} else {
#pragma omp simd reduction(+ : rs, t)
		for (int64_t j = 0; j < m; j++) {
			int fin = c[j] < INFINITY;
			double p = scuot_vexp((Fi + G[j] - c[j]) * ieps);
			p = fin ? p : 0;
			rs += p, ac[j] += p, t += fin ? p * c[j] : 0;
		}
	}
	*tc = t;
	return rs;
}

/* One rebuild pass: row maxima of the exponents (f_i + g_j - C_ij) / eps, rows out of [-lim, lim] shifted
 * to largest exponent 0 through f, the kernel stored when it is kept, column maxima into acc per block. */
static void rebuild_pass(sk *s)
{
	const int64_t m = s->m;
	const double eps = s->eps, ieps = 1.0 / eps;
	blas_single(1);
#pragma omp parallel for schedule(dynamic, 1)
	for (int64_t bk = 0; bk < s->nb; bk++) {
		double *cm = s->acc + bk * m, *C = s->buf + (size_t)thread_id() * CHUNK * m;
		for (int64_t j = 0; j < m; j++)
			cm[j] = -INFINITY;
		for (int64_t i0 = bk * s->br, e1 = blk_end(s, bk); i0 < e1; i0 += CHUNK) {
			int64_t i1 = i0 + CHUNK < e1 ? i0 + CHUNK : e1;
			scuot_cost_rows(s->cost, i0, i1, C);
			for (int64_t i = i0; i < i1; i++) {
				const double *c = C + (i - i0) * m;
				double fi = s->f[i], mx = row_max(c, s->g, fi, ieps, m);
				s->dead_r[i] = mx == -INFINITY;
				if (s->dead_r[i]) {
					s->rmax[i] = 0;
					if (s->mode == KERN_DOUBLE)
						memset(s->kd + i * m, 0, sizeof(double) * (size_t)m);
					else if (s->mode == KERN_FLOAT)
						memset(s->kf + i * m, 0, sizeof(float) * (size_t)m);
					continue;
				}
				if (mx < -s->lim || mx > s->lim)
					s->f[i] = fi - eps * mx, fi = s->f[i], mx = 0;
				s->rmax[i] = mx;
				row_kernel(c, s->g, fi, ieps, m, cm, s->mode == KERN_DOUBLE ? s->kd + i * m : NULL,
				           s->mode == KERN_FLOAT ? s->kf + i * m : NULL);
			}
		}
	}
	blas_single(0);
}

/* Rebuild K~ (or, on the fly, only the normalisation) for the current f, g and eps. */
static void rebuild(sk *s)
{
	const int64_t m = s->m;
	for (int pass = 0; pass < 2; pass++) {
		rebuild_pass(s);
		int shift = 0;
		for (int64_t j = 0; j < m; j++) {
			double mx = -INFINITY;
			for (int64_t bk = 0; bk < s->nb; bk++)
				if (s->acc[bk * m + j] > mx)
					mx = s->acc[bk * m + j];
			s->cmax[j] = mx;
			s->dead_c[j] = mx == -INFINITY;
			if (!s->dead_c[j] && (mx < -s->lim || mx > s->lim))
				shift = 1;
		}
		if (!shift || pass == 1)
			break;
		for (int64_t j = 0; j < m; j++) /* exponents stay <= 0 after this, so rows stay in range */
			if (!s->dead_c[j] && (s->cmax[j] < -s->lim || s->cmax[j] > s->lim))
				s->g[j] -= s->eps * s->cmax[j];
	}
	for (int64_t i = 0; i < s->n; i++)
		s->u[i] = 1;
	for (int64_t j = 0; j < m; j++)
		s->v[j] = 1;
}

/* One fused scaling iteration: u from K~ v, K~^T u accumulated in the same pass, then v.  Returns the
 * relative L1 column-marginal error (see sinkhorn.h). */
static double iterate(sk *s)
{
	const int64_t m = s->m;
	const double eps = s->eps, ieps = 1.0 / eps;
	if (s->mode == KERN_FLY)
		blas_single(1);
#pragma omp parallel for schedule(dynamic, 1)
	for (int64_t bk = 0; bk < s->nb; bk++) {
		double *ac = s->acc + bk * m, *C = s->buf + (size_t)thread_id() * CHUNK * m;
		memset(ac, 0, sizeof(double) * (size_t)m);
		for (int64_t i0 = bk * s->br, e1 = blk_end(s, bk); i0 < e1; i0 += CHUNK) {
			int64_t i1 = i0 + CHUNK < e1 ? i0 + CHUNK : e1;
			if (s->mode == KERN_FLY) {
				scuot_cost_rows(s->cost, i0, i1, C);
				for (int64_t i = i0; i < i1; i++) /* as the stored kernel */
					if (!s->dead_r[i])
						row_kernel(C + (i - i0) * m, s->g, s->f[i], ieps, m, NULL, C + (i - i0) * m, NULL);
			}
			for (int64_t i = i0; i < i1; i += 4) { /* four rows per pass over v and over acc */
				int nr = i1 - i < 4 ? (int)(i1 - i) : 4, live = -1;
				unsigned char dead[4];
				double lm[4], pot[4], u[4];
				for (int r = 0; r < 4; r++) {
					dead[r] = r >= nr || s->dead_r[i + r];
					lm[r] = r < nr ? s->lga[i + r] : 0, pot[r] = r < nr ? s->f[i + r] : 0;
					if (!dead[r] && live < 0)
						live = r;
				}
				if (live < 0) { /* dead rows hold no usable kernel (raw costs on the fly): skip them */
					for (int r = 0; r < nr; r++)
						s->u[i + r] = 0;
					continue;
				}
				/* a dead or missing row is read through a live one with u = 0: 0 times a finite entry */
				if (s->mode == KERN_FLOAT) {
					const float *k[4];
					for (int r = 0; r < 4; r++)
						k[r] = s->kf + (i + (dead[r] ? live : r)) * m;
					fused4_f(k, dead, s->v, ac, m, lm, s->la1, eps, s->ldx, pot, u);
				} else {
					const double *base = s->mode == KERN_DOUBLE ? s->kd + i * m : C + (i - i0) * m, *k[4];
					for (int r = 0; r < 4; r++)
						k[r] = base + (dead[r] ? live : r) * m;
					fused4_d(k, dead, s->v, ac, m, lm, s->la1, eps, s->ldx, pot, u);
				}
				for (int r = 0; r < nr; r++)
					s->u[i + r] = u[r];
			}
		}
	}
	if (s->mode == KERN_FLY)
		blas_single(0);
#pragma omp parallel for schedule(static)
	for (int64_t j = 0; j < m; j++) {
		double t = 0;
		for (int64_t bk = 0; bk < s->nb; bk++)
			t += s->acc[bk * m + j];
		s->ktu[j] = t;
	}
	double num = 0, den = 0;
	for (int64_t j = 0; j < m; j++) {
		if (s->dead_c[j]) {
			s->v[j] = 0;
			continue;
		}
		double vj = prox(s->lgb[j], s->ktu[j], s->la2, eps, s->ldy, s->g[j]);
		num += s->ktu[j] * fabs(vj - s->v[j]);
		den += s->ktu[j] * vj;
		s->v[j] = vj;
	}
	return den > 0 ? num / den : (num > 0 ? INFINITY : 0);
}

/* Whether a scaling should be absorbed: out of [1/TAU, TAU], unless absorbing it would only push its row
 * (column) out of the kernel's range again, to be renormalised back. */
static int need_absorb(const sk *s)
{
	const double lt = log(TAU);
	for (int64_t i = 0; i < s->n; i++) {
		if (s->dead_r[i])
			continue;
		double l = log(s->u[i]);
		if (fabs(l) > lt && fabs(s->rmax[i] + l) <= s->lim)
			return 1;
	}
	for (int64_t j = 0; j < s->m; j++) {
		if (s->dead_c[j])
			continue;
		double l = log(s->v[j]);
		if (fabs(l) > lt && fabs(s->cmax[j] + l) <= s->lim)
			return 1;
	}
	return 0;
}

static void absorb(sk *s)
{
	for (int64_t i = 0; i < s->n; i++)
		if (!s->dead_r[i])
			s->f[i] += s->eps * log(s->u[i]);
	for (int64_t j = 0; j < s->m; j++)
		if (!s->dead_c[j])
			s->g[j] += s->eps * log(s->v[j]);
	for (int64_t i = 0; i < s->n; i++)
		s->u[i] = 1;
	for (int64_t j = 0; j < s->m; j++)
		s->v[j] = 1;
}

/* Row sums, column sums and sum pi_ij C_ij of pi_ij = exp((F_i + G_j - C_ij) / eps), block by block; pi
 * (n x m, or NULL) receives the coupling. */
static void final_pass(sk *s, const double *F, const double *G, double *rows, double *cols, double *tc,
                       double *pi)
{
	const int64_t m = s->m;
	const double ieps = 1.0 / s->eps;
	blas_single(1);
#pragma omp parallel for schedule(dynamic, 1)
	for (int64_t bk = 0; bk < s->nb; bk++) {
		double *ac = s->acc + bk * m, *C = s->buf + (size_t)thread_id() * CHUNK * m, t = 0;
		memset(ac, 0, sizeof(double) * (size_t)m);
		for (int64_t i0 = bk * s->br, e1 = blk_end(s, bk); i0 < e1; i0 += CHUNK) {
			int64_t i1 = i0 + CHUNK < e1 ? i0 + CHUNK : e1;
			scuot_cost_rows(s->cost, i0, i1, C);
			for (int64_t i = i0; i < i1; i++) {
				double ti;
				rows[i] = row_final(C + (i - i0) * m, G, F[i], ieps, m, ac, pi ? pi + i * m : NULL, &ti);
				t += ti;
			}
		}
		s->part[bk] = t;
	}
	blas_single(0);
	double t = 0;
	for (int64_t bk = 0; bk < s->nb; bk++)
		t += s->part[bk];
	*tc = t;
	for (int64_t j = 0; j < m; j++) {
		double c = 0;
		for (int64_t bk = 0; bk < s->nb; bk++)
			c += s->acc[bk * m + j];
		cols[j] = c;
	}
}

static void sk_free(sk *s)
{
	free(s->lga);
	free(s->lgb);
	free(s->f);
	free(s->g);
	free(s->u);
	free(s->v);
	free(s->rmax);
	free(s->cmax);
	free(s->dead_r);
	free(s->dead_c);
	free(s->kd);
	free(s->kf);
	free(s->acc);
	free(s->ktu);
	free(s->part);
	free(s->buf);
}

static int sk_alloc(sk *s, scuot_err *e)
{
	int64_t n = s->n, m = s->m;
	s->br = (n + MAX_BLOCKS - 1) / MAX_BLOCKS;
	if (s->br < MIN_BLOCK_ROWS)
		s->br = MIN_BLOCK_ROWS;
	s->br = (s->br + 3) / 4 * 4; /* whole groups of four rows (CHUNK is a multiple of 4 too) */
	s->nb = (n + s->br - 1) / s->br;
#ifdef _OPENMP
	s->nthr = omp_get_max_threads();
#else
	s->nthr = 1;
#endif
	if (!(s->lga = scuot_alloc((size_t)n, sizeof(double), 0, "log source prior", e)) ||
	    !(s->lgb = scuot_alloc((size_t)m, sizeof(double), 0, "log target prior", e)) ||
	    !(s->f = scuot_alloc((size_t)n, sizeof(double), 1, "source potential", e)) ||
	    !(s->g = scuot_alloc((size_t)m, sizeof(double), 1, "target potential", e)) ||
	    !(s->u = scuot_alloc((size_t)n, sizeof(double), 0, "source scaling", e)) ||
	    !(s->v = scuot_alloc((size_t)m, sizeof(double), 0, "target scaling", e)) ||
	    !(s->rmax = scuot_alloc((size_t)n, sizeof(double), 1, "row maxima", e)) ||
	    !(s->cmax = scuot_alloc((size_t)m, sizeof(double), 1, "column maxima", e)) ||
	    !(s->dead_r = scuot_alloc((size_t)n, 1, 1, "row flags", e)) ||
	    !(s->dead_c = scuot_alloc((size_t)m, 1, 1, "column flags", e)) ||
	    !(s->acc = scuot_alloc((size_t)(s->nb * m), sizeof(double), 0, "column accumulators", e)) ||
	    !(s->ktu = scuot_alloc((size_t)m, sizeof(double), 0, "column sums", e)) ||
	    !(s->part = scuot_alloc((size_t)s->nb, sizeof(double), 0, "partial sums", e)) ||
	    !(s->buf = scuot_alloc((size_t)s->nthr * CHUNK, (size_t)m * sizeof(double), 0, "cost rows", e)))
		return e->code;
	return 0;
}

/* Set the priors (a: n, b: m) of the next solve. */
static void set_priors(sk *s, const double *a, const double *b)
{
	s->a = a, s->b = b;
	for (int64_t i = 0; i < s->n; i++)
		s->lga[i] = log(a[i] > DBL_MIN ? a[i] : DBL_MIN);
	for (int64_t j = 0; j < s->m; j++)
		s->lgb[j] = log(b[j] > DBL_MIN ? b[j] : DBL_MIN);
}

static int curve_push(scuot_ot_result *r, int64_t *cap, double x, scuot_err *e)
{
	if (r->n_curve == *cap) {
		int64_t nc = *cap ? 2 * *cap : 256;
		double *c = scuot_realloc(r->curve, (size_t)nc, sizeof(double), "error curve", e);
		if (!c)
			return e->code;
		r->curve = c, *cap = nc;
	}
	r->curve[r->n_curve++] = x;
	return 0;
}

/* One solve from f = g = 0 with epsilon scaling; *it counts iterations across solves. */
static int solve(sk *s, const scuot_sinkhorn_opts *o, int64_t *it, int *converged, scuot_ot_result *r,
                 int64_t *cap, scuot_err *e)
{
	int ret, steps = o->eps0 > o->eps ? o->eps_steps : 0;
	memset(s->f, 0, sizeof(double) * (size_t)s->n);
	memset(s->g, 0, sizeof(double) * (size_t)s->m);
	for (int64_t j = 0; j < s->m; j++)
		s->v[j] = 1;
	*converged = 0;
	for (int k = 0; k <= steps && *it < o->max_iter; k++) {
		int last = k == steps;
		if (k > 0)
			absorb(s);
		s->eps = steps ? o->eps0 * pow(o->eps / o->eps0, (double)k / steps) : o->eps;
		if (last)
			s->eps = o->eps;
		rebuild(s);
		if (k == 0 && o->kind == SCUOT_SINKHORN_BALANCED) {
			for (int64_t i = 0; i < s->n; i++)
				if (s->dead_r[i])
					return scuot_err_set(e, SCUOT_EINPUT, "source cell %lld is farther than pi delta from "
					                     "every target cell: balanced transport is impossible with the WFR "
					                     "cost; use a larger --delta or the uot or wfr method", (long long)i);
			for (int64_t j = 0; j < s->m; j++)
				if (s->dead_c[j])
					return scuot_err_set(e, SCUOT_EINPUT, "target cell %lld is farther than pi delta from "
					                     "every source cell: balanced transport is impossible with the WFR "
					                     "cost; use a larger --delta or the uot or wfr method", (long long)j);
		}
		double tol = last ? o->tol : fmax(o->tol, MID_TOL);
		int64_t cap_k = last ? o->max_iter : *it + MID_ITER;
		double err0 = 0;
		while (*it < o->max_iter && *it < cap_k) {
			double err = iterate(s);
			++*it;
			if ((ret = curve_push(r, cap, err, e)))
				return ret;
			if (err0 == 0)
				err0 = err;
			if (s->pg && *it % 16 == 0) {
				double ph = err0 > tol && err < err0 ? log(err0 / err) / log(err0 / tol) : 0;
				ph = ph < 0 ? 0 : ph > 1 ? 1 : ph;
				scuot_progress_update(s->pg, (int64_t)(1000 * (k + ph) / (steps + 1)));
			}
			if (err <= tol) {
				*converged = last;
				break;
			}
			if (need_absorb(s)) {
				absorb(s);
				rebuild(s);
			}
		}
		scuot_log_debug("eps %g: %lld iterations so far, error %g", s->eps, (long long)*it,
		                r->n_curve ? r->curve[r->n_curve - 1] : 0.0);
	}
	return 0;
}

void scuot_sinkhorn_opts_init(scuot_sinkhorn_opts *o, int kind)
{
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->eps = 0.05, o->eps0 = 1, o->eps_steps = 5;
	o->max_iter = 10000, o->tol = 1e-6;
	o->lambda1 = 1, o->lambda2 = 50, o->growth_iters = 1;
	if (kind == SCUOT_SINKHORN_BALANCED)
		o->lambda1 = o->lambda2 = INFINITY;
	else if (kind == SCUOT_SINKHORN_WFR)
		o->lambda1 = o->lambda2 = 1;
}

int scuot_sinkhorn_opts_check(const scuot_sinkhorn_opts *o, scuot_err *e)
{
	if (o->kind < SCUOT_SINKHORN_BALANCED || o->kind > SCUOT_SINKHORN_WFR)
		return scuot_err_set(e, SCUOT_EUSAGE, "unknown Sinkhorn kind %d", o->kind);
	if (!(o->eps > 0) || !isfinite(o->eps))
		return scuot_err_set(e, SCUOT_EUSAGE, "--epsilon must be positive and finite (got %g)", o->eps);
	if (!(o->eps0 >= 0) || !isfinite(o->eps0))
		return scuot_err_set(e, SCUOT_EUSAGE, "--epsilon0 must be >= 0 and finite (got %g)", o->eps0);
	if (o->eps_steps < 0 || o->eps_steps > 1000)
		return scuot_err_set(e, SCUOT_EUSAGE, "--epsilon-steps must be in [0, 1000] (got %d)", o->eps_steps);
	if (o->max_iter < 1)
		return scuot_err_set(e, SCUOT_EUSAGE, "--max-iter must be >= 1 (got %lld)", (long long)o->max_iter);
	if (!(o->tol >= 0))
		return scuot_err_set(e, SCUOT_EUSAGE, "--tol must be >= 0 (got %g)", o->tol);
	if (!(o->lambda1 > 0) || !(o->lambda2 > 0))
		return scuot_err_set(e, SCUOT_EUSAGE, "--lambda1 and --lambda2 must be positive (got %g, %g)",
		                     o->lambda1, o->lambda2);
	if (o->growth_iters < 1)
		return scuot_err_set(e, SCUOT_EUSAGE, "--growth-iters must be >= 1 (got %d)", o->growth_iters);
	if (isnan(o->delta) || isinf(o->delta))
		return scuot_err_set(e, SCUOT_EUSAGE, "--delta must be finite (got %g)", o->delta);
	return 0;
}

/* The WFR length scale: the option, else the problem's, else sqrt(median(d^2)) / 2 over the source-target
 * pairs (the median distance over 2 for an odd count), so that for near pairs the WFR cost
 * d^2 / (4 delta^2) + O(d^4) equals Waddington-OT's median-normalised squared Euclidean cost
 * d^2 / median(d^2). */
static int wfr_delta(const scuot_ot_problem *p, double opt, double *delta, scuot_err *e)
{
	if (opt > 0) {
		*delta = opt;
		return 0;
	}
	if (p->delta > 0) {
		*delta = p->delta;
		return 0;
	}
	scuot_cost c;
	int ret;
	if ((ret = scuot_cost_init(&c, SCUOT_COST_SQEUCLIDEAN, p->x, p->n, p->y, p->m, p->d, 0, e)))
		return ret;
	ret = scuot_cost_normalize(&c, SCUOT_COSTNORM_MEDIAN, e);
	if (!ret) {
		*delta = 0.5 * sqrt(c.scale);
		scuot_log_info("WFR length scale delta = %g (half the median source-target distance)", *delta);
	} else {
		scuot_err_prefix(e, "automatic WFR length scale: ");
	}
	scuot_cost_free(&c);
	return ret;
}

static double kl(const double *x, const double *y, int64_t n)
{
	double s = 0;
	for (int64_t i = 0; i < n; i++)
		s += (x[i] > 0 ? x[i] * log(x[i] / y[i]) : 0) - x[i] + y[i];
	return s;
}

int scuot_ot_sinkhorn(const scuot_ot_problem *p, const scuot_sinkhorn_opts *o, scuot_ot_result *r,
                      scuot_err *e)
{
	const int64_t n = p->n, m = p->m;
	scuot_cost cost = { 0 };
	sk s = { 0 };
	double *a = NULL, *b = NULL, *rows = NULL, *cols = NULL, *F = NULL, *G = NULL, *pi = NULL;
	int ret, have_cost = 0;
	if ((ret = scuot_sinkhorn_opts_check(o, e)))
		goto out;
	double delta = p->delta;
	if (p->cost == SCUOT_COST_WFR && (ret = wfr_delta(p, o->delta, &delta, e)))
		goto out;
	if ((ret = scuot_cost_init(&cost, p->cost, p->x, n, p->y, m, p->d, delta, e)))
		goto out;
	have_cost = 1;
	r->cost_norm = p->cost_norm;
	if (p->cost == SCUOT_COST_WFR) {
		if (p->cost_norm != SCUOT_COSTNORM_NONE)
			scuot_log_info("the WFR cost is not normalised (delta = %g sets its scale)", delta);
		r->cost_norm = SCUOT_COSTNORM_NONE;
	} else if ((ret = scuot_cost_normalize(&cost, p->cost_norm, e))) {
		goto out;
	}
	r->cost_scale = cost.scale, r->delta = delta, r->cost = p->cost;

	/* where the kernel lives */
	double nm = (double)n * (double)m, kbytes = nm * (o->float32 ? 4 : 8);
	int dense = nm * sizeof(double) <= (double)p->max_memory; /* the coupling is kept dense (ot.h) */
	int64_t kk = p->topk < 0 ? 0 : p->topk < m ? p->topk : m;
	double cbytes = nm * 8 <= (double)p->max_memory ? nm * 8 : (double)n * (double)kk * 12;
	s.n = n, s.m = m, s.cost = &cost;
	s.la1 = o->lambda1, s.la2 = o->lambda2, s.ldx = -log((double)n), s.ldy = -log((double)m);
	s.mode = KERN_FLY;
	if ((ret = sk_alloc(&s, e)))
		goto out;
	if (kbytes + cbytes <= (double)p->max_memory) {
		scuot_err e2 = { 0 };
		if (o->float32)
			s.kf = scuot_alloc((size_t)nm, sizeof(float), 0, "kernel", &e2);
		else
			s.kd = scuot_alloc((size_t)nm, sizeof(double), 0, "kernel", &e2);
		huge_pages(s.kf ? (void *)s.kf : (void *)s.kd, (size_t)kbytes);
		if (s.kf || s.kd)
			s.mode = o->float32 ? KERN_FLOAT : KERN_DOUBLE;
		else
			scuot_log_warning("%s; recomputing the kernel on the fly instead", e2.msg);
	}
	s.lim = s.mode == KERN_FLOAT ? LIM_FLOAT : LIM_DOUBLE;
	if (s.mode == KERN_FLY)
		scuot_log_info("%s: kernel %lld x %lld recomputed on the fly in blocks of %d rows every iteration "
		               "(storing it needs %.3g GB with the coupling; memory budget %.3g GB)",
		               r->method[0] ? r->method : "sinkhorn", (long long)n, (long long)m, CHUNK,
		               (kbytes + cbytes) / 1e9, p->max_memory / 1e9);
	else
		scuot_log_info("%s: kernel %lld x %lld stored as %s (%.3g GB)", r->method[0] ? r->method : "sinkhorn",
		               (long long)n, (long long)m, s.mode == KERN_FLOAT ? "float" : "double", kbytes / 1e9);

	if (!(a = scuot_alloc((size_t)n, sizeof(double), 0, "source prior", e)) ||
	    !(b = scuot_alloc((size_t)m, sizeof(double), 0, "target prior", e)) ||
	    !(rows = scuot_alloc((size_t)n, sizeof(double), 0, "row sums", e)) ||
	    !(cols = scuot_alloc((size_t)m, sizeof(double), 0, "column sums", e)) ||
	    !(F = scuot_alloc((size_t)n, sizeof(double), 0, "source potential", e)) ||
	    !(G = scuot_alloc((size_t)m, sizeof(double), 0, "target potential", e))) {
		ret = e->code;
		goto out;
	}
	memcpy(a, p->a, sizeof(double) * (size_t)n);
	memcpy(b, p->b, sizeof(double) * (size_t)m);
	double sa0 = 0, sb0 = 0, tc = 0;
	for (int64_t i = 0; i < n; i++)
		sa0 += p->a[i];
	for (int64_t j = 0; j < m; j++)
		sb0 += p->b[j];
	if (isinf(o->lambda1) && isinf(o->lambda2) && fabs(sa0 - sb0) > 1e-12 * sa0) {
		/* balanced transport needs equal totals: the target masses (and r->b) are scaled to the source's */
		scuot_log_info("balanced transport: target masses scaled by %.6g to the source total %.6g", sa0 / sb0,
		               sa0);
		for (int64_t j = 0; j < m; j++)
			b[j] *= sa0 / sb0, r->b[j] = b[j];
	}
	int64_t it = 0, cap = 0;
	int converged = 0, gi;
	for (gi = 0; gi < o->growth_iters; gi++) {
		if (gi > 0) { /* Waddington-OT's growth re-estimation: the source prior becomes the row sums and the
		               * target prior keeps its ratio of total mass to the source prior */
			double sa = 0;
			for (int64_t i = 0; i < n; i++)
				a[i] = rows[i], sa += rows[i];
			for (int64_t j = 0; j < m; j++)
				b[j] = p->b[j] * (sa / sa0);
		}
		set_priors(&s, a, b);
		s.pg = scuot_progress_new(r->method[0] ? r->method : "sinkhorn", 1000);
		ret = solve(&s, o, &it, &converged, r, &cap, e);
		scuot_progress_finish(s.pg);
		s.pg = NULL;
		if (ret)
			goto out;
		for (int64_t i = 0; i < n; i++)
			F[i] = s.f[i] + (s.u[i] > 0 ? s.eps * log(s.u[i]) : 0);
		for (int64_t j = 0; j < m; j++)
			G[j] = s.g[j] + (s.v[j] > 0 ? s.eps * log(s.v[j]) : 0);
		if (dense && (gi + 1 == o->growth_iters || it >= o->max_iter)) {
			/* the last solve: its kernel is done with, the final pass writes the coupling in its memory
			 * (already mapped: a fresh 8 n m bytes would cost as many page faults as the kernel did) */
			void *kb = s.kd ? (void *)s.kd : (void *)s.kf;
			pi = kb ? scuot_realloc(kb, (size_t)nm, sizeof(double), "coupling", e)
			        : scuot_alloc((size_t)nm, sizeof(double), 0, "coupling", e);
			if (!pi) {
				ret = e->code;
				goto out;
			}
			huge_pages(pi, (size_t)nm * sizeof(double));
			s.kd = NULL, s.kf = NULL;
		}
		final_pass(&s, F, G, rows, cols, &tc, pi);
		if (it >= o->max_iter && gi + 1 < o->growth_iters) {
			scuot_log_warning("--max-iter %lld reached during growth iteration %d of %d", (long long)o->max_iter,
			                  gi + 1, o->growth_iters);
			gi++;
			break;
		}
	}
	free(s.kd), free(s.kf);
	s.kd = NULL, s.kf = NULL;

	/* the objective of the last solve, from its marginals (see sinkhorn.h and the derivation in the tests) */
	double sf = 0, sg = 0, mass = 0, obj;
	for (int64_t i = 0; i < n; i++)
		sf += F[i] * rows[i], mass += rows[i];
	for (int64_t j = 0; j < m; j++)
		sg += G[j] * cols[j];
	if (o->kind == SCUOT_SINKHORN_BALANCED) {
		double la = 0, lb = 0, sa = 0, sb = 0;
		for (int64_t i = 0; i < n; i++)
			la += rows[i] * log(a[i]), sa += a[i];
		for (int64_t j = 0; j < m; j++)
			lb += cols[j] * log(b[j]), sb += b[j];
		obj = sf + sg - s.eps * (la + lb) + s.eps * (sa * sb - mass);
	} else {
		obj = sf + sg + s.eps * (mass * (log(nm) - 1) + 1);
		if (isfinite(o->lambda1))
			obj += o->lambda1 * kl(rows, a, n);
		if (isfinite(o->lambda2))
			obj += o->lambda2 * kl(cols, b, m);
	}
	r->objective = obj, r->transport_cost = tc;
	r->iterations = it, r->converged = converged;
	snprintf(r->curve_name, sizeof r->curve_name, "marginal error");
	r->eps = s.eps;
	free(r->f);
	free(r->g);
	r->f = F, r->g = G;
	F = G = NULL;
	if (!converged)
		scuot_log_warning("%s did not reach --tol %g in %lld iterations (last error %g); the coupling is "
		                  "approximate", r->method[0] ? r->method : "sinkhorn", o->tol, (long long)it,
		                  r->n_curve ? r->curve[r->n_curve - 1] : NAN);
	else
		scuot_log_info("%s converged in %lld iterations (error %g)", r->method[0] ? r->method : "sinkhorn",
		               (long long)it, r->curve[r->n_curve - 1]);
	if (gi > 1)
		scuot_log_info("%d growth iterations", gi);
	sk_free(&s);
	memset(&s, 0, sizeof s);
	if (pi) { /* taken over by r, also on failure */
		ret = scuot_ot_result_set_dense(r, pi, p->max_memory, p->topk, e);
		pi = NULL;
	} else {
		blas_single(1); /* a multi-threaded dgemm there would make the coupling depend on the thread count */
		ret = scuot_ot_result_from_potentials(r, p->max_memory, p->topk, e);
		blas_single(0);
	}
out:
	sk_free(&s);
	if (have_cost)
		scuot_cost_free(&cost);
	free(a);
	free(b);
	free(rows);
	free(cols);
	free(F);
	free(G);
	free(pi);
	return ret;
}

/* ---- the three methods of the table ---- */

#define P_EPS(def) { "epsilon", SCUOT_PARAM_REAL, def, 1e-12, 1e12, \
	"entropic regularisation, in units of the (normalised) cost" }
#define P_COMMON \
	{ "epsilon0", SCUOT_PARAM_REAL, 1, 0, 1e12, "first epsilon of the geometric epsilon scaling " \
	  "(<= epsilon: none)" }, \
	{ "epsilon-steps", SCUOT_PARAM_INT, 5, 0, 1000, "geometric steps from epsilon0 down to epsilon" }, \
	{ "max-iter", SCUOT_PARAM_INT, 10000, 1, 1e12, "scaling iterations in all" }, \
	{ "tol", SCUOT_PARAM_REAL, 1e-6, 0, 1, "stop when the relative L1 column-marginal error is below this" }, \
	{ "float32", SCUOT_PARAM_FLAG, 0, 0, 1, "store the kernel as float: half the memory and memory traffic" }

static const scuot_ot_param sinkhorn_params[] = {
	P_EPS(0.05),
	P_COMMON,
};

static const scuot_ot_param uot_params[] = {
	P_EPS(0.05),
	{ "lambda1", SCUOT_PARAM_REAL, 1, 1e-12, INFINITY, "KL penalty on the source marginal (inf: constraint)" },
	{ "lambda2", SCUOT_PARAM_REAL, 50, 1e-12, INFINITY, "KL penalty on the target marginal (inf: constraint)" },
	{ "growth-iters", SCUOT_PARAM_INT, 1, 1, 100, "solves; after each the source prior becomes the coupling's "
	  "row sums (Waddington-OT)" },
	P_COMMON,
};

static const scuot_ot_param wfr_params[] = {
	P_EPS(0.05),
	{ "delta", SCUOT_PARAM_REAL, 0, 0, 1e300, "WFR length scale: mass moves at most pi delta (0: half the "
	  "median source-target distance)" },
	P_COMMON,
};

static double par_get(const scuot_ot_param *t, int np, const double *par, const char *name, double def)
{
	for (int k = 0; k < np; k++)
		if (!strcmp(t[k].name, name))
			return par[k];
	return def;
}

static int run_kind(int kind, const scuot_ot_param *t, int np, const scuot_ot_problem *p, const double *par,
                    scuot_ot_result *r, scuot_err *e)
{
	scuot_sinkhorn_opts o;
	scuot_sinkhorn_opts_init(&o, kind);
	o.eps = par_get(t, np, par, "epsilon", o.eps);
	o.eps0 = par_get(t, np, par, "epsilon0", o.eps0);
	o.eps_steps = (int)par_get(t, np, par, "epsilon-steps", o.eps_steps);
	o.max_iter = (int64_t)par_get(t, np, par, "max-iter", (double)o.max_iter);
	o.tol = par_get(t, np, par, "tol", o.tol);
	o.float32 = par_get(t, np, par, "float32", 0) != 0;
	o.lambda1 = par_get(t, np, par, "lambda1", o.lambda1);
	o.lambda2 = par_get(t, np, par, "lambda2", o.lambda2);
	o.growth_iters = (int)par_get(t, np, par, "growth-iters", o.growth_iters);
	o.delta = par_get(t, np, par, "delta", 0);
	return scuot_ot_sinkhorn(p, &o, r, e);
}

#define NP(t) ((int)(sizeof t / sizeof t[0]))

static int run_sinkhorn(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	return run_kind(SCUOT_SINKHORN_BALANCED, sinkhorn_params, NP(sinkhorn_params), p, par, r, e);
}

static int run_uot(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	return run_kind(SCUOT_SINKHORN_UNBALANCED, uot_params, NP(uot_params), p, par, r, e);
}

static int run_wfr(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	return run_kind(SCUOT_SINKHORN_WFR, wfr_params, NP(wfr_params), p, par, r, e);
}

/* Peak bytes of scuot_ot_sinkhorn beyond the problem: the stored kernel with the work arrays (the column
 * accumulators of at most MAX_BLOCKS row blocks, CHUNK cost rows per thread), or later the coupling (dense,
 * or topk entries per row, with 2 MB row blocks) -- the kernel is freed before the coupling is made (a dense
 * one by the final pass, beside the work arrays). */
static double sk_memory(const scuot_ot_problem *p, const double *par, int np, const scuot_ot_param *t)
{
	double n = (double)p->n, m = (double)p->m, nm = n * m;
	int f32 = par_get(t, np, par, "float32", 0) != 0;
	double kbytes = nm * (f32 ? 4 : 8), kk = p->topk < 0 ? 0 : p->topk < p->m ? (double)p->topk : m;
	double cbytes = nm * 8 <= (double)p->max_memory ? nm * 8 : n * kk * 12;
	double nb = n < MAX_BLOCKS ? n : MAX_BLOCKS, nthr = scuot_threads_get();
	double work = 12 * (n + m) * 8 + nb * m * 8 + nthr * CHUNK * m * 8;
	double kern = kbytes + cbytes <= (double)p->max_memory ? kbytes : 0;
	double coupling = cbytes + (1 << 21) + n * 8 * 4 + work; /* dense: written by the final pass */
	return (kern + work > coupling ? kern + work : coupling);
}

static double sinkhorn_memory(const scuot_ot_problem *p, const double *par)
{
	return sk_memory(p, par, NP(sinkhorn_params), sinkhorn_params);
}

static double uot_memory(const scuot_ot_problem *p, const double *par)
{
	return sk_memory(p, par, NP(uot_params), uot_params);
}

static double wfr_memory(const scuot_ot_problem *p, const double *par)
{
	return sk_memory(p, par, NP(wfr_params), wfr_params);
}

const scuot_ot_method scuot_method_sinkhorn = {
	"sinkhorn", "static coupling",
	"balanced entropic optimal transport (log-domain stabilised Sinkhorn with epsilon scaling)",
	"Cuturi 2013 (NIPS); Schmitzer 2019 (SIAM J. Sci. Comput. 41); Chizat et al. 2018 (Math. Comp. 87)",
	NP(sinkhorn_params), sinkhorn_params, SCUOT_COST_SQEUCLIDEAN, run_sinkhorn, sinkhorn_memory
};

const scuot_ot_method scuot_method_uot = {
	"uot", "static coupling",
	"unbalanced entropic transport with KL marginal penalties and growth re-estimation (Waddington-OT)",
	"Chizat, Peyre, Schmitzer, Vialard 2018 (Math. Comp. 87); Schiebinger et al. 2019 (Cell 176)",
	NP(uot_params), uot_params, SCUOT_COST_SQEUCLIDEAN, run_uot, uot_memory
};

const scuot_ot_method scuot_method_wfr = {
	"wfr", "static coupling",
	"static Wasserstein-Fisher-Rao (Hellinger-Kantorovich) coupling: entropic transport on the cost "
	"-2 log cos(min(|x-y|/(2 delta), pi/2)) with KL marginal penalties of weight 1",
	"Liero, Mielke, Savare 2018 (Invent. Math. 211); Chizat, Peyre, Schmitzer, Vialard 2018 (Found. Comput. "
	"Math. 18; Math. Comp. 87)",
	NP(wfr_params), wfr_params, SCUOT_COST_WFR, run_wfr, wfr_memory
};
