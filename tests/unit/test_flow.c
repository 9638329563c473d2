/* test_flow.c -- unit tests of src/lib/flow: closed-form Sobolev critics against a direct linear solve,
 * critic and kernel gradients against finite differences, the MMD-step QP's KKT conditions, weights on the
 * simplex or positive, and the papers' synthetic orderings on reduced step budgets. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/rng.h"
#include "flow/flow.h"
#include "flow/flow_internal.h"
#include "kern/kern.h"
#include "ot/cost.h"
#include "ot/interp.h"
#include "ot/ot.h"

static double *gauss_cloud(int64_t n, int64_t d, const double *mean, double sd, uint64_t seed)
{
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(seed, 0, &e);
	double *x = malloc(sizeof(double) * (size_t)(n * d));
	cr_assert(r && x);
	for (int64_t i = 0; i < n * d; i++)
		x[i] = (mean ? mean[i % d] : 0) + gsl_ran_gaussian(r, sd);
	gsl_rng_free(r);
	return x;
}

static double *uniform_w(int64_t n, uint64_t seed)
{
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(seed, 1, &e);
	double *w = malloc(sizeof(double) * (size_t)n);
	cr_assert(r && w);
	for (int64_t i = 0; i < n; i++)
		w[i] = 0.2 + gsl_rng_uniform(r);
	gsl_rng_free(r);
	return w;
}

/* Solve A x = b (k x k) by Gaussian elimination with partial pivoting; A and b are overwritten. */
static void gauss_solve(double *A, double *b, int k)
{
	for (int c = 0; c < k; c++) {
		int p = c;
		for (int i = c + 1; i < k; i++)
			if (fabs(A[i * k + c]) > fabs(A[p * k + c]))
				p = i;
		for (int j = 0; j < k; j++) {
			double t = A[c * k + j];
			A[c * k + j] = A[p * k + j], A[p * k + j] = t;
		}
		double t = b[c];
		b[c] = b[p], b[p] = t;
		for (int i = c + 1; i < k; i++) {
			double f = A[i * k + c] / A[c * k + c];
			for (int j = c; j < k; j++)
				A[i * k + j] -= f * A[c * k + j];
			b[i] -= f * b[c];
		}
	}
	for (int c = k - 1; c >= 0; c--) {
		for (int j = c + 1; j < k; j++)
			b[c] -= A[c * k + j] * b[j];
		b[c] /= A[c * k + c];
	}
}

/* The critic by its definition: phi_k(x) = sqrt(2/F) cos(w_k x + b_k), J_ak = -sqrt(2/F) sin(.) W_ka,
 * D = sum_i w_i J^T J, C = sum_i w_i phi phi^T - gamma mu mu^T, (D + alpha C + lambda I) u = mu_p - mu_q. */
static void critic_direct(const scuot_kern_rff *f, const double *x, int n, const double *w, const double *mu_p,
                          double alpha, double gamma, double lambda, double *u)
{
	int F = (int)f->D, d = (int)f->d;
	double *A = calloc((size_t)F * F, sizeof(double)), *mu = calloc((size_t)F, sizeof(double));
	double *phi = malloc(sizeof(double) * F), *J = malloc(sizeof(double) * F * d), c = sqrt(2.0 / F);
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < F; k++) {
			double z = f->b[k];
			for (int a = 0; a < d; a++)
				z += f->W[k * d + a] * x[i * d + a];
			phi[k] = c * cos(z);
			for (int a = 0; a < d; a++)
				J[a * F + k] = -c * sin(z) * f->W[k * d + a];
		}
		for (int k = 0; k < F; k++) {
			mu[k] += w[i] * phi[k];
			for (int l = 0; l < F; l++) {
				double jj = 0;
				for (int a = 0; a < d; a++)
					jj += J[a * F + k] * J[a * F + l];
				A[k * F + l] += w[i] * (jj + alpha * phi[k] * phi[l]);
			}
		}
	}
	for (int k = 0; k < F; k++) {
		for (int l = 0; l < F; l++)
			A[k * F + l] -= alpha * gamma * mu[k] * mu[l];
		A[k * F + k] += lambda;
		u[k] = mu_p[k] - mu[k];
	}
	gauss_solve(A, u, F);
	free(A);
	free(mu);
	free(phi);
	free(J);
}

Test(flow, critic_equals_direct_solve)
{
	scuot_err e = { 0 };
	int n = 37, d = 3, F = 24;
	double *x = gauss_cloud(n, d, NULL, 1.0, 1), *w = uniform_w(n, 2), mu_p[24], u[24], ud[24];
	scuot_kern_rff *f = scuot_kern_rff_new(d, F, 1.3, 5, 0, &e);
	double ws = 0;
	cr_assert(f, "%s", e.msg);
	for (int i = 0; i < n; i++)
		ws += w[i];
	for (int i = 0; i < n; i++)
		w[i] /= ws; /* C_gamma is positive semi-definite for masses of total <= 1 */
	for (int k = 0; k < F; k++)
		mu_p[k] = 0.1 * sin(k + 1.0);
	const double cases[][3] = { { 0, 1, 1e-3 }, { 0.7, 1, 1e-2 }, { 0.7, 0, 1e-4 }, { 2.0, 1, 1e-6 } };
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		double alpha = cases[c][0], gamma = cases[c][1], lambda = cases[c][2], err = 0, nrm = 0;
		cr_assert_eq(scuot_flow_sobolev_critic(f, x, n, w, mu_p, alpha, gamma, lambda, u, NULL, &e), 0, "%s",
		             e.msg);
		critic_direct(f, x, n, w, mu_p, alpha, gamma, lambda, ud);
		for (int k = 0; k < F; k++)
			err = fmax(err, fabs(u[k] - ud[k])), nrm = fmax(nrm, fabs(ud[k]));
		cr_assert(err <= 1e-8 * nrm, "alpha %g gamma %g lambda %g: critic differs from the direct solve by %g "
		          "(largest entry %g)", alpha, gamma, lambda, err, nrm);
	}
	scuot_kern_rff_free(f);
	free(x);
	free(w);
}

Test(flow, critic_gradient_matches_finite_differences)
{
	scuot_err e = { 0 };
	int n = 9, d = 4, F = 50;
	double *x = gauss_cloud(n, d, NULL, 1.0, 3), u[50], *val = malloc(sizeof(double) * n);
	double *grad = malloc(sizeof(double) * n * d), xp[4], xm[4], vp, vm, h = 1e-6;
	scuot_kern_rff *f = scuot_kern_rff_new(d, F, 0.8, 9, 0, &e);
	cr_assert(f);
	for (int k = 0; k < F; k++)
		u[k] = cos(3.0 * k);
	cr_assert_eq(scuot_flow_rff_eval(f, u, x, n, val, grad, &e), 0, "%s", e.msg);
	for (int i = 0; i < n; i++)
		for (int a = 0; a < d; a++) {
			memcpy(xp, x + i * d, sizeof xp), memcpy(xm, x + i * d, sizeof xm);
			xp[a] += h, xm[a] -= h;
			cr_assert_eq(scuot_flow_rff_eval(f, u, xp, 1, &vp, NULL, &e), 0);
			cr_assert_eq(scuot_flow_rff_eval(f, u, xm, 1, &vm, NULL, &e), 0);
			double fd = (vp - vm) / (2 * h);
			cr_assert(fabs(fd - grad[i * d + a]) <= 1e-6 * (1 + fabs(fd)), "point %d dim %d: gradient %.10g, "
			          "finite difference %.10g", i, a, grad[i * d + a], fd);
		}
	scuot_kern_rff_free(f);
	free(x);
	free(val);
	free(grad);
}

Test(flow, gauss_apply_sums_and_gradient)
{
	scuot_err e = { 0 };
	int n = 300, m = 530, d = 5; /* more than one tile each way */
	double sigma = 1.7, *q = gauss_cloud(n, d, NULL, 1.0, 4), *z = gauss_cloud(m, d, NULL, 1.2, 5);
	double *v = uniform_w(m, 6), *kv = malloc(sizeof(double) * n), *kvz = malloc(sizeof(double) * n * d);
	double *g = malloc(sizeof(double) * n * d), h = 1e-6;
	for (int j = 0; j < m; j += 3)
		v[j] = -v[j]; /* signed coefficients */
	cr_assert_eq(scuot_flow_gauss_apply(q, n, z, m, v, d, sigma, kv, kvz, &e), 0, "%s", e.msg);
	scuot_flow_gauss_grad(q, n, d, sigma, kv, kvz, g);
	for (int i = 0; i < n; i += 37) {
		double s = 0;
		for (int j = 0; j < m; j++)
			s += v[j] * scuot_kern_gauss(q + i * d, z + j * d, d, sigma);
		cr_assert(fabs(s - kv[i]) <= 1e-12 * m, "row %d: kernel sum %.15g, direct %.15g", i, kv[i], s);
		for (int a = 0; a < d; a++) {
			double xp[5], xm[5], sp = 0, sm = 0;
			memcpy(xp, q + i * d, sizeof xp), memcpy(xm, q + i * d, sizeof xm);
			xp[a] += h, xm[a] -= h;
			for (int j = 0; j < m; j++)
				sp += v[j] * scuot_kern_gauss(xp, z + j * d, d, sigma),
				sm += v[j] * scuot_kern_gauss(xm, z + j * d, d, sigma);
			double fd = (sp - sm) / (2 * h);
			cr_assert(fabs(fd - g[i * d + a]) <= 1e-6 * (1 + fabs(fd)), "row %d dim %d: gradient %.10g, finite "
			          "difference %.10g", i, a, g[i * d + a], fd);
		}
	}
	free(q), free(z), free(v), free(kv), free(kvz), free(g);
}

Test(flow, simplex_projection)
{
	double v[6] = { 0.3, -1, 2.5, 0.31, 0.1, 2.4 };
	scuot_flow_simplex_project(v, 6, 1.0);
	double s = 0;
	for (int i = 0; i < 6; i++) {
		s += v[i];
		cr_assert(v[i] >= 0);
	}
	cr_assert(fabs(s - 1) < 1e-14, "sum %.17g", s);
	/* v = max(o - theta, 0) with one theta: here theta = (2.5 + 2.4 - 1) / 2 = 1.95 */
	cr_assert(fabs(v[2] - 0.55) < 1e-14 && fabs(v[5] - 0.45) < 1e-14 && v[0] == 0 && v[3] == 0, "%g %g", v[2],
	          v[5]);
}

typedef struct dense_h {
	const double *H;
	int n;
} dense_h;

static int dense_mv(void *ctx, const double *v, double *out, scuot_err *e)
{
	(void)e;
	dense_h *h = ctx;
	for (int i = 0; i < h->n; i++) {
		out[i] = 0;
		for (int j = 0; j < h->n; j++)
			out[i] += h->H[i * h->n + j] * v[j];
	}
	return 0;
}

Test(flow, mmd_step_qp_satisfies_kkt)
{
	scuot_err e = { 0 };
	int n = 60, d = 2;
	double *x = gauss_cloud(n, d, NULL, 1.0, 7), *H = malloc(sizeof(double) * n * n), c[60], b[60], g[60];
	double eta = 0.1, lmax = 0;
	for (int i = 0; i < n; i++) {
		double rs = 0;
		for (int j = 0; j < n; j++)
			rs += H[i * n + j] = (1 + 1 / eta) * scuot_kern_gauss(x + i * d, x + j * d, d, 1.0);
		lmax = fmax(lmax, rs);
		c[i] = sin(i) + 2;
	}
	dense_h h = { H, n };
	for (int pass = 0; pass < 2; pass++) { /* the simplex, then the non-negative orthant */
		double z = pass == 0 ? 1.0 : 0.0, kkt, s = 0, nu = INFINITY;
		int64_t it;
		for (int i = 0; i < n; i++)
			b[i] = 1.0 / n;
		cr_assert_eq(scuot_flow_qp_simplex(n, dense_mv, &h, c, lmax, z, 1e-11, 100000, b, &it, &kkt, &e), 0);
		dense_mv(&h, b, g, &e);
		for (int i = 0; i < n; i++)
			g[i] -= c[i], s += b[i], nu = fmin(nu, g[i]);
		cr_assert(kkt <= 1e-11, "KKT residual %g after %lld iterations", kkt, (long long)it);
		for (int i = 0; i < n; i++) {
			cr_assert(b[i] >= 0, "b[%d] = %g", i, b[i]);
			if (z > 0) /* g_i = nu on the support, >= nu off it */
				cr_assert(b[i] * (g[i] - nu) <= 1e-9 && g[i] >= nu, "i %d: b %g g %g nu %g", i, b[i], g[i], nu);
			else
				cr_assert(g[i] >= -1e-6 && fabs(b[i] * g[i]) <= 1e-9, "i %d: b %g g %g", i, b[i], g[i]);
		}
		if (z > 0)
			cr_assert(fabs(s - 1) < 1e-12, "sum %.17g", s);
		/* no feasible perturbation lowers the objective */
		double f0 = 0, f1;
		for (int i = 0; i < n; i++)
			f0 += b[i] * (0.5 * (g[i] + c[i]) - c[i]);
		for (int t = 0; t < 20; t++) {
			double bb[60], gg[60];
			memcpy(bb, b, sizeof bb);
			int i = (t * 7) % n, j = (t * 13 + 5) % n;
			double dlt = 1e-3 * (bb[i] > 0 ? fmin(bb[i], 0.01) : 0);
			bb[i] -= dlt, bb[j] += dlt;
			if (z <= 0)
				bb[j] += 1e-4;
			dense_mv(&h, bb, gg, &e);
			f1 = 0;
			for (int k = 0; k < n; k++)
				f1 += bb[k] * (0.5 * gg[k] - c[k]);
			cr_assert(f1 >= f0 - 1e-12, "perturbation %d lowers the objective: %.15g < %.15g", t, f1, f0);
		}
	}
	free(x), free(H);
}

/* ---- the methods through the table ---- */

typedef struct prob {
	scuot_ot_problem p;
	double *x, *y, *a, *b;
} prob;

static void prob_init(prob *q, double *x, int64_t n, double *y, int64_t m, int64_t d)
{
	memset(q, 0, sizeof *q);
	q->x = x, q->y = y;
	q->a = malloc(sizeof(double) * n), q->b = malloc(sizeof(double) * m);
	for (int64_t i = 0; i < n; i++)
		q->a[i] = 1;
	for (int64_t j = 0; j < m; j++)
		q->b[j] = 1;
	q->p.n = n, q->p.m = m, q->p.d = d, q->p.x = x, q->p.y = y, q->p.a = q->a, q->p.b = q->b;
	q->p.t0 = 0, q->p.t1 = 1, q->p.cost = SCUOT_COST_SQEUCLIDEAN, q->p.max_memory = (size_t)1 << 30;
	q->p.seed = 11;
}

static void prob_free(prob *q)
{
	free(q->x), free(q->y), free(q->a), free(q->b);
}

/* Run method name with its defaults overridden by "name=value" pairs (NULL-terminated). */
static scuot_ot_result *run(const prob *q, const char *name, ...)
{
	scuot_err e = { 0 };
	const scuot_ot_method *m = scuot_ot_method_find(name);
	double par[SCUOT_OT_MAX_PARAMS];
	va_list ap;
	cr_assert(m, "no method %s", name);
	for (int k = 0; k < m->n_params; k++)
		par[k] = m->params[k].def;
	va_start(ap, name);
	for (const char *kv; (kv = va_arg(ap, const char *));) {
		char key[64];
		const char *eq = strchr(kv, '=');
		cr_assert(eq && eq - kv < 64);
		memcpy(key, kv, (size_t)(eq - kv)), key[eq - kv] = 0;
		int k = scuot_ot_param_index(m, key);
		cr_assert(k >= 0, "%s has no parameter %s", name, key);
		par[k] = atof(eq + 1);
	}
	va_end(ap);
	scuot_ot_result *r = scuot_ot_result_new(&q->p, &e);
	cr_assert(r, "%s", e.msg);
	cr_assert_eq(scuot_ot_run(m, &q->p, par, r, &e), 0, "%s: %s", name, e.msg);
	return r;
}

static double last_mmd2(const scuot_ot_result *r)
{
	return r->curve[r->n_curve - 1] * r->curve[r->n_curve - 1];
}

/* Weights on the simplex (simplex 1), positive (0) or non-negative (2), every snapshot; scaling = final /
 * initial weight. */
static void check_weights(const scuot_ot_result *r, int simplex)
{
	for (int k = 0; k < r->n_snap; k++) {
		double s = 0;
		for (int64_t i = 0; i < r->snap[k].np; i++) {
			double w = r->snap[k].w[i];
			cr_assert(simplex ? w >= 0 && isfinite(w) : w > 0 && isfinite(w), "%s snapshot %d weight %lld = %g",
			          r->method, k, (long long)i, w);
			s += w;
		}
		if (simplex == 1)
			cr_assert(fabs(s - r->n) < 1e-9 * r->n, "%s snapshot %d: weights sum to %.15g, not %lld", r->method,
			          k, s, (long long)r->n);
	}
	const scuot_ot_snapshot *l = &r->snap[r->n_snap - 1];
	for (int64_t i = 0; i < r->n; i++)
		cr_assert(fabs(r->scaling[i] - l->w[i] / r->a[i]) < 1e-12 && l->ancestor[i] == i);
}

/* IFT paper, Sec. 4: 100 particles from N(5 1, I) to 100 samples of N(0, [[1, 1/2], [1/2, 2]]), sigma 10,
 * tau 50, eta 0.1.  IFT reaches MMD^2 <= 1e-4 and ends below the MMD flow without noise given twice its
 * iterations (the paper counts an IFT iteration as two steps).  With a fixed target sample of the particles'
 * size the MMD flow does not stall above 1e-3 as in the paper's Fig. 3 (there the target is resampled). */
static prob ift_gaussian(int mixture)
{
	prob q;
	int n = 100, m = 100;
	double five[2] = { 5, 5 }, *x = gauss_cloud(n, 2, five, 1.0, 21), *y = malloc(sizeof(double) * m * 2);
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(22, 0, &e);
	const double mu[3][2] = { { 0, 0 }, { 0, 8 }, { 8, 0 } };
	for (int j = 0; j < m; j++) {
		double g1 = gsl_ran_gaussian(r, 1), g2 = gsl_ran_gaussian(r, 1);
		int c = mixture ? j % 3 : 0;
		/* Cholesky factor of [[1, 1/2], [1/2, 2]]: [[1, 0], [1/2, sqrt(7)/2]] */
		y[2 * j] = mu[c][0] + g1, y[2 * j + 1] = mu[c][1] + 0.5 * g1 + sqrt(7.0) / 2 * g2;
	}
	gsl_rng_free(r);
	prob_init(&q, x, n, y, m, 2);
	return q;
}

Test(flow, ift_beats_mmd_flow_on_gaussian_targets, .timeout = 60)
{
	for (int mix = 0; mix < 2; mix++) {
		prob q = ift_gaussian(mix);
		scuot_ot_result *ri = run(&q, "ift", "sigma=10", "tau=50", "eta=0.1", "steps=1000", "record=50", NULL);
		scuot_ot_result *rm = run(&q, "mmdflow", "sigma=10", "tau=50", "steps=2000", "record=100", NULL);
		check_weights(ri, 1);
		/* the versions for non-negative measures: masses >= 0 (ift's QP over b >= 0), > 0 (wfrflow) */
		scuot_ot_result *ru = run(&q, "ift", "sigma=10", "tau=50", "eta=0.1", "steps=100", "record=20",
		                          "unbalanced=1", NULL);
		scuot_ot_result *rw = run(&q, "wfrflow", "sigma=10", "tau=50", "steps=100", "record=20", "unbalanced=1",
		                          NULL);
		check_weights(ru, 2);
		check_weights(rw, 0);
		cr_expect(last_mmd2(ru) < 0.25 * ru->curve[0] * ru->curve[0] &&
		          last_mmd2(rw) < 0.25 * ru->curve[0] * ru->curve[0],
		          "unbalanced: ift MMD^2 %g, wfrflow MMD^2 %g, start %g", last_mmd2(ru), last_mmd2(rw),
		          ru->curve[0] * ru->curve[0]);
		scuot_ot_result_free(ru);
		scuot_ot_result_free(rw);
		fprintf(stderr, "%s target: ift MMD^2 %.3g, mmdflow MMD^2 %.3g\n", mix ? "mixture" : "gaussian",
		        last_mmd2(ri), last_mmd2(rm));
		cr_expect(last_mmd2(ri) <= 1e-4, "%s: ift MMD^2 %g > 1e-4", mix ? "mixture" : "gaussian", last_mmd2(ri));
		cr_expect(last_mmd2(ri) < last_mmd2(rm), "%s: ift MMD^2 %g >= mmdflow MMD^2 %g", mix ? "mixture" :
		          "gaussian", last_mmd2(ri), last_mmd2(rm));
		scuot_ot_result_free(ri);
		scuot_ot_result_free(rm);
		prob_free(&q);
	}
}

/* USD paper Fig. 1: a 2-D standard Gaussian to a mixture of 8 Gaussians on a circle; at the same step
 * budget the unbalanced descent (mass conserved) is closer to the target than Sobolev descent. */
Test(flow, kusd_beats_ksd_on_eight_modes, .timeout = 60)
{
	prob q;
	int n = 400, m = 400;
	double *x = gauss_cloud(n, 2, NULL, 1.0, 31), *y = malloc(sizeof(double) * m * 2);
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(32, 0, &e);
	for (int j = 0; j < m; j++) {
		double th = 2 * M_PI * (j % 8) / 8;
		y[2 * j] = 4 * cos(th) + gsl_ran_gaussian(r, 0.3), y[2 * j + 1] = 4 * sin(th) + gsl_ran_gaussian(r, 0.3);
	}
	gsl_rng_free(r);
	prob_init(&q, x, n, y, m, 2);
	scuot_ot_result *rs = run(&q, "ksd", "sigma=1", "features=200", "steps=150", "record=150", NULL);
	scuot_ot_result *ru = run(&q, "kusd", "sigma=1", "features=200", "steps=150", "record=150", NULL);
	check_weights(ru, 1);
	fprintf(stderr, "8 modes: ksd MMD %.4g, kusd MMD %.4g (start %.4g)\n", rs->curve[rs->n_curve - 1],
	        ru->curve[ru->n_curve - 1], rs->curve[0]);
	cr_expect(ru->curve[ru->n_curve - 1] < rs->curve[rs->n_curve - 1], "kusd MMD %g >= ksd MMD %g",
	          ru->curve[ru->n_curve - 1], rs->curve[rs->n_curve - 1]);
	cr_expect(rs->curve[rs->n_curve - 1] < 0.5 * rs->curve[0], "ksd did not halve the MMD: %g -> %g",
	          rs->curve[0],
	          rs->curve[rs->n_curve - 1]);
	/* gamma 0: mass not conserved, masses stay positive */
	scuot_ot_result *r0 = run(&q, "kusd", "sigma=1", "features=200", "steps=50", "record=25", "gamma=0", NULL);
	check_weights(r0, 0);
	scuot_ot_result_free(rs);
	scuot_ot_result_free(ru);
	scuot_ot_result_free(r0);
	prob_free(&q);
}

/* Sobolev descent paper Fig. 3: N(0.2, 0.005) to N(1.6, 0.1) in 1-D.  With little regularisation the
 * particles spread out on the way (the path blurs); a larger lambda keeps them concentrated. */
Test(flow, ksd_lambda_smooths_the_path, .timeout = 60)
{
	double spread[2];
	const char *lam[2] = { "lambda=1e-6", "lambda=1" };
	for (int c = 0; c < 2; c++) {
		prob q;
		double m0 = 0.2, m1 = 1.6;
		prob_init(&q, gauss_cloud(500, 1, &m0, 0.005, 41), 500, gauss_cloud(500, 1, &m1, 0.1, 42), 500, 1);
		scuot_ot_result *r = run(&q, "ksd", "sigma=0.3", "features=100", "steps=300", "record=10", "step=0.05",
		                         lam[c], NULL);
		spread[c] = 0;
		for (int k = 0; k < r->n_snap; k++) {
			double mu = 0, v = 0;
			for (int i = 0; i < 500; i++)
				mu += r->snap[k].x[i] / 500;
			for (int i = 0; i < 500; i++)
				v += (r->snap[k].x[i] - mu) * (r->snap[k].x[i] - mu) / 500;
			spread[c] = fmax(spread[c], sqrt(v));
		}
		fprintf(stderr, "1-D %s: largest spread %.4g, final MMD %.4g\n", lam[c], spread[c],
		        r->curve[r->n_curve - 1]);
		scuot_ot_result_free(r);
		prob_free(&q);
	}
	cr_expect(spread[1] < spread[0], "lambda 1 spread %g >= lambda 1e-6 spread %g", spread[1], spread[0]);
}

/* The MMD-split rule picks the snapshot whose MMDs split as s : 1 - s. */
Test(flow, interp_mmd_split)
{
	prob q = ift_gaussian(0);
	scuot_err e = { 0 };
	scuot_interp_pop p;
	scuot_ot_result *r = run(&q, "mmdflow", "sigma=10", "tau=50", "steps=300", "record=1", NULL);
	cr_assert_eq(scuot_interp(r, 0.5, SCUOT_INTERP_AUTO, 0, 1, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(p.rule, SCUOT_INTERP_MMD_SPLIT);
	cr_assert(fabs(p.s - 0.5) < 0.1, "split %g, asked 0.5", p.s);
	double m2s, m2t;
	cr_assert_eq(scuot_kern_mmd2(p.x, p.np, p.w, r->x, r->n, r->a, 2, 10, &m2s, &e), 0);
	cr_assert_eq(scuot_kern_mmd2(p.x, p.np, p.w, r->y, r->m, r->b, 2, 10, &m2t, &e), 0);
	cr_assert(fabs(sqrt(m2s) / (sqrt(m2s) + sqrt(m2t)) - p.s) < 1e-9, "recorded split %g, recomputed %g", p.s,
	          sqrt(m2s) / (sqrt(m2s) + sqrt(m2t)));
	/* the curves: MMD to the target in curve, to the source in curve2, one value per snapshot */
	cr_assert(r->curve2 && r->n_curve == r->n_snap, "curve2 %p, %d curve values for %d snapshots",
	          (void *)r->curve2, r->n_curve, r->n_snap);
	cr_assert_str_eq(r->curve_name, "mmd to target");
	cr_assert_str_eq(r->curve2_name, "mmd to source");
	for (int k = 0; k < r->n_snap; k += r->n_snap / 3) {
		const scuot_ot_snapshot *sn = &r->snap[k];
		cr_assert_eq(scuot_kern_mmd2(sn->x, sn->np, sn->w, r->x, r->n, r->a, 2, 10, &m2s, &e), 0);
		cr_assert_eq(scuot_kern_mmd2(sn->x, sn->np, sn->w, r->y, r->m, r->b, 2, 10, &m2t, &e), 0);
		cr_assert(fabs(m2s - r->curve2[k] * r->curve2[k]) < 1e-12 && fabs(m2t - r->curve[k] * r->curve[k]) < 1e-12,
		          "snapshot %d: MMD to source %.10g (curve2 %.10g), to target %.10g (curve %.10g)", k,
		          sqrt(m2s), r->curve2[k], sqrt(m2t), r->curve[k]);
	}
	cr_assert(r->curve2[0] < 1e-6 && r->curve2[r->n_curve - 1] > r->curve2[0], "MMD to source %g -> %g",
	          r->curve2[0], r->curve2[r->n_curve - 1]);
	scuot_interp_pop_clear(&p);
	scuot_ot_result_free(r);
	prob_free(&q);
}

/* The vectorised exp of the Gaussian tiles and sin/cos of the features against libm: within a few ulp over
 * the ranges they meet (exp of [-750, 0], sin and cos of [-1e5, 1e5]). */
Test(flow, vector_exp_and_sincos_match_libm)
{
	enum { N = 100000 };
	double *t = malloc(sizeof(double) * N), *zz = calloc(N, sizeof(double)), *v = malloc(sizeof(double) * N);
	double *z = malloc(sizeof(double) * N), *sn = malloc(sizeof(double) * N), *b = calloc(N, sizeof(double));
	double worst = 0, acc, ref = 0;
	for (int k = 0; k < N; k++) {
		double a = 750.0 * k / (N - 1); /* exp(-a) with qi = a, g = 1, t = 0 */
		t[k] = 0, zz[k] = 0, v[k] = k % 3 - 1.0;
		ref += v[k] * exp(-a);
		t[k] = a;
	}
	/* the row function computes exp(-max(qi + zz + t, 0) g): put the argument in t */
	acc = flow_tile_row(t, zz, v, N, 0.0, 1.0);
	for (int k = 0; k < N; k++) {
		double a = 750.0 * k / (N - 1), e = exp(-a), err = fabs(t[k] - e) / (e > 1e-300 ? e : 1);
		if (a < 708 && err > worst)
			worst = err;
		cr_assert(a < 708 || t[k] < 1e-307, "exp(-%g) = %g", a, t[k]);
	}
	cr_expect(worst < 5e-16, "exp: largest relative error %g", worst);
	cr_expect(fabs(acc - ref) < 1e-14, "exp: weighted sum %.17g, libm %.17g", acc, ref);
	worst = 0;
	for (int k = 0; k < N; k++)
		z[k] = (k % 2 ? 1 : -1) * pow(10.0, -3 + 8.0 * k / (N - 1)), b[k] = 0;
	memcpy(t, z, sizeof(double) * N);
	flow_sincos_row(z, sn, b, N, 1.0);
	for (int k = 0; k < N; k++) {
		double ec = fabs(z[k] - cos(t[k])), es = fabs(sn[k] - sin(t[k]));
		worst = fmax(worst, fmax(ec, es));
	}
	cr_expect(worst < 5e-16, "sin/cos: largest absolute error %g", worst);
	free(t), free(zz), free(v), free(z), free(sn), free(b);
}

/* The symmetric product of the MMD step from the upper triangle: against the full product, for sizes with
 * partial blocks and rows left over from the groups of eight, and the same bits on 1 and 3 threads. */
Test(flow, symv_from_upper_triangle)
{
	const int64_t sizes[] = { 1, 7, 9, 300, 777 };
	for (int q = 0; q < 5; q++) {
		int64_t n = sizes[q];
		double *a = malloc(sizeof(double) * (size_t)(n * n)), *v = malloc(sizeof(double) * (size_t)n);
		double *o1 = malloc(sizeof(double) * (size_t)n), *o3 = malloc(sizeof(double) * (size_t)n);
		double *part = malloc(sizeof(double) * (size_t)(n * ((n + FLOW_SYMV_ROWS - 1) / FLOW_SYMV_ROWS)));
		cr_assert(a && v && o1 && o3 && part);
		for (int64_t i = 0; i < n; i++) {
			v[i] = sin(0.7 * (double)i + 0.3);
			for (int64_t j = 0; j < n; j++) /* the lower triangle holds garbage: it must not be read */
				a[i * n + j] = j >= i ? exp(-0.01 * (double)((i - j) * (i - j))) + 0.1 * cos((double)(i + j)) : NAN;
		}
#ifdef _OPENMP
		omp_set_num_threads(1);
#endif
		flow_symv(a, n, v, 1.5, -0.25, o1, part);
#ifdef _OPENMP
		omp_set_num_threads(3);
#endif
		flow_symv(a, n, v, 1.5, -0.25, o3, part);
		double scale = 0, worst = 0;
		for (int64_t i = 0; i < n; i++) {
			double s = 0;
			for (int64_t j = 0; j < n; j++)
				s += (j >= i ? a[i * n + j] : a[j * n + i]) * v[j];
			s = 1.5 * s - 0.25 * v[i];
			scale = fmax(scale, fabs(s)), worst = fmax(worst, fabs(o1[i] - s));
			cr_assert(memcmp(&o1[i], &o3[i], sizeof(double)) == 0, "n %lld entry %lld: %.17g on 1 thread, "
			          "%.17g on 3", (long long)n, (long long)i, o1[i], o3[i]);
		}
		cr_assert(worst <= 1e-13 * scale, "n %lld: largest difference %g from the full product (scale %g)",
		          (long long)n, worst, scale);
		free(a), free(v), free(o1), free(o3), free(part);
	}
}

/* The critic over several row blocks and two chunks of rows, with particles so far out that their features
 * take libm's path (|W x + b| > 1e5; not so far that the argument itself is off by more than the vectorised
 * path's error, which cannot be told apart here): the direct solve's values, and the same bits on 1 and 3
 * threads. */
Test(flow, critic_chunks_far_rows_and_threads)
{
	scuot_err e = { 0 };
	int n = 2600, d = 3, F = 24;
	double *x = gauss_cloud(n, d, NULL, 1.0, 3), *w = uniform_w(n, 4), mu_p[24], u1[24], u3[24], ud[24];
	double mq1[24], mq3[24], ws = 0, err = 0, nrm = 0;
	scuot_kern_rff *f = scuot_kern_rff_new(d, F, 1.3, 5, 0, &e);
	cr_assert(f, "%s", e.msg);
	for (int i = 0; i < n; i += 997) /* rows 0, 997 and 1994: in blocks 0, 3 and 7, chunks 0 and 1 */
		for (int a = 0; a < d; a++)
			x[i * d + a] = 3e6 * (a + 1.0) * (i % 2 ? -1 : 1);
	for (int i = 0; i < n; i++)
		ws += w[i];
	for (int i = 0; i < n; i++)
		w[i] /= ws;
	for (int k = 0; k < F; k++)
		mu_p[k] = 0.1 * sin(k + 1.0);
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
	cr_assert_eq(scuot_flow_sobolev_critic(f, x, n, w, mu_p, 0.7, 1, 1e-2, u1, mq1, &e), 0, "%s", e.msg);
#ifdef _OPENMP
	omp_set_num_threads(3);
#endif
	cr_assert_eq(scuot_flow_sobolev_critic(f, x, n, w, mu_p, 0.7, 1, 1e-2, u3, mq3, &e), 0, "%s", e.msg);
	critic_direct(f, x, n, w, mu_p, 0.7, 1, 1e-2, ud);
	for (int k = 0; k < F; k++) {
		err = fmax(err, fabs(u1[k] - ud[k])), nrm = fmax(nrm, fabs(ud[k]));
		cr_assert(memcmp(&u1[k], &u3[k], sizeof(double)) == 0 && memcmp(&mq1[k], &mq3[k], sizeof(double)) == 0,
		          "feature %d: critic %.17g / %.17g, embedding %.17g / %.17g on 1 / 3 threads", k, u1[k], u3[k],
		          mq1[k], mq3[k]);
	}
	cr_assert(err <= 1e-8 * nrm, "critic differs from the direct solve by %g (largest entry %g)", err, nrm);
	scuot_kern_rff_free(f);
	free(x);
	free(w);
}
