/* test_nn.c -- unit tests of src/lib/nn: every operation's gradient against central finite differences,
 * second-order paths (gradients of |grad_x f|^2 in the parameters), the USD critic loss and the optimisers
 * against PyTorch (tests/fixtures/nn, made by make_fixtures.py), layers and the graph's error handling. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "nn/layers.h"
#include "nn/nn.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name tests/fixtures/nn"
#endif

/* ---- finite-difference checker ----
 * fn builds a 1 x 1 node from k input nodes; the analytic gradient of every input entry is compared with
 * the central difference (f(x + h) - f(x - h)) / 2h. */
typedef scuot_nn_node *(*build_fn)(scuot_nn_graph *g, scuot_nn_node **in, void *ctx);

typedef struct {
	int k;
	int64_t r[4], c[4];
	double *v[4];
} inputs;

static double eval(scuot_nn_graph *g, build_fn fn, inputs *x, void *ctx)
{
	scuot_nn_graph_reset(g);
	scuot_nn_node *in[4];
	for (int i = 0; i < x->k; i++)
		in[i] = scuot_nn_input(g, x->r[i], x->c[i], x->v[i]);
	scuot_nn_node *y = fn(g, in, ctx);
	cr_assert_not_null(y, "building the expression failed");
	return y->v[0];
}

static void fd_check(build_fn fn, inputs *x, void *ctx, double tol, const char *what)
{
	scuot_nn_graph *g = scuot_nn_graph_new();
	scuot_err e = { 0 };
	scuot_nn_node *in[4], *d[4];
	for (int i = 0; i < x->k; i++)
		in[i] = scuot_nn_input(g, x->r[i], x->c[i], x->v[i]);
	scuot_nn_node *y = fn(g, in, ctx);
	scuot_nn_graph_error(g, &e);
	cr_assert_not_null(y, "%s: %s", what, e.msg);
	cr_assert_eq(scuot_nn_grad(g, y, x->k, in, d, &e), 0, "%s", e.msg);
	int64_t nv = 0;
	for (int i = 0; i < x->k; i++)
		nv += x->r[i] * x->c[i];
	double *an = malloc(sizeof(double) * (size_t)nv);
	for (int i = 0, o = 0; i < x->k; i++)
		for (int64_t j = 0; j < x->r[i] * x->c[i]; j++)
			an[o++] = d[i]->v[j];
	scuot_nn_graph *g2 = scuot_nn_graph_new();
	for (int i = 0, o = 0; i < x->k; i++)
		for (int64_t j = 0; j < x->r[i] * x->c[i]; j++, o++) {
			double s = x->v[i][j], h = 1e-6 * (1 + fabs(s));
			x->v[i][j] = s + h;
			double fp = eval(g2, fn, x, ctx);
			x->v[i][j] = s - h;
			double fm = eval(g2, fn, x, ctx);
			x->v[i][j] = s;
			double fd = (fp - fm) / (2 * h);
			cr_assert(fabs(fd - an[o]) <= tol * (1 + fabs(fd)), "%s: input %d entry %lld: analytic %.10g, "
			          "finite difference %.10g", what, i, (long long)j, an[o], fd);
		}
	free(an);
	scuot_nn_graph_free(g2);
	scuot_nn_graph_free(g);
}

static double *randv(int64_t n, double lo, double hi, uint64_t seed)
{
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(seed, 0, &e);
	double *v = malloc(sizeof(double) * (size_t)n);
	for (int64_t i = 0; i < n; i++)
		v[i] = lo + (hi - lo) * gsl_rng_uniform(r);
	gsl_rng_free(r);
	return v;
}

/* a scalar of an r x c node that weighs every entry differently, so no gradient is hidden by symmetry */
static scuot_nn_node *weigh(scuot_nn_graph *g, scuot_nn_node *a)
{
	if (!a)
		return NULL;
	scuot_nn_node *w = scuot_nn_const(g, a->r, a->c, NULL);
	for (int64_t i = 0; i < a->r * a->c; i++)
		w->v[i] = 0.3 + 0.17 * (double)(i % 7) - 0.05 * (double)(i % 3);
	return scuot_nn_sum(g, scuot_nn_mul(g, a, w));
}

enum { OP_MATMUL, OP_MATMUL_TA, OP_MATMUL_TB, OP_MATMUL_TT, OP_ADD, OP_SUB, OP_MUL, OP_ADD_ROW, OP_MUL_ROW,
       OP_MUL_COL, OP_SMUL, OP_SCALE, OP_ADD_SCALAR, OP_SUM_ROWS, OP_SUM_COLS, OP_MEAN, OP_BCAST, OP_RELU,
       OP_LEAKY, OP_SOFTPLUS, OP_SIGMOID, OP_TANH, OP_LOGCOSH, OP_EXP, OP_LOG, OP_SQUARE, OP_POW, OP_CONCAT,
       OP_SLICE, OP_PAD, OP_SUM_GROUPS, OP_REPEAT_COLS, OP_SUMSQ_GROUPS, N_OPS };
static const char *op_names[N_OPS] = {
	"matmul", "matmul ta", "matmul tb", "matmul ta tb", "add", "sub", "mul", "add_row", "mul_row", "mul_col",
	"smul", "scale", "add_scalar", "sum_rows", "sum_cols", "mean", "bcast", "relu", "leaky", "softplus",
	"sigmoid", "tanh", "logcosh", "exp", "log", "square", "pow", "concat", "slice", "pad", "sum_groups",
	"repeat_cols", "sumsq_groups"
};

/* inputs: A 4 x 3 (positive for log and pow), B 4 x 3, C 3 x 5, row 1 x 3, col 4 x 1, s 1 x 1 */
static scuot_nn_node *op_expr(scuot_nn_graph *g, scuot_nn_node **in, void *ctx)
{
	int op = *(int *)ctx;
	scuot_nn_node *A = in[0], *B = in[1];
	switch (op) {
	case OP_MATMUL: return weigh(g, scuot_nn_matmul(g, A, 0, scuot_nn_slice(g, scuot_nn_concat(g, B, B), 0, 3), 1));
	case OP_MATMUL_TA: return weigh(g, scuot_nn_matmul(g, A, 1, B, 0));
	case OP_MATMUL_TB: return weigh(g, scuot_nn_matmul(g, A, 0, B, 1));
	case OP_MATMUL_TT: return weigh(g, scuot_nn_matmul(g, A, 1, scuot_nn_matmul(g, B, 0, A, 1), 1));
	case OP_ADD: return weigh(g, scuot_nn_add(g, A, B));
	case OP_SUB: return weigh(g, scuot_nn_sub(g, A, B));
	case OP_MUL: return weigh(g, scuot_nn_mul(g, A, B));
	case OP_ADD_ROW: return weigh(g, scuot_nn_square(g, scuot_nn_add_row(g, A, scuot_nn_sum_rows(g, B))));
	case OP_MUL_ROW: return weigh(g, scuot_nn_mul_row(g, A, scuot_nn_sum_rows(g, B)));
	case OP_MUL_COL: return weigh(g, scuot_nn_mul_col(g, A, scuot_nn_sum_cols(g, B)));
	case OP_SMUL: return weigh(g, scuot_nn_smul(g, A, scuot_nn_sum(g, B)));
	case OP_SCALE: return weigh(g, scuot_nn_scale(g, A, -1.7));
	case OP_ADD_SCALAR: return weigh(g, scuot_nn_square(g, scuot_nn_add_scalar(g, A, 0.4)));
	case OP_SUM_ROWS: return weigh(g, scuot_nn_square(g, scuot_nn_sum_rows(g, A)));
	case OP_SUM_COLS: return weigh(g, scuot_nn_square(g, scuot_nn_sum_cols(g, A)));
	case OP_MEAN: return scuot_nn_square(g, scuot_nn_mean(g, scuot_nn_mul(g, A, B)));
	case OP_BCAST: return weigh(g, scuot_nn_mul(g, scuot_nn_bcast(g, scuot_nn_sum_rows(g, A), 4, 3),
	                                            scuot_nn_bcast(g, scuot_nn_sum_cols(g, B), 4, 3)));
	case OP_RELU: return weigh(g, scuot_nn_relu(g, scuot_nn_sub(g, A, B)));
	case OP_LEAKY: return weigh(g, scuot_nn_leaky(g, scuot_nn_sub(g, A, B), 0.2));
	case OP_SOFTPLUS: return weigh(g, scuot_nn_softplus(g, scuot_nn_scale(g, B, 3)));
	case OP_SIGMOID: return weigh(g, scuot_nn_sigmoid(g, scuot_nn_scale(g, B, 3)));
	case OP_TANH: return weigh(g, scuot_nn_tanh(g, B));
	case OP_LOGCOSH: return weigh(g, scuot_nn_logcosh(g, scuot_nn_scale(g, B, 4)));
	case OP_EXP: return weigh(g, scuot_nn_exp(g, B));
	case OP_LOG: return weigh(g, scuot_nn_log(g, A));
	case OP_SQUARE: return weigh(g, scuot_nn_square(g, B));
	case OP_POW: return weigh(g, scuot_nn_pow(g, A, -0.5));
	case OP_CONCAT: return weigh(g, scuot_nn_square(g, scuot_nn_concat(g, A, B)));
	case OP_SLICE: return weigh(g, scuot_nn_square(g, scuot_nn_slice(g, B, 1, 2)));
	case OP_PAD: return weigh(g, scuot_nn_square(g, scuot_nn_add(g, scuot_nn_pad(g, scuot_nn_slice(g, A, 1, 1), 1, 3),
	                                                            B)));
	case OP_SUM_GROUPS: return weigh(g, scuot_nn_square(g, scuot_nn_sum_groups(g, scuot_nn_concat(g, A, B), 2)));
	case OP_REPEAT_COLS: return weigh(g, scuot_nn_square(g, scuot_nn_repeat_cols(g, scuot_nn_mul(g, A, B), 2)));
	case OP_SUMSQ_GROUPS: return weigh(g, scuot_nn_square(g, scuot_nn_sumsq_groups(g, scuot_nn_concat(g, A, B), 3)));
	}
	return NULL;
}

Test(nn, every_operation_matches_finite_differences)
{
	for (int op = 0; op < N_OPS; op++) {
		inputs x = { .k = 2, .r = { 4, 4 }, .c = { 3, 3 } };
		x.v[0] = randv(12, 0.3, 2.0, 11 + (uint64_t)op);
		x.v[1] = randv(12, -1.5, 1.5, 101 + (uint64_t)op);
		fd_check(op_expr, &x, &op, 1e-6, op_names[op]);
		free(x.v[0]);
		free(x.v[1]);
	}
}

/* the first-order sweep of scuot_nn_backward (fused adjoints, recycled memory) gives exactly the values of
 * scuot_nn_grad's chains of operations, for every operation */
Test(nn, backward_sweep_equals_the_chains_bit_for_bit)
{
	for (int op = 0; op < N_OPS; op++) {
		scuot_err e = { 0 };
		scuot_nn_model *m = scuot_nn_model_new();
		scuot_nn_tensor *t[2] = { scuot_nn_model_add(m, "A", 4, 3, &e), scuot_nn_model_add(m, "B", 4, 3, &e) };
		cr_assert(t[0] && t[1], "%s", e.msg);
		double *v[2] = { randv(12, 0.3, 2.0, 31 + (uint64_t)op), randv(12, -1.5, 1.5, 301 + (uint64_t)op) };
		for (int i = 0; i < 2; i++)
			memcpy(t[i]->v, v[i], sizeof(double) * 12);
		scuot_nn_graph *g = scuot_nn_graph_new();
		scuot_nn_node *in[2] = { scuot_nn_param(g, t[0]), scuot_nn_param(g, t[1]) }, *d[2];
		scuot_nn_node *y = op_expr(g, in, &op);
		cr_assert_not_null(y, "%s", op_names[op]);
		cr_assert_eq(scuot_nn_grad(g, y, 2, in, d, &e), 0, "%s", e.msg);
		scuot_nn_model_zero_grad(m);
		cr_assert_eq(scuot_nn_backward(g, y, m, &e), 0, "%s", e.msg);
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 12; j++)
				cr_assert(d[i]->v[j] == t[i]->g[j], /* exactly (the accumulation into g turns -0 into 0) */
				          "%s: input %d entry %d: chains %.17g, backward %.17g", op_names[op], i, j, d[i]->v[j],
				          t[i]->g[j]);
		scuot_nn_graph_free(g);
		scuot_nn_model_free(m);
		free(v[0]);
		free(v[1]);
	}
}

/* second order: the derivative of each operation's gradient (through a weighted sum of squares of the first
 * gradient) against finite differences of that first gradient */
static scuot_nn_node *grad_norm_expr(scuot_nn_graph *g, scuot_nn_node **in, void *ctx)
{
	scuot_nn_node *y = op_expr(g, in, ctx), *d[2];
	if (!y || scuot_nn_grad(g, y, 2, in, d, NULL) < 0)
		return NULL;
	return scuot_nn_add(g, weigh(g, scuot_nn_square(g, d[0])), weigh(g, scuot_nn_square(g, d[1])));
}

Test(nn, gradients_of_gradients_match_finite_differences)
{
	for (int op = 0; op < N_OPS; op++) {
		inputs x = { .k = 2, .r = { 4, 4 }, .c = { 3, 3 } };
		x.v[0] = randv(12, 0.3, 2.0, 21 + (uint64_t)op);
		x.v[1] = randv(12, -1.5, 1.5, 201 + (uint64_t)op);
		char what[64];
		snprintf(what, sizeof(what), "second order %s", op_names[op]);
		fd_check(grad_norm_expr, &x, &op, 2e-6, what);
		free(x.v[0]);
		free(x.v[1]);
	}
}

/* ---- networks: the Sobolev penalty's gradient in the parameters ---- */
typedef struct {
	scuot_nn_model *m;
	scuot_nn_mlp mlp;
	scuot_nn_resnet res;
	int use_res;
	double *x;
	int64_t n, d;
} netctx;

static scuot_nn_node *net_penalty(scuot_nn_graph *g, netctx *c)
{
	scuot_nn_node *x = scuot_nn_input(g, c->n, c->d, c->x), *d;
	scuot_nn_node *f = c->use_res ? scuot_nn_matmul(g, scuot_nn_resnet_fwd(g, &c->res, x), 0,
	                                                scuot_nn_param(g, c->m->t[c->m->n - 1]), 0) :
	                                scuot_nn_mlp_fwd(g, &c->mlp, x, NULL);
	if (!f || scuot_nn_grad(g, scuot_nn_sum(g, f), 1, &x, &d, NULL) < 0)
		return NULL;
	/* E |grad_x f|^2 + Var f + E f, as in the USD critic objective */
	scuot_nn_node *sob = scuot_nn_mean(g, scuot_nn_sum_cols(g, scuot_nn_square(g, d)));
	scuot_nn_node *mf = scuot_nn_mean(g, f);
	scuot_nn_node *var = scuot_nn_sub(g, scuot_nn_mean(g, scuot_nn_square(g, f)), scuot_nn_square(g, mf));
	return scuot_nn_add(g, scuot_nn_add(g, sob, scuot_nn_scale(g, var, 0.6)), mf);
}

static void net_check(netctx *c, const char *what)
{
	scuot_nn_graph *g = scuot_nn_graph_new();
	scuot_err e = { 0 };
	scuot_nn_model_zero_grad(c->m);
	scuot_nn_node *L = net_penalty(g, c);
	cr_assert_not_null(L, "%s", what);
	cr_assert_eq(scuot_nn_backward(g, L, c->m, &e), 0, "%s", e.msg);
	for (int t = 0; t < c->m->n; t++) {
		scuot_nn_tensor *T = c->m->t[t];
		for (int64_t j = 0; j < T->r * T->c; j++) {
			double s = T->v[j], h = 1e-6 * (1 + fabs(s));
			T->v[j] = s + h;
			scuot_nn_graph_reset(g);
			double fp = net_penalty(g, c)->v[0];
			T->v[j] = s - h;
			scuot_nn_graph_reset(g);
			double fm = net_penalty(g, c)->v[0];
			T->v[j] = s;
			double fd = (fp - fm) / (2 * h);
			cr_assert(fabs(fd - T->g[j]) <= 2e-6 * (1 + fabs(fd)), "%s: %s[%lld]: analytic %.10g, "
			          "finite difference %.10g", what, T->name, (long long)j, T->g[j], fd);
		}
	}
	scuot_nn_graph_free(g);
}

Test(nn, sobolev_penalty_parameter_gradients_of_networks)
{
	static const int acts[] = { SCUOT_NN_RELU, SCUOT_NN_LEAKY, SCUOT_NN_SOFTPLUS, SCUOT_NN_TANH,
	                            SCUOT_NN_SIGMOID, SCUOT_NN_LOGCOSH };
	scuot_err e = { 0 };
	for (int k = 0; k < 6; k++) {
		netctx c = { .m = scuot_nn_model_new(), .n = 9, .d = 3 };
		gsl_rng *r = scuot_rng_new(5 + (uint64_t)k, 0, &e);
		scuot_nn_mlp_spec s = { .n_hidden = 3, .hidden = { 6, 8, 5 }, .act = acts[k], .slope = 0.2,
		                        .bn_at = 1, .dropout_at = -1, .out_bias = k % 2, .out_act = SCUOT_NN_IDENTITY };
		cr_assert_eq(scuot_nn_mlp_init(&c.mlp, c.m, "f", 3, 1, &s, r, &e), 0, "%s", e.msg);
		c.x = randv(27, -1.5, 1.5, 40 + (uint64_t)k);
		char what[64];
		snprintf(what, sizeof(what), "MLP with batch norm, activation %d", acts[k]);
		net_check(&c, what);
		free(c.x);
		gsl_rng_free(r);
		scuot_nn_model_free(c.m);
	}
	/* the residual network of the SWFR potential (log-cosh) */
	netctx c = { .m = scuot_nn_model_new(), .n = 7, .d = 3, .use_res = 1 };
	gsl_rng *r = scuot_rng_new(77, 0, &e);
	cr_assert_eq(scuot_nn_resnet_init(&c.res, c.m, "N", 3, 6, 3, SCUOT_NN_LOGCOSH, r, &e), 0, "%s", e.msg);
	scuot_nn_tensor *w = scuot_nn_model_add(c.m, "w", 6, 1, &e);
	for (int j = 0; j < 6; j++)
		w->v[j] = 0.3 * (j - 2.5);
	c.x = randv(21, -1.5, 1.5, 78);
	net_check(&c, "residual network");
	free(c.x);
	gsl_rng_free(r);
	scuot_nn_model_free(c.m);
}

/* ---- PyTorch fixtures ---- */
typedef struct {
	char name[64];
	int64_t r, c;
	double *v;
} rec;

static rec *fixture(int *n)
{
	FILE *fp = fopen(FIXTURE_DIR "/fixtures.txt", "r");
	cr_assert_not_null(fp, "cannot open %s/fixtures.txt", FIXTURE_DIR);
	rec *R = calloc(64, sizeof(rec));
	int k = 0;
	long long r, c;
	while (k < 64 && fscanf(fp, "%63s %lld %lld", R[k].name, &r, &c) == 3) {
		R[k].r = r;
		R[k].c = c;
		R[k].v = malloc(sizeof(double) * (size_t)(r * c));
		for (int64_t i = 0; i < r * c; i++)
			cr_assert_eq(fscanf(fp, "%lf", &R[k].v[i]), 1);
		k++;
	}
	fclose(fp);
	*n = k;
	return R;
}

static const rec *get(const rec *R, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(R[i].name, name))
			return &R[i];
	cr_assert_fail("fixture record %s missing", name);
	return NULL;
}

static void close_to(const double *a, const double *b, int64_t n, double tol, const char *what)
{
	for (int64_t i = 0; i < n; i++)
		cr_assert(fabs(a[i] - b[i]) <= tol * (1 + fabs(b[i])), "%s[%lld]: scuot %.15g, PyTorch %.15g", what,
		          (long long)i, a[i], b[i]);
}

Test(nn, usd_critic_loss_and_gradients_equal_pytorch)
{
	int nr;
	rec *R = fixture(&nr);
	scuot_err e = { 0 };
	scuot_nn_model *m = scuot_nn_model_new();
	gsl_rng *r = scuot_rng_new(1, 0, &e);
	scuot_nn_mlp net;
	scuot_nn_mlp_spec s = { .n_hidden = 3, .hidden = { 5, 7, 4 }, .act = SCUOT_NN_RELU, .bn_at = 1,
	                        .dropout_at = -1, .out_bias = 0, .out_act = SCUOT_NN_IDENTITY };
	cr_assert_eq(scuot_nn_mlp_init(&net, m, "c", 3, 1, &s, r, &e), 0, "%s", e.msg);
	cr_assert_eq(m->n, 9);
	for (int t = 0; t < m->n; t++) {
		char nm[80];
		snprintf(nm, sizeof(nm), "%s", m->t[t]->name);
		const rec *x = get(R, nr, nm);
		cr_assert(x->r == m->t[t]->r && x->c == m->t[t]->c, "%s: shape", nm);
		memcpy(m->t[t]->v, x->v, sizeof(double) * (size_t)(x->r * x->c));
	}
	const rec *xp = get(R, nr, "usd.xp"), *xq = get(R, nr, "usd.xq"), *wp = get(R, nr, "usd.wp"),
	          *wq = get(R, nr, "usd.wq"), *hy = get(R, nr, "usd.hyper");
	double alpha = hy->v[0], lam = hy->v[1], rho = hy->v[2];
	scuot_nn_graph *g = scuot_nn_graph_new();
	scuot_nn_node *Xp = scuot_nn_const(g, xp->r, xp->c, xp->v), *Xq = scuot_nn_input(g, xq->r, xq->c, xq->v);
	scuot_nn_node *Wp = scuot_nn_const(g, wp->r, 1, wp->v), *Wq = scuot_nn_const(g, wq->r, 1, wq->v);
	scuot_nn_node *fp = scuot_nn_mlp_fwd(g, &net, Xp, NULL), *fq = scuot_nn_mlp_fwd(g, &net, Xq, NULL), *gx;
	scuot_nn_node *Ep = scuot_nn_mean(g, scuot_nn_mul(g, Wp, fp)), *Eq = scuot_nn_mean(g, scuot_nn_mul(g, Wq, fq));
	scuot_nn_node *fisher = scuot_nn_sub(g, scuot_nn_mean(g, scuot_nn_mul(g, Wq, scuot_nn_square(g, fq))),
	                                     scuot_nn_square(g, Eq));
	cr_assert_eq(scuot_nn_grad(g, scuot_nn_sum(g, fq), 1, &Xq, &gx, &e), 0, "%s", e.msg);
	scuot_nn_node *sob = scuot_nn_mean(g, scuot_nn_mul(g, Wq, scuot_nn_sum_cols(g, scuot_nn_square(g, gx))));
	scuot_nn_node *c = scuot_nn_add_scalar(g, scuot_nn_add(g, sob, scuot_nn_scale(g, fisher, alpha)), -1);
	scuot_nn_node *obj = scuot_nn_sub(g, scuot_nn_sub(g, Ep, Eq),
	                                  scuot_nn_add(g, scuot_nn_scale(g, c, lam),
	                                               scuot_nn_scale(g, scuot_nn_square(g, c), rho / 2)));
	scuot_nn_node *loss = scuot_nn_scale(g, obj, -1);
	cr_assert_not_null(loss);
	close_to(fq->v, get(R, nr, "usd.fq")->v, 8, 1e-12, "f(x_q)");
	close_to(gx->v, get(R, nr, "usd.gradx")->v, 24, 1e-12, "grad_x f");
	close_to(loss->v, get(R, nr, "usd.loss")->v, 1, 1e-12, "loss");
	scuot_nn_model_zero_grad(m);
	cr_assert_eq(scuot_nn_backward(g, loss, m, &e), 0, "%s", e.msg);
	for (int t = 0; t < m->n; t++) {
		char nm[80];
		snprintf(nm, sizeof(nm), "grad.%s", m->t[t]->name);
		close_to(m->t[t]->g, get(R, nr, nm)->v, m->t[t]->r * m->t[t]->c, 1e-10, nm);
	}
	scuot_nn_graph_free(g);
	scuot_nn_model_free(m);
	gsl_rng_free(r);
	for (int i = 0; i < nr; i++)
		free(R[i].v);
	free(R);
}

Test(nn, optimisers_follow_pytorch)
{
	int nr;
	rec *R = fixture(&nr);
	const double *A = get(R, nr, "opt.A")->v, *b = get(R, nr, "opt.b")->v, *p0 = get(R, nr, "opt.p0")->v;
	static const char *names[] = { "adam", "amsgrad", "adamw", "sgd" };
	for (int k = 0; k < 4; k++) {
		scuot_err e = { 0 };
		scuot_nn_model *m = scuot_nn_model_new();
		scuot_nn_tensor *p = scuot_nn_model_add(m, "p", 1, 6, &e);
		memcpy(p->v, p0, sizeof(double) * 6);
		scuot_nn_optim o = k == 3 ? scuot_nn_sgd(0.05, 0.9) : scuot_nn_adam(0.05);
		if (k == 1) {
			o.weight_decay = 0.1;
			o.amsgrad = 1;
		} else if (k == 2) {
			o.weight_decay = 0.1;
			o.decoupled = 1;
		}
		for (int it = 0; it < 25; it++) {
			for (int j = 0; j < 6; j++) /* gradient of sum(A p^2)/2 + b.p + sum(sin p) */
				p->g[j] = A[j] * p->v[j] + b[j] + cos(p->v[j]);
			cr_assert_eq(scuot_nn_optim_step(&o, m, &e), 0);
		}
		char nm[32];
		snprintf(nm, sizeof(nm), "opt.%s", names[k]);
		close_to(p->v, get(R, nr, nm)->v, 6, 1e-12, nm);
		scuot_nn_model_free(m);
	}
	for (int i = 0; i < nr; i++)
		free(R[i].v);
	free(R);
}

/* ---- layers and graph behaviour ---- */
Test(nn, batch_norm_and_dropout)
{
	scuot_err e = { 0 };
	scuot_nn_model *m = scuot_nn_model_new();
	scuot_nn_bn bn;
	cr_assert_eq(scuot_nn_bn_init(&bn, m, "bn", 4, &e), 0);
	scuot_nn_graph *g = scuot_nn_graph_new();
	double *xv = randv(200 * 4, -3, 7, 9);
	scuot_nn_node *y = scuot_nn_bn_fwd(g, &bn, scuot_nn_const(g, 200, 4, xv));
	cr_assert_not_null(y);
	for (int j = 0; j < 4; j++) {
		double s = 0, s2 = 0;
		for (int i = 0; i < 200; i++) {
			s += y->v[i * 4 + j];
			s2 += y->v[i * 4 + j] * y->v[i * 4 + j];
		}
		cr_assert(fabs(s / 200) < 1e-12 && fabs(s2 / 200 - 1) < 1e-3, "column %d: mean %g, variance %g", j,
		          s / 200, s2 / 200);
	}
	gsl_rng *r = scuot_rng_new(3, 0, &e);
	scuot_nn_node *ones = scuot_nn_add_scalar(g, scuot_nn_const(g, 100, 100, NULL), 1);
	scuot_nn_node *dr = scuot_nn_dropout(g, ones, 0.2, r);
	int zeros = 0;
	double sum = 0;
	for (int i = 0; i < 10000; i++) {
		zeros += dr->v[i] == 0;
		sum += dr->v[i];
		cr_assert(dr->v[i] == 0 || fabs(dr->v[i] - 1.25) < 1e-15);
	}
	cr_assert(zeros > 1800 && zeros < 2200, "dropped %d of 10000 at p = 0.2", zeros);
	cr_assert(fabs(sum / 10000 - 1) < 0.03, "mean after dropout %g", sum / 10000);
	cr_assert_eq(scuot_nn_dropout(g, ones, 0.2, NULL), ones, "evaluation mode keeps the input");
	free(xv);
	gsl_rng_free(r);
	scuot_nn_graph_free(g);
	scuot_nn_model_free(m);
}

Test(nn, errors_are_recorded_and_propagate)
{
	scuot_nn_graph *g = scuot_nn_graph_new();
	scuot_err e = { 0 };
	scuot_nn_node *a = scuot_nn_const(g, 2, 3, NULL), *b = scuot_nn_const(g, 3, 3, NULL);
	cr_assert_null(scuot_nn_add(g, a, b));
	cr_assert_null(scuot_nn_relu(g, scuot_nn_add(g, a, a)), "every operation after an error fails");
	cr_assert_eq(scuot_nn_graph_error(g, &e), SCUOT_EINTERNAL);
	cr_assert(strstr(e.msg, "2x3 and 3x3"), "message: %s", e.msg);
	scuot_nn_graph_reset(g);
	cr_assert_eq(scuot_nn_graph_error(g, &e), 0);
	a = scuot_nn_input(g, 2, 3, NULL);
	scuot_nn_node *d;
	cr_assert_neq(scuot_nn_grad(g, a, 1, &a, &d, &e), 0, "gradient of a non-scalar");
	scuot_nn_graph_reset(g);
	/* memory is kept across resets: the second use of the same expression allocates one block */
	for (int it = 0; it < 3; it++) {
		scuot_nn_graph_reset(g);
		scuot_nn_node *x = scuot_nn_input(g, 300, 300, NULL), *dx;
		scuot_nn_node *y = scuot_nn_sum(g, scuot_nn_square(g, scuot_nn_matmul(g, x, 0, x, 1)));
		cr_assert_eq(scuot_nn_grad(g, y, 1, &x, &dx, &e), 0);
		int64_t bytes;
		cr_assert_gt(scuot_nn_graph_size(g, &bytes), 5);
		cr_assert_gt(bytes, 300 * 300 * 8 * 5);
	}
	/* the gradient with respect to a node y does not depend on is zero */
	scuot_nn_graph_reset(g);
	scuot_nn_node *u = scuot_nn_input(g, 2, 2, NULL), *v = scuot_nn_input(g, 2, 2, NULL), *du;
	cr_assert_eq(scuot_nn_grad(g, scuot_nn_sum(g, v), 1, &u, &du, &e), 0);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(du->v[i], 0);
	scuot_nn_graph_free(g);
}

/* The transcendental operations run vectorised (core/vmath_internal.h, in the clone the CPU selects): their
 * values against glibc's functions on a 37 x 29 node (vector bodies and tails), in [-40, 40] and near 0. */
Test(nn, transcendental_values_match_libm)
{
	scuot_nn_graph *g = scuot_nn_graph_new();
	int64_t r = 37, c = 29, N = r * c;
	double *x = malloc(sizeof(double) * (size_t)N);
	cr_assert(g && x);
	for (int64_t i = 0; i < N; i++)
		x[i] = i % 3 ? 40 * sin(0.37 * (double)i + 0.1) : 1e-3 * cos((double)i) * pow(10, -(double)(i % 40));
	scuot_nn_node *a = scuot_nn_const(g, r, c, x), *th = scuot_nn_tanh(g, a), *lc = scuot_nn_logcosh(g, a);
	scuot_nn_node *sp = scuot_nn_softplus(g, a), *sg = scuot_nn_sigmoid(g, a), *ex = scuot_nn_exp(g, a), *th2;
	scuot_nn_node *lc2 = scuot_nn_logcosh_tanh(g, a, &th2);
	cr_assert(th && lc && sp && sg && ex && lc2 && th2);
	for (int64_t i = 0; i < N; i++) {
		double v = x[i], ta = tanh(v), l = fabs(v) + log1p(exp(-2 * fabs(v))) - M_LN2;
		double s = (v > 0 ? v : 0) + log1p(exp(-fabs(v))), q = 1 / (1 + exp(-v)), ev = exp(v);
		cr_assert(fabs(th->v[i] - ta) <= 4 * DBL_EPSILON * fabs(ta), "tanh(%.17g): %.17g, libm %.17g", v, th->v[i], ta);
		cr_assert(fabs(lc->v[i] - l) <= 4 * DBL_EPSILON * (fabs(v) + 1), "logcosh(%.17g): %.17g / %.17g", v, lc->v[i], l);
		cr_assert(fabs(th2->v[i] - ta) <= 4 * DBL_EPSILON * fabs(ta), "fused tanh(%.17g): %.17g / %.17g", v, th2->v[i], ta);
		cr_assert(fabs(lc2->v[i] - l) <= 4 * DBL_EPSILON * (fabs(v) + 1), "fused logcosh(%.17g): %.17g / %.17g", v,
		          lc2->v[i], l);
		cr_assert(signbit(th2->v[i]) == signbit(v), "fused tanh(%.17g): sign", v);
		cr_assert(fabs(sp->v[i] - s) <= 4 * DBL_EPSILON * (fabs(v) + 1), "softplus(%.17g): %.17g / %.17g", v, sp->v[i], s);
		cr_assert(fabs(sg->v[i] - q) <= 4 * DBL_EPSILON * q, "sigmoid(%.17g): %.17g / %.17g", v, sg->v[i], q);
		cr_assert(fabs(ex->v[i] - ev) <= 2 * DBL_EPSILON * ev, "exp(%.17g): %.17g / %.17g", v, ex->v[i], ev);
	}
	free(x);
	scuot_nn_graph_free(g);
}
