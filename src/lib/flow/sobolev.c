/* sobolev.c -- kernel Sobolev descent (ksd) and kernel unbalanced Sobolev descent (kusd) with random
 * Fourier features: closed-form critics, their values and gradients, the advection and reaction steps. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mat.h"
#include "flow/flow.h"
#include "flow/flow_internal.h"
#include "kern/kern.h"
#include "ot/cost.h"
#include "ot/ot_internal.h"

#define MAX_CHUNKS 8 /* partial sums of the operator embeddings: fixed by n, never by the thread count */

/* cos and sin parts of the features of x: cf = sqrt(2/F) cos(W x + b), sf = sqrt(2/F) sin(W x + b), row
 * blocks on the threads. */
static void features(const scuot_kern_rff *f, const double *x, int64_t n, double *cf, double *sf)
{
	int64_t F = f->D, d = f->d, nblk = (n + FLOW_BLOCK - 1) / FLOW_BLOCK;
	double c = sqrt(2.0 / (double)F);
	int nblas = flow_blas_serial();
#pragma omp parallel for schedule(dynamic, 1) if (nblk >= FLOW_PAR_BLOCKS)
	for (int64_t b = 0; b < nblk; b++) {
		int64_t i0 = b * FLOW_BLOCK, i1 = i0 + FLOW_BLOCK < n ? i0 + FLOW_BLOCK : n;
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(i1 - i0), (int)F, (int)d, 1.0, x + i0 * d,
		            (int)d, f->W, (int)d, 0.0, cf + i0 * F, (int)F);
		for (int64_t i = i0; i < i1; i++) {
			int big = 0;
			for (int64_t k = 0; k < F; k++)
				big |= fabs(cf[i * F + k] + f->b[k]) > 1e5;
			if (!big) {
				flow_sincos_row(cf + i * F, sf + i * F, f->b, F, c);
				continue;
			}
			for (int64_t k = 0; k < F; k++) { /* far arguments: libm's full reduction */
				double z = cf[i * F + k] + f->b[k];
				cf[i * F + k] = c * cos(z), sf[i * F + k] = c * sin(z);
			}
		}
	}
	flow_blas_restore(nblas);
}

/* Work arrays of the critic and of its gradients, kept across the steps of a run (for the same n, F and
 * alpha != 0 or not): the partial sums, rows, the system, W W^T (computed once) and the embedding. */
typedef struct critic_ws {
	double *part, *scr, *A, *ww, *mu, *t;
} critic_ws;

static void critic_ws_free(critic_ws *k)
{
	free(k->part);
	free(k->scr);
	free(k->A);
	free(k->ww);
	free(k->mu);
	free(k->t);
	memset(k, 0, sizeof *k);
}

/* The critic from features cf, sf of the particles (see scuot_flow_sobolev_critic); ws NULL: work arrays of
 * this call only. */
static int critic_from_features(const scuot_kern_rff *f, const double *cf, const double *sf, int64_t n,
                                const double *w, const double *mu_p, double alpha, double gamma, double lambda,
                                double *u, double *mu_q, critic_ws *ws, scuot_err *e)
{
	int64_t F = f->D, nblk = (n + FLOW_BLOCK - 1) / FLOW_BLOCK, nch, per;
	critic_ws loc = { 0 }, *cw = ws ? ws : &loc;
	double *part, *scr, *A, *ww, *mu;
	int two = alpha != 0, nt = flow_max_threads(), nblas, ret = 0;
	size_t pstride = (size_t)((two ? 2 : 1) * F * F + F);
	nch = nblk < MAX_CHUNKS ? nblk : MAX_CHUNKS;
	per = (nblk + nch - 1) / nch;
	nch = (nblk + per - 1) / per;
	if (!cw->part) {
		if (!(cw->part = scuot_alloc((size_t)nch, pstride * sizeof(double), 0, "critic partial sums", e)) ||
		    !(cw->scr = scuot_alloc((size_t)(nt * per * FLOW_BLOCK), (size_t)F * sizeof(double), 0, "critic rows",
		                            e)) ||
		    !(cw->A = scuot_alloc((size_t)(F * F), sizeof(double), 0, "critic system", e)) ||
		    !(cw->ww = scuot_alloc((size_t)(F * F), sizeof(double), 0, "frequency products", e)) ||
		    !(cw->mu = scuot_alloc((size_t)F, sizeof(double), 0, "embedding", e))) {
			ret = e->code;
			goto done;
		}
		/* W W^T, the Gramian of the frequencies: D = (sum w s s^T) o (W W^T) */
		nblas = flow_blas_serial();
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)F, (int)F, (int)f->d, 1.0, f->W, (int)f->d,
		            f->W, (int)f->d, 0.0, cw->ww, (int)F);
		flow_blas_restore(nblas);
	}
	part = cw->part, scr = cw->scr, A = cw->A, ww = cw->ww, mu = cw->mu;
	memset(part, 0, (size_t)nch * pstride * sizeof(double));
	memset(mu, 0, sizeof(double) * (size_t)F);
	nblas = flow_blas_serial();
	/* per chunk: sum_i w_i s_i s_i^T, sum_i w_i phi_i phi_i^T (upper triangles), sum_i w_i phi_i */
#pragma omp parallel for schedule(dynamic, 1) if (nblk >= FLOW_PAR_BLOCKS)
	for (int64_t c = 0; c < nch; c++) { /* one dsyrk over the chunk's rows */
		double *ms = part + (size_t)c * pstride, *mc = ms + F * F, *pm = two ? mc + F * F : mc;
		double *r = scr + (size_t)flow_thread_num() * (size_t)(per * FLOW_BLOCK * F);
		int64_t i0 = c * per * FLOW_BLOCK, i1 = i0 + per * FLOW_BLOCK < n ? i0 + per * FLOW_BLOCK : n;
		for (int64_t i = i0; i < i1; i++) {
			double sw = sqrt(w[i]);
			for (int64_t k = 0; k < F; k++)
				r[(i - i0) * F + k] = sw * sf[i * F + k], pm[k] += w[i] * cf[i * F + k];
		}
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)F, (int)(i1 - i0), 1.0, r, (int)F, 1.0, ms,
		            (int)F);
		if (two) {
			for (int64_t i = i0; i < i1; i++) {
				double sw = sqrt(w[i]);
				for (int64_t k = 0; k < F; k++)
					r[(i - i0) * F + k] = sw * cf[i * F + k];
			}
			cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)F, (int)(i1 - i0), 1.0, r, (int)F, 1.0, mc,
			            (int)F);
		}
	}

	memset(A, 0, sizeof(double) * (size_t)(F * F));
	for (int64_t c = 0; c < nch; c++) {
		const double *ms = part + (size_t)c * pstride, *mc = ms + F * F, *pm = two ? mc + F * F : mc;
		for (int64_t k = 0; k < F; k++) {
			mu[k] += pm[k];
			for (int64_t l = k; l < F; l++)
				A[k * F + l] += ms[k * F + l] * ww[k * F + l] + (two ? alpha * mc[k * F + l] : 0);
		}
	}
	for (int64_t k = 0; k < F; k++) {
		for (int64_t l = k; l < F; l++)
			A[k * F + l] -= alpha * gamma * mu[k] * mu[l];
		A[k * F + k] += lambda;
		u[k] = mu_p[k] - mu[k];
	}
	/* the upper triangle in row-major order is the lower one in column-major order: no transposed copies */
	lapack_int info = LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (lapack_int)F, 1, A, (lapack_int)F, u, (lapack_int)F);
	flow_blas_restore(nblas);
	if (info != 0) {
		ret = scuot_err_set(e, SCUOT_ENUMERIC, "the Sobolev critic system (%lld features) is not positive "
		                    "definite (LAPACK info %d); raise --lambda", (long long)F, (int)info);
		goto done;
	}
	if (mu_q)
		memcpy(mu_q, mu, sizeof(double) * (size_t)F);
done:
	critic_ws_free(&loc);
	return ret;
}

/* Critic values and gradients from the features (see scuot_flow_rff_eval); ws as critic_from_features. */
static int eval_from_features(const scuot_kern_rff *f, const double *u, const double *cf, const double *sf,
                              int64_t n, double *val, double *grad, critic_ws *ws, scuot_err *e)
{
	int64_t F = f->D, d = f->d, nblk = (n + FLOW_BLOCK - 1) / FLOW_BLOCK;
	double *t = ws ? ws->t : NULL;
	int nblas;
	if (grad && !t && !(t = scuot_alloc((size_t)flow_max_threads() * FLOW_BLOCK, (size_t)F * sizeof(double), 0,
	                                    "critic gradient rows", e)))
		return e->code;
	if (ws)
		ws->t = t;
	nblas = flow_blas_serial();
#pragma omp parallel for schedule(dynamic, 1) if (nblk >= FLOW_PAR_BLOCKS)
	for (int64_t b = 0; b < nblk; b++) {
		int64_t i0 = b * FLOW_BLOCK, i1 = i0 + FLOW_BLOCK < n ? i0 + FLOW_BLOCK : n;
		if (val)
			for (int64_t i = i0; i < i1; i++) {
				double s = 0;
				for (int64_t k = 0; k < F; k++)
					s += u[k] * cf[i * F + k];
				val[i] = s;
			}
		if (grad) { /* J(x_i) u = -sum_k u_k s_ik W_k */
			double *r = t + (size_t)flow_thread_num() * FLOW_BLOCK * F;
			for (int64_t i = i0; i < i1; i++)
				for (int64_t k = 0; k < F; k++)
					r[(i - i0) * F + k] = -u[k] * sf[i * F + k];
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(i1 - i0), (int)d, (int)F, 1.0, r,
			            (int)F, f->W, (int)d, 0.0, grad + i0 * d, (int)d);
		}
	}
	flow_blas_restore(nblas);
	if (!ws)
		free(t);
	return 0;
}

int scuot_flow_sobolev_critic(const scuot_kern_rff *f, const double *x, int64_t n, const double *w,
                              const double *mu_p, double alpha, double gamma, double lambda, double *u,
                              double *mu_q, scuot_err *e)
{
	double *cf = NULL, *sf = NULL;
	int ret;
	if (!(cf = scuot_alloc((size_t)n, (size_t)f->D * sizeof(double), 0, "features", e)) ||
	    !(sf = scuot_alloc((size_t)n, (size_t)f->D * sizeof(double), 0, "features", e))) {
		free(cf);
		return e->code;
	}
	features(f, x, n, cf, sf);
	ret = critic_from_features(f, cf, sf, n, w, mu_p, alpha, gamma, lambda, u, mu_q, NULL, e);
	free(cf);
	free(sf);
	return ret;
}

int scuot_flow_rff_eval(const scuot_kern_rff *f, const double *u, const double *x, int64_t n, double *val,
                        double *grad, scuot_err *e)
{
	double *cf = NULL, *sf = NULL;
	int ret;
	if (!(cf = scuot_alloc((size_t)n, (size_t)f->D * sizeof(double), 0, "features", e)) ||
	    !(sf = scuot_alloc((size_t)n, (size_t)f->D * sizeof(double), 0, "features", e))) {
		free(cf);
		return e->code;
	}
	features(f, x, n, cf, sf);
	ret = eval_from_features(f, u, cf, sf, n, val, grad, NULL, e);
	free(cf);
	free(sf);
	return ret;
}

/* ---- the methods ---- */

#define P_SOB_COMMON \
	{ "sigma", SCUOT_PARAM_REAL, 0, 0, 1e300, "Gaussian kernel bandwidth of the features and of the MMD " \
	  "(0: median source-target distance)" }, \
	{ "features", SCUOT_PARAM_INT, 300, 1, 100000, "random Fourier features F: each step builds and solves " \
	  "the full F x F critic system in closed form, O(n F^2 + F^3), meant for F of 100 to a few hundred" }, \
	{ "lambda", SCUOT_PARAM_REAL, 0.01, 1e-12, 1e12, "Tikhonov regularisation of the critic (smoother paths " \
	  "when larger)" }, \
	{ "step", SCUOT_PARAM_REAL, 0.05, 1e-12, 1e12, "advection step epsilon: x <- x + epsilon grad u(x)" }, \
	{ "steps", SCUOT_PARAM_INT, 400, 1, 1e9, "descent steps" }, \
	{ "record", SCUOT_PARAM_INT, 10, 1, 1e9, "a snapshot and an MMD value every this many steps" }

static const scuot_ot_param ksd_params[] = {
	P_SOB_COMMON,
};

static const scuot_ot_param kusd_params[] = {
	P_SOB_COMMON,
	{ "alpha", SCUOT_PARAM_REAL, 1, 0, 1e12, "weight of the Fisher (reaction) term of the critic" },
	{ "gamma", SCUOT_PARAM_INT, 1, 0, 1, "1: total mass conserved; 0: mass created or destroyed (target "
	  "mass sum b / sum a)" },
	{ "tau", SCUOT_PARAM_REAL, 0.05, 0, 1e12, "reaction step: log w <- log w + tau (u(x) - gamma E_w u)" },
};

#define NP(t) ((int)(sizeof t / sizeof t[0]))

/* Sobolev descent (Mroueh et al. 2019, Sec. 5, "Empirical regularized kernel Sobolev descent") and its
 * unbalanced version (Mroueh & Rigotti 2020, Sec. 5, "Discrete time kernel USD"): at each step the
 * critic of the current particles, then advection x <- x + eps grad u(x) and, for USD, the reaction
 * log w <- log w + tau (u(x) - gamma m), both with the critic of the previous positions. */
static int run_sobolev(const scuot_ot_param *t, int np, const scuot_ot_problem *p, const double *par,
                       int usd, scuot_ot_result *r, scuot_err *e)
{
	flow_state s;
	scuot_kern_rff *f = NULL;
	critic_ws ws = { 0 };
	double *cf = NULL, *sf = NULL, *u = NULL, *mu_p = NULL, *val = NULL, *grad = NULL;
	double sigma = flow_par(t, np, par, "sigma"), lambda = flow_par(t, np, par, "lambda");
	double eps = flow_par(t, np, par, "step");
	int64_t F = (int64_t)flow_par(t, np, par, "features"), steps = (int64_t)flow_par(t, np, par, "steps");
	int64_t every = (int64_t)flow_par(t, np, par, "record"), n = p->n, d = p->d;
	double alpha = usd ? flow_par(t, np, par, "alpha") : 0, gamma = usd ? flow_par(t, np, par, "gamma") : 1;
	double tau = usd ? flow_par(t, np, par, "tau") : 0, d0, d1;
	int ret;
	if ((ret = flow_state_init(&s, p, usd && gamma == 0, e)))
		goto done;
	if (!(sigma > 0))
		sigma = scuot_flow_median_sigma(p->x, p->n, p->y, p->m, d);
	scuot_log_info("%s: %lld particles, %lld targets, %lld features, sigma %.4g, lambda %g, step %g, %lld steps",
	               usd ? "kusd" : "ksd", (long long)n, (long long)p->m, (long long)F, sigma, lambda, eps,
	               (long long)steps);
	if (!(f = scuot_kern_rff_new(d, F, sigma, p->seed, 0x5d, e))) {
		ret = e->code;
		goto done;
	}
	if (!(cf = scuot_alloc((size_t)n, (size_t)F * sizeof(double), 0, "features", e)) ||
	    !(sf = scuot_alloc((size_t)n, (size_t)F * sizeof(double), 0, "features", e)) ||
	    !(u = scuot_alloc((size_t)F, sizeof(double), 0, "critic", e)) ||
	    !(mu_p = scuot_alloc((size_t)F, sizeof(double), 0, "target embedding", e)) ||
	    !(val = scuot_alloc((size_t)n, sizeof(double), 0, "critic values", e)) ||
	    !(grad = scuot_alloc((size_t)(n * d), sizeof(double), 0, "critic gradients", e))) {
		ret = e->code;
		goto done;
	}
	/* target embedding with the target's masses (total 1, or sum b / sum a when mass is not conserved) */
	if ((ret = scuot_kern_rff_embed(f, p->y, p->m, s.bt, mu_p, e)))
		goto done;
	{
		double bs = 0;
		for (int64_t j = 0; j < p->m; j++)
			bs += s.bt[j];
		for (int64_t k = 0; k < F; k++)
			mu_p[k] *= bs;
	}
	if ((ret = flow_exact_mmd(&s, p, sigma, &d0, &d1, e)) || (ret = flow_record(&s, r, 0, d0, d1, e)))
		goto done;
	for (int64_t it = 1; it <= steps; it++) {
		features(f, s.x, n, cf, sf);
		if ((ret = critic_from_features(f, cf, sf, n, s.w, mu_p, alpha, gamma, lambda, u, NULL, &ws, e)) ||
		    (ret = eval_from_features(f, u, cf, sf, n, usd ? val : NULL, grad, &ws, e)))
			goto done;
		for (int64_t k = 0; k < n * d; k++)
			s.x[k] += eps * grad[k];
		if (usd) {
			double mbar = 0, tot = 0;
			for (int64_t i = 0; i < n; i++)
				mbar += s.w[i] * val[i];
			for (int64_t i = 0; i < n; i++)
				tot += s.w[i] *= exp(tau * (val[i] - gamma * mbar));
			if (gamma != 0)
				for (int64_t i = 0; i < n; i++)
					s.w[i] /= tot;
			if (!(tot > 0) || !isfinite(tot)) {
				ret = scuot_err_set(e, SCUOT_ENUMERIC, "kusd: particle masses became %g at step %lld; lower "
				                    "--tau", tot, (long long)it);
				goto done;
			}
		}
		if (flow_due(it, steps, every) &&
		    ((ret = flow_exact_mmd(&s, p, sigma, &d0, &d1, e)) || (ret = flow_record(&s, r, it, d0, d1, e))))
			goto done;
	}
	ret = flow_finish(&s, r, steps, "mmd to target", e);
done:
	flow_state_free(&s);
	critic_ws_free(&ws);
	scuot_kern_rff_free(f);
	free(cf);
	free(sf);
	free(u);
	free(mu_p);
	free(val);
	free(grad);
	return ret;
}

static int run_ksd(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	return run_sobolev(ksd_params, NP(ksd_params), p, par, 0, r, e);
}

static int run_kusd(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	return run_sobolev(kusd_params, NP(kusd_params), p, par, 1, r, e);
}

const scuot_ot_method scuot_method_ksd = {
	"ksd", "particle flow",
	"kernel Sobolev descent: particles follow the gradient of the regularised kernel Sobolev critic "
	"(random Fourier features)",
	"Mroueh, Sercu, Raj 2019 (AISTATS), Sec. 5, Algorithm 1",
	NP(ksd_params), ksd_params, SCUOT_COST_SQEUCLIDEAN, run_ksd, NULL
};

const scuot_ot_method scuot_method_kusd = {
	"kusd", "particle flow",
	"kernel unbalanced Sobolev descent: advection along the Sobolev-Fisher critic and reaction of the "
	"particle masses (gamma 1: mass conserved, 0: not)",
	"Mroueh & Rigotti 2020 (NeurIPS), Prop. 2 and Sec. 5",
	NP(kusd_params), kusd_params, SCUOT_COST_SQEUCLIDEAN, run_kusd, NULL
};
