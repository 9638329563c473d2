/* test_swfr.c -- unit tests of src/lib/neural/swfr.c: the closed-form gradient and Laplacian of the potential
 * against automatic and finite differences, fourth-order convergence of RK4, the weights' conservation, and
 * the swfr paper's 1-D experiment (Sec. 6.1) and 2-D toy densities (Sec. 6.2) on reduced budgets. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "swfr_toys.h"
#include "neural/swfr_internal.h"
#include "nn/layers.h"
#include "nn/nn.h"

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

/* a potential with random (not initial) parameters: every term of the closed forms is exercised */
static void make_net(scuot_nn_model **mod, swfr_net *net, int64_t d, int64_t m)
{
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(5, 1, &e);
	*mod = scuot_nn_model_new();
	cr_assert_eq(swfr_net_init(net, *mod, d, m, d, r, &e), 0, "%s", e.msg);
	for (int k = 0; k < (*mod)->n; k++)
		for (int64_t i = 0; i < (*mod)->t[k]->r * (*mod)->t[k]->c; i++)
			(*mod)->t[k]->v[i] += 0.4 * (2 * gsl_rng_uniform(r) - 1);
	gsl_rng_free(r);
}

static void phi_values(scuot_nn_graph *g, const swfr_net *net, const double *s, int64_t n, double *phi,
                       double *grad, double *lap)
{
	scuot_nn_graph_reset(g);
	scuot_nn_node *p, *gr, *lp;
	swfr_phi(g, net, scuot_nn_const(g, n, net->d + 1, s), &p, &gr, &lp);
	cr_assert_not_null(lp, "potential failed");
	if (phi)
		memcpy(phi, p->v, sizeof(double) * (size_t)n);
	if (grad)
		memcpy(grad, gr->v, sizeof(double) * (size_t)(n * net->d));
	if (lap)
		memcpy(lap, lp->v, sizeof(double) * (size_t)n);
}

Test(swfr, closed_forms_match_autodiff_and_finite_differences)
{
	int64_t d = 3, m = 8, n = 6, D = d + 1;
	scuot_nn_model *mod;
	swfr_net net;
	scuot_err e = { 0 };
	make_net(&mod, &net, d, m);
	double *s = randv(n * D, -1.5, 1.5, 9);
	scuot_nn_graph *g = scuot_nn_graph_new();
	/* autodiff: grad_s of sum Phi; the Hessian diagonal from grad_s of sum_i dPhi/dx_j */
	scuot_nn_node *sn = scuot_nn_input(g, n, D, s), *p, *gr, *lp, *ad;
	swfr_phi(g, &net, sn, &p, &gr, &lp);
	cr_assert_eq(scuot_nn_grad(g, scuot_nn_sum(g, p), 1, &sn, &ad, &e), 0, "%s", e.msg);
	for (int64_t i = 0; i < n; i++)
		for (int64_t j = 0; j < d; j++)
			cr_assert(fabs(gr->v[i * d + j] - ad->v[i * D + j]) < 1e-12 * (1 + fabs(ad->v[i * D + j])),
			          "grad Phi [%lld,%lld]: closed form %.15g, autodiff %.15g", (long long)i, (long long)j,
			          gr->v[i * d + j], ad->v[i * D + j]);
	double *tr = calloc((size_t)n, sizeof(double));
	for (int64_t j = 0; j < d; j++) {
		scuot_nn_node *h;
		cr_assert_eq(scuot_nn_grad(g, scuot_nn_sum(g, scuot_nn_slice(g, ad, j, 1)), 1, &sn, &h, &e), 0, "%s",
		             e.msg);
		for (int64_t i = 0; i < n; i++)
			tr[i] += h->v[i * D + j];
	}
	for (int64_t i = 0; i < n; i++)
		cr_assert(fabs(lp->v[i] - tr[i]) < 1e-11 * (1 + fabs(tr[i])), "tr Hess Phi [%lld]: closed form %.15g, "
		          "autodiff %.15g", (long long)i, lp->v[i], tr[i]);
	/* finite differences of Phi (gradient) and of the closed-form gradient (Hessian diagonal) */
	double *gr0 = malloc(sizeof(double) * (size_t)(n * d)), *lp0 = malloc(sizeof(double) * (size_t)n);
	double *fp = malloc(sizeof(double) * (size_t)n), *fm = malloc(sizeof(double) * (size_t)n);
	double *gp = malloc(sizeof(double) * (size_t)(n * d)), *gm = malloc(sizeof(double) * (size_t)(n * d));
	scuot_nn_graph *g2 = scuot_nn_graph_new();
	phi_values(g2, &net, s, n, NULL, gr0, lp0);
	double *fd_tr = calloc((size_t)n, sizeof(double)), h = 1e-5;
	for (int64_t j = 0; j < d; j++) {
		for (int64_t i = 0; i < n; i++)
			s[i * D + j] += h;
		phi_values(g2, &net, s, n, fp, gp, NULL);
		for (int64_t i = 0; i < n; i++)
			s[i * D + j] -= 2 * h;
		phi_values(g2, &net, s, n, fm, gm, NULL);
		for (int64_t i = 0; i < n; i++) {
			s[i * D + j] += h;
			double fd = (fp[i] - fm[i]) / (2 * h);
			cr_assert(fabs(fd - gr0[i * d + j]) < 1e-7 * (1 + fabs(fd)), "grad Phi [%lld,%lld]: closed form "
			          "%.12g, finite difference %.12g", (long long)i, (long long)j, gr0[i * d + j], fd);
			fd_tr[i] += (gp[i * d + j] - gm[i * d + j]) / (2 * h);
		}
	}
	for (int64_t i = 0; i < n; i++)
		cr_assert(fabs(fd_tr[i] - lp0[i]) < 1e-7 * (1 + fabs(lp0[i])), "tr Hess Phi [%lld]: closed form %.12g, "
		          "finite difference %.12g", (long long)i, lp0[i], fd_tr[i]);
	free(tr), free(gr0), free(lp0), free(fp), free(fm), free(gp), free(gm), free(fd_tr), free(s);
	scuot_nn_graph_free(g2);
	scuot_nn_graph_free(g);
	scuot_nn_model_free(mod);
}

/* y' = y M^T with M = [[-0.5, 1], [-1, -0.5]]: y(t) = e^{-t/2} R(t) y0 */
static int lin_rhs(scuot_nn_graph *g, double t, scuot_nn_node *const *y, scuot_nn_node **dy, void *ctx)
{
	(void)t, (void)ctx;
	static const double M[4] = { -0.5, 1, -1, -0.5 };
	dy[0] = scuot_nn_matmul(g, y[0], 0, scuot_nn_const(g, 2, 2, M), 1);
	return scuot_nn_graph_error(g, NULL);
}

Test(swfr, rk4_is_fourth_order_on_a_linear_ode)
{
	scuot_err e = { 0 };
	scuot_nn_graph *g = scuot_nn_graph_new();
	double y0[4] = { 1, 0, 0.3, -2 }, T = 2, err[5];
	for (int k = 0; k < 5; k++) {
		int steps = 8 << k;
		scuot_nn_graph_reset(g);
		scuot_nn_node *y = scuot_nn_const(g, 2, 2, y0);
		cr_assert_eq(swfr_rk4(g, 1, &y, 0, T, steps, lin_rhs, NULL, NULL, NULL, &e), 0, "%s", e.msg);
		err[k] = 0;
		for (int i = 0; i < 2; i++) {
			double a = y0[2 * i], b = y0[2 * i + 1], dc = exp(-T / 2);
			double ex0 = dc * (cos(T) * a + sin(T) * b), ex1 = dc * (-sin(T) * a + cos(T) * b);
			err[k] = fmax(err[k], fmax(fabs(y->v[2 * i] - ex0), fabs(y->v[2 * i + 1] - ex1)));
		}
	}
	for (int k = 1; k < 5; k++) {
		double order = log2(err[k - 1] / err[k]);
		cr_assert(order > 3.8 && order < 4.25, "RK4 %d -> %d steps: error %.3g -> %.3g, observed order %.3f, "
		          "expected 4", 8 << (k - 1), 8 << k, err[k - 1], err[k], order);
	}
	scuot_nn_graph_free(g);
}

Test(swfr, ode_system_converges_at_fourth_order_and_keeps_the_mass)
{
	/* (4.9) with a fixed potential: z(1), w(1), l(1) at 8, 16, 32 steps against 256 steps */
	int64_t d = 2, n = 50;
	scuot_err e = { 0 };
	swfr_opts o;
	swfr_opts_init(&o);
	o.width = 8;
	o.alpha = 0.5;
	swfr *s = NULL;
	cr_assert_eq(swfr_new(&s, &o, d, &e), 0, "%s", e.msg);
	scuot_nn_model *mod = swfr_model(s);
	gsl_rng *r = scuot_rng_new(3, 0, &e);
	for (int k = 0; k < mod->n; k++)
		for (int64_t i = 0; i < mod->t[k]->r * mod->t[k]->c; i++)
			mod->t[k]->v[i] += 0.5 * (2 * gsl_rng_uniform(r) - 1);
	gsl_rng_free(r);
	double *x = randv(n * d, -2, 2, 4), *w0 = randv(n, 0.5, 2, 6);
	int st[4] = { 8, 16, 32, 256 };
	double *z[4], *w[4], *l[4];
	for (int k = 0; k < 4; k++) {
		o.steps = st[k];
		swfr_free(s);
		s = NULL;
		/* same parameters: rebuild with the same seed and perturbation */
		cr_assert_eq(swfr_new(&s, &o, d, &e), 0, "%s", e.msg);
		mod = swfr_model(s);
		r = scuot_rng_new(3, 0, &e);
		for (int q = 0; q < mod->n; q++)
			for (int64_t i = 0; i < mod->t[q]->r * mod->t[q]->c; i++)
				mod->t[q]->v[i] += 0.5 * (2 * gsl_rng_uniform(r) - 1);
		gsl_rng_free(r);
		z[k] = malloc(sizeof(double) * (size_t)((st[k] + 1) * n * d));
		w[k] = malloc(sizeof(double) * (size_t)((st[k] + 1) * n));
		l[k] = malloc(sizeof(double) * (size_t)n);
		cr_assert_eq(swfr_forward(s, x, w0, n, z[k], w[k], l[k], NULL, &e), 0, "%s", e.msg);
		double tot = 0;
		for (int64_t i = 0; i < n; i++)
			tot += w[k][(size_t)st[k] * (size_t)n + (size_t)i];
		cr_assert(fabs(tot - (double)n) < 1e-9 * (double)n, "%d steps: the weights sum to %.12g, not %lld",
		          st[k], tot, (long long)n);
	}
	double err[3];
	for (int k = 0; k < 3; k++) {
		err[k] = 0;
		const double *zr = z[3] + (size_t)256 * (size_t)(n * d), *zk = z[k] + (size_t)st[k] * (size_t)(n * d);
		const double *wr = w[3] + (size_t)256 * (size_t)n, *wk = w[k] + (size_t)st[k] * (size_t)n;
		for (int64_t i = 0; i < n * d; i++)
			err[k] = fmax(err[k], fabs(zk[i] - zr[i]));
		for (int64_t i = 0; i < n; i++)
			err[k] = fmax(err[k], fmax(fabs(wk[i] - wr[i]), fabs(l[k][i] - l[3][i])));
	}
	for (int k = 1; k < 3; k++) {
		double order = log2(err[k - 1] / err[k]);
		cr_assert(order > 3.5 && order < 4.6, "(4.9) %d -> %d steps: error %.3g -> %.3g, order %.3f, expected 4",
		          st[k - 1], st[k], err[k - 1], err[k], order);
	}
	for (int k = 0; k < 4; k++)
		free(z[k]), free(w[k]), free(l[k]);
	free(x), free(w0);
	swfr_free(s);
}

/* sum_ij wx_i wy_j exp(-|x_i - y_j|^2 / (2 sig^2)) over the rows of x (n x d) and y (m x d); NULL weights:
 * ones */
static double ksum(const double *x, const double *wx, int64_t n, const double *y, const double *wy, int64_t m,
                   int64_t d, double sig)
{
	double acc = 0;
	for (int64_t i = 0; i < n; i++)
		for (int64_t j = 0; j < m; j++) {
			double r2 = 0;
			for (int64_t q = 0; q < d; q++)
				r2 += (x[i * d + q] - y[j * d + q]) * (x[i * d + q] - y[j * d + q]);
			acc += (wx ? wx[i] : 1) * (wy ? wy[j] : 1) * exp(-r2 / (2 * sig * sig));
		}
	return acc;
}

/* weighted Gaussian MMD^2 (the V-statistic, bandwidth sig) between the points x (n x d) with weights wx
 * (NULL: equal; normalised here) and the equally weighted points y (m x d) */
static double mmd2(const double *x, const double *wx, int64_t n, const double *y, int64_t m, int64_t d,
                   double sig)
{
	double wn = 0;
	for (int64_t i = 0; i < n; i++)
		wn += wx ? wx[i] : 1;
	return ksum(x, wx, n, x, wx, n, d, sig) / (wn * wn) +
	       ksum(y, NULL, m, y, NULL, m, d, sig) / ((double)m * m) -
	       2 * ksum(x, wx, n, y, NULL, m, d, sig) / (wn * (double)m);
}

static void draw_rho0(gsl_rng *r, int64_t n, double *x)
{
	for (int64_t i = 0; i < n; i++)
		x[i] = (gsl_rng_uniform(r) < 1.0 / 3 ? -3 : 3) + gsl_ran_gaussian(r, 1);
}

typedef struct {
	double jswfr, wsd, mmd_fwd, mmd_inv, mmd_fwd0;
} oned_out;

/* Sec. 6.1 on a reduced budget: rho0 = (1/3) N(-3, 1) + (2/3) N(3, 1) -> rho1 = N(0, 1) */
static oned_out oned(double alpha, int64_t iters)
{
	int64_t n = 160, d = 1;
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(21, 0, &e);
	double *x = malloc(sizeof(double) * (size_t)n), *y = malloc(sizeof(double) * (size_t)n);
	double *xt = malloc(sizeof(double) * (size_t)n), *yt = malloc(sizeof(double) * (size_t)n);
	double *zs = malloc(sizeof(double) * (size_t)(9 * n)), *ws = malloc(sizeof(double) * (size_t)(9 * n));
	draw_rho0(r, n, x);
	draw_rho0(r, n, xt);
	for (int64_t i = 0; i < n; i++)
		y[i] = gsl_ran_gaussian(r, 1), yt[i] = gsl_ran_gaussian(r, 1);
	swfr_opts o;
	swfr_opts_init(&o);
	o.alpha = alpha;
	o.batch = o.tbatch = n;
	o.lr = 0.02;
	swfr *s = NULL;
	cr_assert_eq(swfr_new(&s, &o, d, &e), 0, "%s", e.msg);
	swfr_target tg = { swfr_logp_gauss, swfr_sample_gauss, &d, NULL, NULL, 0 };
	swfr_costs c;
	oned_out out;
	out.mmd_fwd0 = mmd2(x, NULL, n, yt, n, 1, 1);
	cr_assert_eq(swfr_train(s, x, NULL, n, &tg, iters, NULL, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(swfr_forward(s, x, NULL, n, zs, ws, NULL, &c, &e), 0, "%s", e.msg);
	out.jswfr = c.swfr;
	out.wsd = 0;
	for (int64_t i = 0; i < n; i++)
		out.wsd += (ws[8 * n + i] - 1) * (ws[8 * n + i] - 1) / (double)n;
	out.wsd = sqrt(out.wsd);
	out.mmd_fwd = mmd2(zs + 8 * n, ws + 8 * n, n, yt, n, 1, 1);
	cr_assert_eq(swfr_inverse(s, y, NULL, n, zs, ws, NULL, &e), 0, "%s", e.msg);
	out.mmd_inv = mmd2(zs, ws, n, xt, n, 1, 1); /* entry 0: time 0 */
	fprintf(stderr, "swfr 1-D, alpha %g, %lld iterations: J_SWFR %.4f, sd of w(x,1) %.4f, MMD^2 forward %.5f "
	        "(untrained %.5f), inverse %.5f\n", alpha, (long long)iters, out.jswfr, out.wsd, out.mmd_fwd,
	        out.mmd_fwd0, out.mmd_inv);
	gsl_rng_free(r);
	free(x), free(y), free(xt), free(yt), free(zs), free(ws);
	swfr_free(s);
	return out;
}

Test(swfr, one_d_gaussian_mixture_to_normal, .timeout = 120)
{
	/* the Wasserstein limit (alpha large): J_SWFR near W2^2 / 2 = 2.707 (OT-Flow's transport cost, the
	 * paper's 2.71, computed from the quantile functions); alpha = 1 and 10 below it, more weight change */
	oned_out w = oned(1e4, 120), a10 = oned(10, 120), a1 = oned(1, 120);
	const oned_out *all[3] = { &w, &a10, &a1 };
	for (int k = 0; k < 3; k++) {
		/* the untrained MMD^2 between rho0 and rho1 is 0.68: thresholds at 2% and 10% of it */
		cr_assert(all[k]->mmd_fwd < 0.015 && all[k]->mmd_fwd < 0.1 * all[k]->mmd_fwd0, "forward MMD^2 %.5f "
		          "(untrained %.5f), expected < 0.015", all[k]->mmd_fwd, all[k]->mmd_fwd0);
		cr_assert(all[k]->mmd_inv < 0.07, "inverse MMD^2 %.5f, expected < 0.07", all[k]->mmd_inv);
	}
	cr_assert(w.jswfr > 2.2 && w.jswfr < 3.0, "J_SWFR in the Wasserstein limit %.4f, expected near 2.71",
	          w.jswfr);
	cr_assert(a1.jswfr < 2.71 && a1.jswfr < a10.jswfr && a10.jswfr < w.jswfr, "J_SWFR by alpha: 1: %.4f, "
	          "10: %.4f, 1e4: %.4f; expected increasing, below 2.71 at alpha = 1", a1.jswfr, a10.jswfr, w.jswfr);
	cr_assert(a1.wsd > a10.wsd && a10.wsd > w.wsd, "sd of the final weights by alpha: 1: %.4f, 10: %.4f, 1e4: "
	          "%.4f; expected decreasing", a1.wsd, a10.wsd, w.wsd);
}


typedef struct {
	double inv, inv_unw, inv0, inv_init, fwd, fwd0, fwd_init, wmin, wmax, wsum;
} toy_out;

/* Sec. 6.2 on a reduced budget: swfr trained from nx toy points (rho0) towards rho1 = N(0, I) (Algorithm 2,
 * steps 1-6), then nt draws of N(0, I) taken back to t = 0 by (4.11) (steps 7-8): their weighted positions
 * against nt held-out toy points (inv; inv_unw without the weights; inv0 the N(0, I) draws themselves, the
 * untrained value), the forward map (4.9) of the held-out points against nt further N(0, I) draws (fwd; fwd0
 * the held-out points themselves), inv_init and fwd_init as inv and fwd with the initial network (before
 * training), and the range and sum of the inverse weights at t = 0 after training. */
static toy_out toy(int moons, int64_t iters)
{
	int64_t nx = 192, nt = 1000, d = 2;
	double sig = 1;
	scuot_err e = { 0 };
	gsl_rng *r = scuot_rng_new(31, (uint64_t)moons, &e);
	double *x = malloc(sizeof(double) * (size_t)(nx * d)), *xt = malloc(sizeof(double) * (size_t)(nt * d));
	double *y = malloc(sizeof(double) * (size_t)(nt * d)), *yt = malloc(sizeof(double) * (size_t)(nt * d));
	double *zs = malloc(sizeof(double) * (size_t)(9 * nt * d)), *ws = malloc(sizeof(double) * (size_t)(9 * nt));
	cr_assert(r && x && xt && y && yt && zs && ws, "out of memory");
	draw_toy(moons, r, nx, x);
	draw_toy(moons, r, nt, xt);
	for (int64_t i = 0; i < nt * d; i++)
		y[i] = gsl_ran_gaussian(r, 1), yt[i] = gsl_ran_gaussian(r, 1);
	swfr_opts o;
	swfr_opts_init(&o);
	o.alpha = 1;
	o.batch = o.tbatch = nx;
	o.lr = 0.02;
	o.seed = 3;
	swfr *s = NULL;
	cr_assert_eq(swfr_new(&s, &o, d, &e), 0, "%s", e.msg);
	swfr_target tg = { swfr_logp_gauss, swfr_sample_gauss, &d, NULL, NULL, 0 };
	swfr_costs c;
	toy_out out;
	cr_assert_eq(swfr_inverse(s, y, NULL, nt, zs, ws, NULL, &e), 0, "%s", e.msg);
	out.inv_init = mmd2(zs, ws, nt, xt, nt, d, sig);
	cr_assert_eq(swfr_forward(s, xt, NULL, nt, zs, ws, NULL, NULL, &e), 0, "%s", e.msg);
	out.fwd_init = mmd2(zs + 8 * nt * d, ws + 8 * nt, nt, yt, nt, d, sig);
	cr_assert_eq(swfr_train(s, x, NULL, nx, &tg, iters, NULL, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(swfr_inverse(s, y, NULL, nt, zs, ws, NULL, &e), 0, "%s", e.msg);
	out.wmin = INFINITY, out.wmax = -INFINITY, out.wsum = 0;
	for (int64_t i = 0; i < nt; i++) { /* entry 0: time 0 */
		out.wmin = fmin(out.wmin, ws[i]), out.wmax = fmax(out.wmax, ws[i]);
		out.wsum += isfinite(ws[i]) ? ws[i] : NAN;
	}
	out.inv = mmd2(zs, ws, nt, xt, nt, d, sig);
	out.inv_unw = mmd2(zs, NULL, nt, xt, nt, d, sig);
	out.inv0 = mmd2(y, NULL, nt, xt, nt, d, sig);
	cr_assert_eq(swfr_forward(s, xt, NULL, nt, zs, ws, NULL, NULL, &e), 0, "%s", e.msg);
	out.fwd = mmd2(zs + 8 * nt * d, ws + 8 * nt, nt, yt, nt, d, sig);
	out.fwd0 = mmd2(xt, NULL, nt, yt, nt, d, sig);
	fprintf(stderr, "swfr 2-D %s, alpha 1, %lld points, %lld iterations: MMD^2 (sigma 1) of the weighted "
	        "inverse samples %.5f (without weights %.5f, initial network %.5f, untrained %.5f), forward %.5f "
	        "(initial network %.5f, untrained %.5f); inverse weights in [%.3g, %.3g], sum %.9g\n",
	        moons ? "two moons" : "8 Gaussians", (long long)nx, (long long)iters, out.inv, out.inv_unw,
	        out.inv_init, out.inv0, out.fwd, out.fwd_init, out.fwd0, out.wmin, out.wmax, out.wsum);
	gsl_rng_free(r);
	free(x), free(xt), free(y), free(yt), free(zs), free(ws);
	swfr_free(s);
	return out;
}

/* Thresholds: a fifth of the untrained MMD^2 (N(0, I) draws against the held-out data, or the held-out data
 * against N(0, I) draws), and a fraction of the MMD^2 of the initial network, which at alpha 1 already moves
 * and reweights the points (on the moons its forward map alone can come within a fifth of the untrained
 * value).
 * Observed at this budget, with the seeds here and four other pairs (trained / initial network / untrained):
 *   8 Gaussians: inverse 0.004-0.017 / 0.08-0.13 / 0.30-0.33,  forward 0.003-0.026 / 0.16-0.24 / 0.31-0.35;
 *   moons:       inverse 0.004-0.008 / 0.03-0.06 / 0.10-0.12,  forward 0.004-0.011 / 0.014-0.040 / 0.09-0.12;
 * trained / initial at most 0.19 (inverse) and 0.50 (forward): asserted below 0.4 and 0.7.  On the moons the
 * weights carry the fit (MMD^2 without them 3-7 times larger): asserted below half.  On the 8 Gaussians they
 * help in 4 of those 5 seeds only (in one they tie), so only their sanity and spread are asserted there. */
static void check_toy(const char *name, const toy_out *t, int weights_help)
{
	int64_t nt = 1000;
	cr_assert(isfinite(t->wsum) && t->wmin > 0 && fabs(t->wsum - (double)nt) < 1e-8 * (double)nt, "%s: inverse "
	          "weights at t = 0 in [%.4g, %.4g] with sum %.12g; expected finite, positive, summing to %lld "
	          "(mass conserved)", name, t->wmin, t->wmax, t->wsum, (long long)nt);
	cr_assert(t->wmax / t->wmin > 2, "%s: inverse weights at t = 0 in [%.4g, %.4g]; expected a spread of more "
	          "than a factor 2 at alpha 1", name, t->wmin, t->wmax);
	cr_assert(t->inv < 0.2 * t->inv0 && t->inv < 0.4 * t->inv_init, "%s: MMD^2 of the weighted inverse samples "
	          "to held-out data %.5f, expected < %.5f (a fifth of the untrained %.5f) and < %.5f (0.4 times the "
	          "initial network's %.5f)", name, t->inv, 0.2 * t->inv0, t->inv0, 0.4 * t->inv_init, t->inv_init);
	if (weights_help)
		cr_assert(t->inv < 0.5 * t->inv_unw, "%s: the weights do not help: MMD^2 %.5f with the inverse weights, "
		          "expected < %.5f (half of the %.5f without)", name, t->inv, 0.5 * t->inv_unw, t->inv_unw);
	cr_assert(t->fwd < 0.2 * t->fwd0 && t->fwd < 0.7 * t->fwd_init, "%s: MMD^2 of the forward-mapped held-out "
	          "data to N(0, I) %.5f, expected < %.5f (a fifth of the untrained %.5f) and < %.5f (0.7 times the "
	          "initial network's %.5f)", name, t->fwd, 0.2 * t->fwd0, t->fwd0, 0.7 * t->fwd_init, t->fwd_init);
}

Test(swfr, two_d_eight_gaussians_to_normal_and_back, .timeout = 120)
{
	toy_out t = toy(0, 120);
	check_toy("8 Gaussians", &t, 0);
}

Test(swfr, two_d_moons_to_normal_and_back, .timeout = 120)
{
	toy_out t = toy(1, 120);
	check_toy("two moons", &t, 1);
}
