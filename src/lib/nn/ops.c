/* ops.c -- the operations of nn.h: their values (BLAS for products, OpenMP over large elementwise loops) and
 * their vector-Jacobian products, each written with the same operations so that it can be differentiated. */
#if defined(__GNUC__) && !defined(__clang__)
/* the elementwise loops are the engine's memory-bound part: let GCC vectorise them at any -O level; no fused
 * multiply-adds, so that the fused products of nn_vjp_fused round as the chains of operations they replace */
#pragma GCC optimize("tree-vectorize", "no-trapping-math", "fp-contract=off")
#endif
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <cblas.h>

#include "core/vmath_internal.h"
#include "nn/nn_internal.h"

/* The elementwise loops run on one thread, vectorised: the threads belong to BLAS.  OpenMP teams here would
 * spin between the products and starve OpenBLAS's own threads (an update of the USD critic took 3.5 times as
 * long on 2 threads as with OMP_WAIT_POLICY=passive); measured on 2 cores, the loops are memory bound anyway. */
#define EACH(N) _Pragma("omp simd") \
	for (int64_t i = 0; i < (N); i++)

/* The loops of the transcendental functions: vectorised (core/vmath_internal.h, a few ulp from glibc's tanh,
 * exp and log1p), compiled for AVX-512, AVX2 and the baseline, chosen at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define NN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef NN_CLONES
#define NN_CLONES
#endif

NN_CLONES static void v_tanh(double *restrict o, const double *restrict u, int64_t N)
{
	EACH(N) o[i] = scuot_vtanh(u[i]);
}

/* G tanh(a) */
NN_CLONES static void v_mul_tanh(double *restrict o, const double *restrict g, const double *restrict u, int64_t N)
{
	EACH(N) o[i] = g[i] * scuot_vtanh(u[i]);
}

/* log cosh x = |x| + log(1 + e^{-2|x|}) - log 2 */
NN_CLONES static void v_logcosh(double *restrict o, const double *restrict u, int64_t N)
{
	EACH(N) {
		double a = fabs(u[i]);
		o[i] = a + scuot_vlog1p01(scuot_vexp_neg(-2 * a)) - M_LN2;
	}
}

/* log cosh u and tanh u from one exponential e = e^{-2|u|}: tanh |u| = (1 - e) / (1 + e), or -E / (2 + E) with
 * E = expm1(-2|u|) by its Taylor polynomial where |u| <= ln 2 / 4 (1 - e would cancel there); signed zeros and
 * NaN pass through as in scuot_vtanh. */
NN_CLONES static void v_logcosh_tanh(double *restrict lc, double *restrict th, const double *restrict u, int64_t N)
{
	EACH(N) {
		double a = fabs(u[i]), e = scuot_vexp_neg(-2 * a), t = -2 * a, p = scuot_vexp_tail(t);
		p = t + t * (t * p);
		int small = a <= 0.17328679513998632;
		double num = small ? -p : 1 - e, den = small ? 2 + p : 1 + e;
		th[i] = copysign(num / den, u[i]);
		lc[i] = a + scuot_vlog1p01(e) - M_LN2;
	}
}

NN_CLONES static void v_softplus(double *restrict o, const double *restrict u, int64_t N)
{
	EACH(N) o[i] = (u[i] > 0 ? u[i] : 0) + scuot_vlog1p01(scuot_vexp_neg(-fabs(u[i])));
}

NN_CLONES static void v_sigmoid(double *restrict o, const double *restrict u, int64_t N)
{
	EACH(N) {
		double z = scuot_vexp_neg(-fabs(u[i]));
		o[i] = u[i] >= 0 ? 1 / (1 + z) : z / (1 + z);
	}
}

NN_CLONES static void v_exp(double *restrict o, const double *restrict u, int64_t N)
{
	EACH(N) o[i] = scuot_vexp(u[i]);
}

/* The loops of the broadcasts and masks, cloned the same way: elementwise, so every clone rounds alike (no
 * fused multiply-adds in this file). */
/* o <- a + b (op 0), a * b (op 1), with b a row broadcast down the r rows; a * b with b a column (op 2) */
NN_CLONES static void v_row_op(double *restrict o, const double *restrict a, const double *restrict b, int64_t r,
                               int64_t c, int op)
{
	for (int64_t i = 0; i < r; i++) {
		const double *ai = a + i * c;
		double *oi = o + i * c, bi = op == 2 ? b[i] : 0;
		if (op == 0) {
#pragma omp simd
			for (int64_t j = 0; j < c; j++)
				oi[j] = ai[j] + b[j];
		} else if (op == 1) {
#pragma omp simd
			for (int64_t j = 0; j < c; j++)
				oi[j] = ai[j] * b[j];
		} else {
#pragma omp simd
			for (int64_t j = 0; j < c; j++)
				oi[j] = ai[j] * bi;
		}
	}
}

/* o <- g (k + k1 [x > 0]) (branch-free, so that the loop vectorises); x NULL: o <- g k */
NN_CLONES static void v_stepmul(double *restrict o, const double *restrict g, const double *restrict x, double k,
                                double k1, int64_t N)
{
	if (x)
		EACH(N) o[i] = g[i] * (k + k1 * (double)(x[i] > 0));
	else
		EACH(N) o[i] = g[i] * k;
}

/* o <- the column sums of the r x c matrix a, row by row, so each sum runs in the same order whatever the
 * vector width */
NN_CLONES static void v_sum_rows(double *restrict o, const double *restrict a, int64_t r, int64_t c)
{
	memset(o, 0, sizeof(double) * (size_t)c);
	for (int64_t i = 0; i < r; i++) {
		const double *ai = a + i * c;
#pragma omp simd
		for (int64_t j = 0; j < c; j++)
			o[j] += ai[j];
	}
}

static inline int64_t len(const scuot_nn_node *x)
{
	return x->r * x->c;
}

static int shape_ok(scuot_nn_graph *g, const scuot_nn_node *a, const scuot_nn_node *b, int cond, const char *op)
{
	if (!a || (b == NULL && cond < 0))
		return 0;
	if (!cond) {
		char m[160];
		snprintf(m, sizeof(m), "%s of shapes %lldx%lld and %lldx%lld", op, (long long)a->r, (long long)a->c,
		         b ? (long long)b->r : 0LL, b ? (long long)b->c : 0LL);
		nn_fail(g, SCUOT_EINTERNAL, m);
		return 0;
	}
	return 1;
}

#define BOTH(a, b) ((a) && (b) ? 1 : -1)

scuot_nn_node *scuot_nn_matmul(scuot_nn_graph *g, scuot_nn_node *a, int ta, scuot_nn_node *b, int tb)
{
	if (!a || !b)
		return NULL;
	int64_t m = ta ? a->c : a->r, k = ta ? a->r : a->c;
	int64_t k2 = tb ? b->c : b->r, n = tb ? b->r : b->c;
	if (!shape_ok(g, a, b, k == k2, "matrix product"))
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_MATMUL, m, n, a, b);
	if (!x)
		return NULL;
	x->a0 = ta != 0;
	x->a1 = tb != 0;
	g->flops += 2.0 * (double)m * (double)n * (double)k;
	cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n,
	            (int)k, 1.0, a->v, (int)a->c, b->v, (int)b->c, 0.0, x->v, (int)n);
	return x;
}

NN_CLONES static scuot_nn_node *binary(scuot_nn_graph *g, int op, scuot_nn_node *a, scuot_nn_node *b, const char *name)
{
	if (!shape_ok(g, a, b, BOTH(a, b) > 0 && a->r == b->r && a->c == b->c, name))
		return NULL;
	scuot_nn_node *x = nn_node(g, op, a->r, a->c, a, b);
	if (!x)
		return NULL;
	const double *u = a->v, *v = b->v;
	double *o = x->v;
	int64_t N = len(x);
	if (op == NN_ADD) {
		EACH(N) o[i] = u[i] + v[i];
	} else if (op == NN_SUB) {
		EACH(N) o[i] = u[i] - v[i];
	} else {
		EACH(N) o[i] = u[i] * v[i];
	}
	return x;
}

scuot_nn_node *scuot_nn_add(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *b)
{
	return binary(g, NN_ADD, a, b, "sum");
}

scuot_nn_node *scuot_nn_sub(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *b)
{
	return binary(g, NN_SUB, a, b, "difference");
}

scuot_nn_node *scuot_nn_mul(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *b)
{
	return binary(g, NN_MUL, a, b, "elementwise product");
}

scuot_nn_node *scuot_nn_add_row(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *b)
{
	if (!shape_ok(g, a, b, BOTH(a, b) > 0 && b->r == 1 && b->c == a->c, "row broadcast sum"))
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_ADD_ROW, a->r, a->c, a, b);
	if (!x)
		return NULL;
	v_row_op(x->v, a->v, b->v, a->r, a->c, 0);
	return x;
}

scuot_nn_node *scuot_nn_mul_row(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *s)
{
	if (!shape_ok(g, a, s, BOTH(a, s) > 0 && s->r == 1 && s->c == a->c, "row broadcast product"))
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_MUL_ROW, a->r, a->c, a, s);
	if (!x)
		return NULL;
	v_row_op(x->v, a->v, s->v, a->r, a->c, 1);
	return x;
}

scuot_nn_node *scuot_nn_mul_col(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *w)
{
	if (!shape_ok(g, a, w, BOTH(a, w) > 0 && w->c == 1 && w->r == a->r, "column broadcast product"))
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_MUL_COL, a->r, a->c, a, w);
	if (!x)
		return NULL;
	v_row_op(x->v, a->v, w->v, a->r, a->c, 2);
	return x;
}

scuot_nn_node *scuot_nn_smul(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *s)
{
	if (!shape_ok(g, a, s, BOTH(a, s) > 0 && s->r == 1 && s->c == 1, "product with a scalar node"))
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_SMUL, a->r, a->c, a, s);
	if (!x)
		return NULL;
	v_stepmul(x->v, a->v, NULL, s->v[0], 0, len(x));
	return x;
}

NN_CLONES static scuot_nn_node *unary(scuot_nn_graph *g, int op, scuot_nn_node *a, double k)
{
	if (!a)
		return NULL;
	scuot_nn_node *x = nn_node(g, op, a->r, a->c, a, NULL);
	if (!x)
		return NULL;
	x->k = k;
	const double *u = a->v;
	double *o = x->v;
	int64_t N = len(x);
	switch (op) {
	case NN_SCALE:
		EACH(N) o[i] = k * u[i];
		break;
	case NN_ADD_SCALAR:
		EACH(N) o[i] = u[i] + k;
		break;
	case NN_LEAKY:
		EACH(N) o[i] = u[i] * (k + (1 - k) * (double)(u[i] > 0));
		break;
	case NN_SOFTPLUS:
		v_softplus(o, u, N);
		break;
	case NN_SIGMOID:
		v_sigmoid(o, u, N);
		break;
	case NN_TANH:
		v_tanh(o, u, N);
		break;
	case NN_LOGCOSH:
		v_logcosh(o, u, N);
		break;
	case NN_EXP:
		v_exp(o, u, N);
		break;
	case NN_LOG:
		EACH(N) o[i] = log(u[i]);
		break;
	case NN_SQUARE:
		EACH(N) o[i] = u[i] * u[i];
		break;
	case NN_POW:
		EACH(N) o[i] = pow(u[i], k);
		break;
	}
	return x;
}

scuot_nn_node *scuot_nn_scale(scuot_nn_graph *g, scuot_nn_node *a, double k)
{
	return unary(g, NN_SCALE, a, k);
}

scuot_nn_node *scuot_nn_add_scalar(scuot_nn_graph *g, scuot_nn_node *a, double k)
{
	return unary(g, NN_ADD_SCALAR, a, k);
}

scuot_nn_node *scuot_nn_relu(scuot_nn_graph *g, scuot_nn_node *a)
{
	return unary(g, NN_LEAKY, a, 0);
}

scuot_nn_node *scuot_nn_leaky(scuot_nn_graph *g, scuot_nn_node *a, double k)
{
	return unary(g, NN_LEAKY, a, k);
}

scuot_nn_node *scuot_nn_softplus(scuot_nn_graph *g, scuot_nn_node *a)
{
	return unary(g, NN_SOFTPLUS, a, 0);
}

scuot_nn_node *scuot_nn_sigmoid(scuot_nn_graph *g, scuot_nn_node *a)
{
	return unary(g, NN_SIGMOID, a, 0);
}

scuot_nn_node *scuot_nn_tanh(scuot_nn_graph *g, scuot_nn_node *a)
{
	scuot_nn_node *x = unary(g, NN_TANH, a, 0);
	if (x && !a->tanh)
		a->tanh = x;
	return x;
}

scuot_nn_node *scuot_nn_logcosh(scuot_nn_graph *g, scuot_nn_node *a)
{
	return unary(g, NN_LOGCOSH, a, 0);
}

scuot_nn_node *scuot_nn_logcosh_tanh(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node **th)
{
	scuot_nn_node *x = a ? nn_node(g, NN_LOGCOSH, a->r, a->c, a, NULL) : NULL;
	scuot_nn_node *t = x ? nn_node(g, NN_TANH, a->r, a->c, a, NULL) : NULL;
	*th = t;
	if (!t)
		return NULL;
	v_logcosh_tanh(x->v, t->v, a->v, len(a));
	if (!a->tanh)
		a->tanh = t;
	return x;
}

scuot_nn_node *scuot_nn_exp(scuot_nn_graph *g, scuot_nn_node *a)
{
	return unary(g, NN_EXP, a, 0);
}

scuot_nn_node *scuot_nn_log(scuot_nn_graph *g, scuot_nn_node *a)
{
	return unary(g, NN_LOG, a, 0);
}

scuot_nn_node *scuot_nn_square(scuot_nn_graph *g, scuot_nn_node *a)
{
	return unary(g, NN_SQUARE, a, 0);
}

scuot_nn_node *scuot_nn_pow(scuot_nn_graph *g, scuot_nn_node *a, double k)
{
	return unary(g, NN_POW, a, k);
}

scuot_nn_node *scuot_nn_stepmul(scuot_nn_graph *g, scuot_nn_node *grad, scuot_nn_node *x, double k)
{
	if (!shape_ok(g, grad, x, BOTH(grad, x) > 0 && grad->r == x->r && grad->c == x->c, "mask product"))
		return NULL;
	scuot_nn_node *o = nn_node(g, NN_STEPMUL, x->r, x->c, grad, x);
	if (!o)
		return NULL;
	o->k = k;
	o->needs = grad->needs; /* no derivative in x */
	v_stepmul(o->v, grad->v, x->v, k, 1 - k, len(o));
	return o;
}

scuot_nn_node *scuot_nn_sum_rows(scuot_nn_graph *g, scuot_nn_node *a)
{
	if (!a)
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_SUM_ROWS, 1, a->c, a, NULL);
	if (!x)
		return NULL;
	v_sum_rows(x->v, a->v, a->r, a->c);
	return x;
}

scuot_nn_node *scuot_nn_sum_cols(scuot_nn_graph *g, scuot_nn_node *a)
{
	if (!a)
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_SUM_COLS, a->r, 1, a, NULL);
	if (!x)
		return NULL;
	int64_t c = a->c;
	for (int64_t i = 0; i < a->r; i++) {
		double s = 0;
		for (int64_t j = 0; j < c; j++)
			s += a->v[i * c + j];
		x->v[i] = s;
	}
	return x;
}

scuot_nn_node *scuot_nn_sum(scuot_nn_graph *g, scuot_nn_node *a)
{
	if (!a)
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_SUM, 1, 1, a, NULL);
	if (!x)
		return NULL;
	double s = 0;
	for (int64_t i = 0; i < len(a); i++)
		s += a->v[i];
	x->v[0] = s;
	return x;
}

scuot_nn_node *scuot_nn_mean(scuot_nn_graph *g, scuot_nn_node *a)
{
	return a ? scuot_nn_scale(g, scuot_nn_sum(g, a), 1.0 / (double)len(a)) : NULL;
}

scuot_nn_node *scuot_nn_bcast(scuot_nn_graph *g, scuot_nn_node *a, int64_t r, int64_t c)
{
	if (!shape_ok(g, a, NULL, !a || (a->r == 1 && (a->c == 1 || a->c == c)) || (a->c == 1 && a->r == r),
	              "broadcast"))
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_BCAST, r, c, a, NULL);
	if (!x)
		return NULL;
	for (int64_t i = 0; i < r; i++)
		for (int64_t j = 0; j < c; j++)
			x->v[i * c + j] = a->r == 1 ? a->v[a->c == 1 ? 0 : j] : a->v[i];
	return x;
}

scuot_nn_node *scuot_nn_concat(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *b)
{
	if (!shape_ok(g, a, b, BOTH(a, b) > 0 && a->r == b->r, "column concatenation"))
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_CONCAT, a->r, a->c + b->c, a, b);
	if (!x)
		return NULL;
	for (int64_t i = 0; i < a->r; i++) {
		memcpy(x->v + i * x->c, a->v + i * a->c, sizeof(double) * (size_t)a->c);
		memcpy(x->v + i * x->c + a->c, b->v + i * b->c, sizeof(double) * (size_t)b->c);
	}
	return x;
}

scuot_nn_node *scuot_nn_slice(scuot_nn_graph *g, scuot_nn_node *a, int64_t c0, int64_t w)
{
	if (!shape_ok(g, a, NULL, !a || (c0 >= 0 && w > 0 && c0 + w <= a->c), "column slice"))
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_SLICE, a->r, w, a, NULL);
	if (!x)
		return NULL;
	x->a0 = c0;
	for (int64_t i = 0; i < a->r; i++)
		memcpy(x->v + i * w, a->v + i * a->c + c0, sizeof(double) * (size_t)w);
	return x;
}

scuot_nn_node *scuot_nn_pad(scuot_nn_graph *g, scuot_nn_node *a, int64_t c0, int64_t cols)
{
	if (!shape_ok(g, a, NULL, !a || (c0 >= 0 && c0 + a->c <= cols), "column padding"))
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_PAD, a->r, cols, a, NULL);
	if (!x)
		return NULL;
	x->a0 = c0;
	memset(x->v, 0, sizeof(double) * (size_t)len(x));
	for (int64_t i = 0; i < a->r; i++)
		memcpy(x->v + i * cols + c0, a->v + i * a->c, sizeof(double) * (size_t)a->c);
	return x;
}

/* sum_groups and sumsq_groups (op) */
static scuot_nn_node *groups(scuot_nn_graph *g, int op, scuot_nn_node *a, int64_t k)
{
	if (!shape_ok(g, a, NULL, !a || (k > 0 && a->c % k == 0), "sum of column groups"))
		return NULL;
	int64_t c = a->c / k;
	scuot_nn_node *x = nn_node(g, op, a->r, c, a, NULL);
	if (!x)
		return NULL;
	x->a0 = k;
	for (int64_t i = 0; i < a->r * c; i++) {
		const double *ai = a->v + i * k;
		double t = 0;
		if (op == NN_SUMSQ_GROUPS)
			for (int64_t j = 0; j < k; j++)
				t += ai[j] * ai[j];
		else
			for (int64_t j = 0; j < k; j++)
				t += ai[j];
		x->v[i] = t;
	}
	return x;
}

scuot_nn_node *scuot_nn_sum_groups(scuot_nn_graph *g, scuot_nn_node *a, int64_t k)
{
	return groups(g, NN_SUM_GROUPS, a, k);
}

scuot_nn_node *scuot_nn_sumsq_groups(scuot_nn_graph *g, scuot_nn_node *a, int64_t k)
{
	return groups(g, NN_SUMSQ_GROUPS, a, k);
}

scuot_nn_node *scuot_nn_repeat_cols(scuot_nn_graph *g, scuot_nn_node *a, int64_t k)
{
	if (!shape_ok(g, a, NULL, !a || k > 0, "column repetition"))
		return NULL;
	scuot_nn_node *x = nn_node(g, NN_REPEAT_COLS, a->r, a->c * k, a, NULL);
	if (!x)
		return NULL;
	x->a0 = k;
	for (int64_t i = 0; i < a->r; i++)
		for (int64_t q = 0; q < a->c; q++)
			for (int64_t j = 0; j < k; j++)
				x->v[(i * a->c + q) * k + j] = a->v[i * a->c + q];
	return x;
}

/* The adjoint of a reduction or broadcast back to the shape of operand u. */
static scuot_nn_node *reduce_to(scuot_nn_graph *g, scuot_nn_node *gx, const scuot_nn_node *u)
{
	if (u->r == gx->r && u->c == gx->c)
		return gx;
	if (u->r == 1 && u->c == 1)
		return scuot_nn_sum(g, gx);
	if (u->r == 1)
		return scuot_nn_sum_rows(g, gx);
	return scuot_nn_sum_cols(g, gx);
}

scuot_nn_node *nn_vjp(scuot_nn_graph *g, scuot_nn_node *x, int s, scuot_nn_node *gx)
{
	scuot_nn_node *a = x->in[0], *b = x->in[1];
	switch (x->op) {
	case NN_MATMUL: {
		/* C = A' B' with A' = op(A), B' = op(B): dA' = G B'^T, dB' = A'^T G */
		int ta = (int)x->a0, tb = (int)x->a1;
		if (s == 0)
			return ta ? scuot_nn_matmul(g, b, tb, gx, 1) : scuot_nn_matmul(g, gx, 0, b, !tb);
		return tb ? scuot_nn_matmul(g, gx, 1, a, ta) : scuot_nn_matmul(g, a, !ta, gx, 0);
	}
	case NN_ADD:
		return gx;
	case NN_SUB:
		return s == 0 ? gx : scuot_nn_scale(g, gx, -1);
	case NN_MUL:
		return scuot_nn_mul(g, gx, s == 0 ? b : a);
	case NN_ADD_ROW:
		return s == 0 ? gx : scuot_nn_sum_rows(g, gx);
	case NN_MUL_ROW:
		return s == 0 ? scuot_nn_mul_row(g, gx, b) : scuot_nn_sum_rows(g, scuot_nn_mul(g, gx, a));
	case NN_MUL_COL:
		return s == 0 ? scuot_nn_mul_col(g, gx, b) : scuot_nn_sum_cols(g, scuot_nn_mul(g, gx, a));
	case NN_SMUL:
		return s == 0 ? scuot_nn_smul(g, gx, b) : scuot_nn_sum(g, scuot_nn_mul(g, gx, a));
	case NN_SCALE:
		return scuot_nn_scale(g, gx, x->k);
	case NN_ADD_SCALAR:
		return gx;
	case NN_SUM_ROWS:
	case NN_SUM_COLS:
	case NN_SUM:
		return scuot_nn_bcast(g, gx, a->r, a->c);
	case NN_BCAST:
		return reduce_to(g, gx, a);
	case NN_LEAKY:
		return scuot_nn_stepmul(g, gx, a, x->k);
	case NN_STEPMUL:
		return s == 0 ? scuot_nn_stepmul(g, gx, b, x->k) : NULL;
	case NN_SOFTPLUS:
		return scuot_nn_mul(g, gx, scuot_nn_sigmoid(g, a));
	case NN_SIGMOID: /* y (1 - y) */
		return scuot_nn_mul(g, gx, scuot_nn_mul(g, x, scuot_nn_add_scalar(g, scuot_nn_scale(g, x, -1), 1)));
	case NN_TANH: /* 1 - y^2 */
		return scuot_nn_mul(g, gx, scuot_nn_add_scalar(g, scuot_nn_scale(g, scuot_nn_square(g, x), -1), 1));
	case NN_LOGCOSH: /* tanh(a), the node already made if any (OT-Flow's potentials use both) */
		return scuot_nn_mul(g, gx, a->tanh ? a->tanh : scuot_nn_tanh(g, a));
	case NN_EXP:
		return scuot_nn_mul(g, gx, x);
	case NN_LOG:
		return scuot_nn_mul(g, gx, scuot_nn_pow(g, a, -1));
	case NN_SQUARE:
		return scuot_nn_scale(g, scuot_nn_mul(g, gx, a), 2);
	case NN_POW:
		return scuot_nn_scale(g, scuot_nn_mul(g, gx, scuot_nn_pow(g, a, x->k - 1)), x->k);
	case NN_CONCAT:
		return s == 0 ? scuot_nn_slice(g, gx, 0, a->c) : scuot_nn_slice(g, gx, a->c, b->c);
	case NN_SLICE:
		return scuot_nn_pad(g, gx, x->a0, a->c);
	case NN_PAD:
		return scuot_nn_slice(g, gx, x->a0, a->c);
	case NN_SUM_GROUPS:
		return scuot_nn_repeat_cols(g, gx, x->a0);
	case NN_REPEAT_COLS:
		return scuot_nn_sum_groups(g, gx, x->a0);
	case NN_SUMSQ_GROUPS:
		return scuot_nn_scale(g, scuot_nn_mul(g, scuot_nn_repeat_cols(g, gx, x->a0), a), 2);
	}
	nn_fail(g, SCUOT_EINTERNAL, "an operation without a derivative");
	return NULL;
}

/* A fresh r x c node for a first-order adjoint: a constant, never differentiated. */
static scuot_nn_node *value_node(scuot_nn_graph *g, int64_t r, int64_t c)
{
	return nn_node(g, NN_CONST, r, c, NULL, NULL);
}

NN_CLONES int nn_vjp_fused(scuot_nn_graph *g, scuot_nn_node *x, int s, scuot_nn_node *gx, scuot_nn_node **d)
{
	scuot_nn_node *a = x->in[0], *o;
	const double *G = gx->v, *A = a->v, *Y = x->v;
	int64_t N = len(x), r = a->r, c = a->c;
	switch (x->op) {
	case NN_TANH: /* mul(G, add_scalar(scale(square(y), -1), 1)) */
		if (!(o = value_node(g, r, c)))
			break;
		EACH(N) o->v[i] = G[i] * (-(Y[i] * Y[i]) + 1);
		break;
	case NN_SIGMOID: /* mul(G, mul(y, add_scalar(scale(y, -1), 1))) */
		if (!(o = value_node(g, r, c)))
			break;
		EACH(N) o->v[i] = G[i] * (Y[i] * (-Y[i] + 1));
		break;
	case NN_LOGCOSH: /* mul(G, tanh(a)) */
		if (a->tanh)
			return 0;
		if (!(o = value_node(g, r, c)))
			break;
		v_mul_tanh(o->v, G, A, N);
		break;
	case NN_SQUARE: /* scale(mul(G, a), 2) */
		if (!(o = value_node(g, r, c)))
			break;
		EACH(N) o->v[i] = 2 * (G[i] * A[i]);
		break;
	case NN_SUMSQ_GROUPS: /* scale(mul(repeat_cols(G, k), a), 2) */
		if (!(o = value_node(g, r, c)))
			break;
		for (int64_t i = 0; i < N; i++) {
			int64_t k = x->a0;
			double gi = G[i];
			const double *ai = A + i * k;
			double *oi = o->v + i * k;
			for (int64_t j = 0; j < k; j++)
				oi[j] = 2 * (gi * ai[j]);
		}
		break;
	case NN_MUL_ROW: /* s = 1: sum_rows(mul(G, a)), rows in order as scuot_nn_sum_rows */
		if (s != 1 || !(o = value_node(g, 1, c)))
			return s != 1 ? 0 : 1;
		memset(o->v, 0, sizeof(double) * (size_t)c);
		for (int64_t i = 0; i < r; i++)
			for (int64_t j = 0; j < c; j++)
				o->v[j] += G[i * c + j] * A[i * c + j];
		break;
	case NN_MUL_COL: /* s = 1: sum_cols(mul(G, a)) */
		if (s != 1 || !(o = value_node(g, r, 1)))
			return s != 1 ? 0 : 1;
		for (int64_t i = 0; i < r; i++) {
			double t = 0;
			for (int64_t j = 0; j < c; j++)
				t += G[i * c + j] * A[i * c + j];
			o->v[i] = t;
		}
		break;
	case NN_SMUL: /* s = 1: sum(mul(G, a)) */
		if (s != 1 || !(o = value_node(g, 1, 1)))
			return s != 1 ? 0 : 1;
		o->v[0] = 0;
		for (int64_t i = 0; i < r * c; i++)
			o->v[0] += G[i] * A[i];
		break;
	default:
		return 0;
	}
	*d = o;
	return 1;
}
