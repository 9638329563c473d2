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

#define MAX_CHUNKS 8    /* partial sums of the operator embeddings: fixed by n, never by the thread count */
#define CHUNK_ROWS 2048 /* rows of a chunk at least: rank-k updates long enough to run BLAS near its peak */

/* Features of x: cf = sqrt(2/F) cos(W x + b), sf = sqrt(2/F) sin(W x + b), row blocks on the threads.  With
 * masses w (else NULL) also, fused while the rows are in cache, the rows scaled by sqrt(w_i): rs of sf and rc
 * of cf (rc may be NULL), and per block of FLOW_BLOCK rows sum_i w_i cf_i into mub (F per block). */
static void features(const scuot_kern_rff *f, const double *x, int64_t n, const double *w, double *cf,
                     double *sf, double *rs, double *rc, double *mub)
{
	int64_t F = f->D, d = f->d, nblk = (n + FLOW_BLOCK - 1) / FLOW_BLOCK;
	double c = sqrt(2.0 / (double)F);
	int nblas = flow_blas_serial();
#pragma omp parallel for schedule(dynamic, 1) if (nblk >= FLOW_PAR_BLOCKS)
	for (int64_t b = 0; b < nblk; b++) {
		int64_t i0 = b * FLOW_BLOCK, i1 = i0 + FLOW_BLOCK < n ? i0 + FLOW_BLOCK : n;
		double *mb = w ? mub + b * F : NULL;
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(i1 - i0), (int)F, (int)d, 1.0, x + i0 * d,
		            (int)d, f->W, (int)d, 0.0, cf + i0 * F, (int)F);
		for (int64_t i = i0; i < i1; i++) {
			double *ci = cf + i * F, *si = sf + i * F, *ri = rs ? rs + i * F : NULL, *rci = rc ? rc + i * F : NULL;
			double sw, big = ri ? flow_sincos_row_w(ci, si, ri, rci, f->b, F, c, w[i])
			                    : flow_sincos_row(ci, si, f->b, F, c);
			if (!(big > 1e5))
				continue;
			sw = ri ? sqrt(w[i]) : 0;
			for (int64_t k = 0; k < F; k++) { /* far arguments: libm's full reduction */
				double z = cblas_ddot((int)d, x + i * d, 1, f->W + k * d, 1) + f->b[k];
				ci[k] = c * cos(z), si[k] = c * sin(z);
				if (ri)
					ri[k] = sw * si[k];
				if (rci)
					rci[k] = sw * ci[k];
			}
		}
		/* the block's embedding sum_i w_i cf_i: the rows are still in cache */
		if (mb)
			cblas_dgemv(CblasRowMajor, CblasTrans, (int)(i1 - i0), (int)F, 1.0, cf + i0 * F, (int)F, w + i0, 1,
			            0.0, mb, 1);
	}
	flow_blas_restore(nblas);
}

/* Work arrays of the critic and of its gradients, kept across the steps of a run (for the same n, F and
 * alpha != 0 or not): the chunks' partial sums, the system, W W^T (computed once), the embedding, -u o W. */
typedef struct critic_ws {
	double *part, *A, *ww, *mu, *uw;
} critic_ws;

static void critic_ws_free(critic_ws *k)
{
	free(k->part);
	free(k->A);
	free(k->ww);
	free(k->mu);
	free(k->uw);
	memset(k, 0, sizeof *k);
}

/* The critic (see scuot_flow_sobolev_critic) from the scaled features rs (and rc when alpha != 0) and the
 * block sums mub of features(); with equal masses wc (alpha = 0) rs may be the unscaled sines, and their
 * rank-k updates are scaled by rscale = wc (else 1); ws NULL: work arrays of this call only.  The rank-k updates run on chunks of
 * rows fixed by n (sum_i w_i s_i s_i^T, and sum_i w_i phi_i phi_i^T, a task each), summed in chunk order. */
static int critic_from_features(const scuot_kern_rff *f, const double *rs, double rscale, const double *rc,
                                const double *mub, int64_t n, const double *mu_p, double alpha, double gamma,
                                double lambda, double *u, double *mu_q, critic_ws *ws, scuot_err *e)
{
	int64_t F = f->D, nblk = (n + FLOW_BLOCK - 1) / FLOW_BLOCK, nch = (n + CHUNK_ROWS - 1) / CHUNK_ROWS, nk, nt;
	critic_ws loc = { 0 }, *cw = ws ? ws : &loc;
	double *part, *A, *ww, *mu;
	int two = alpha != 0, nblas, ret = 0;
	nch = nch < 1 ? 1 : nch > MAX_CHUNKS ? MAX_CHUNKS : nch;
	nk = two ? 2 : 1, nt = nch * nk;
	if (!cw->part) {
		if (!(cw->part = scuot_alloc((size_t)nt, (size_t)(F * F) * sizeof(double), 0, "critic partial sums", e)) ||
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
	part = cw->part, A = cw->A, ww = cw->ww, mu = cw->mu;
	nblas = flow_blas_serial();
	/* task t: chunk t / nk, the sines (t % nk == 0) or the cosines; upper triangles */
#pragma omp parallel for schedule(dynamic, 1) if (nt > 1 && n >= FLOW_PAR_BLOCKS * FLOW_BLOCK)
	for (int64_t t = 0; t < nt; t++) {
		int64_t c = t / nk, i0 = c * n / nch, i1 = (c + 1) * n / nch;
		const double *r = t % nk ? rc : rs;
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)F, (int)(i1 - i0), t % nk ? 1.0 : rscale,
		            r + i0 * F, (int)F, 0.0, part + t * F * F, (int)F);
	}
	for (int64_t k = 0; k < F; k++) {
		double s = 0;
		for (int64_t b = 0; b < nblk; b++)
			s += mub[b * F + k];
		mu[k] = s;
	}
	for (int64_t k = 0; k < F; k++) { /* F^2 / 2 entries: not worth the threads' fork and join */
		for (int64_t l = k; l < F; l++) {
			double ss = 0, cc = 0;
			for (int64_t t = 0; t < nt; t += nk)
				ss += part[t * F * F + k * F + l];
			if (two)
				for (int64_t t = 1; t < nt; t += nk)
					cc += part[t * F * F + k * F + l];
			A[k * F + l] = ss * ww[k * F + l] + (two ? alpha * cc - alpha * gamma * mu[k] * mu[l] : 0);
		}
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

/* Critic values and gradients from the features (see scuot_flow_rff_eval): val (may be NULL) <- cf u and
 * out (may be NULL) <- beta out + eps J u with J u = -sf (u o W), one dgemm per row block (no scaled copy of
 * sf); ws as critic_from_features. */
static int eval_from_features(const scuot_kern_rff *f, const double *u, const double *cf, const double *sf,
                              int64_t n, double *val, double *out, double eps, double beta, critic_ws *ws,
                              scuot_err *e)
{
	int64_t F = f->D, d = f->d, nblk = (n + FLOW_BLOCK - 1) / FLOW_BLOCK;
	double *uw = ws ? ws->uw : NULL;
	int nblas;
	if (out && !uw && !(uw = scuot_alloc((size_t)F, (size_t)d * sizeof(double), 0, "critic frequencies", e)))
		return e->code;
	if (ws)
		ws->uw = uw;
	if (out)
		for (int64_t k = 0; k < F; k++)
			for (int64_t a = 0; a < d; a++)
				uw[k * d + a] = -u[k] * f->W[k * d + a];
	nblas = flow_blas_serial();
#pragma omp parallel for schedule(dynamic, 1) if (nblk >= FLOW_PAR_BLOCKS)
	for (int64_t b = 0; b < nblk; b++) {
		int64_t i0 = b * FLOW_BLOCK, i1 = i0 + FLOW_BLOCK < n ? i0 + FLOW_BLOCK : n;
		if (val)
			cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)(i1 - i0), (int)F, 1.0, cf + i0 * F, (int)F, u, 1, 0.0,
			            val + i0, 1);
		if (out)
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(i1 - i0), (int)d, (int)F, eps,
			            sf + i0 * F, (int)F, uw, (int)d, beta, out + i0 * d, (int)d);
	}
	flow_blas_restore(nblas);
	if (!ws)
		free(uw);
	return 0;
}

int scuot_flow_sobolev_critic(const scuot_kern_rff *f, const double *x, int64_t n, const double *w,
                              const double *mu_p, double alpha, double gamma, double lambda, double *u,
                              double *mu_q, scuot_err *e)
{
	int64_t F = f->D, nblk = (n + FLOW_BLOCK - 1) / FLOW_BLOCK;
	double *cf = NULL, *sf = NULL, *rs = NULL, *rc = NULL, *mub = NULL;
	int ret;
	if (!(cf = scuot_alloc((size_t)n, (size_t)F * sizeof(double), 0, "features", e)) ||
	    !(sf = scuot_alloc((size_t)n, (size_t)F * sizeof(double), 0, "features", e)) ||
	    !(rs = scuot_alloc((size_t)n, (size_t)F * sizeof(double), 0, "weighted features", e)) ||
	    (alpha != 0 && !(rc = scuot_alloc((size_t)n, (size_t)F * sizeof(double), 0, "weighted features", e))) ||
	    !(mub = scuot_alloc((size_t)nblk, (size_t)F * sizeof(double), 0, "embedding blocks", e))) {
		ret = e->code;
		goto done;
	}
	features(f, x, n, w, cf, sf, rs, rc, mub);
	ret = critic_from_features(f, rs, 1.0, rc, mub, n, mu_p, alpha, gamma, lambda, u, mu_q, NULL, e);
done:
	free(cf);
	free(sf);
	free(rs);
	free(rc);
	free(mub);
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
	features(f, x, n, NULL, cf, sf, NULL, NULL, NULL);
	ret = eval_from_features(f, u, cf, sf, n, val, grad, 1.0, 0.0, NULL, e);
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
	double *cf = NULL, *sf = NULL, *rs = NULL, *rc = NULL, *mub = NULL, *u = NULL, *mu_p = NULL, *val = NULL;
	double sigma = flow_par(t, np, par, "sigma"), lambda = flow_par(t, np, par, "lambda");
	double eps = flow_par(t, np, par, "step");
	int64_t F = (int64_t)flow_par(t, np, par, "features"), steps = (int64_t)flow_par(t, np, par, "steps");
	int64_t every = (int64_t)flow_par(t, np, par, "record"), n = p->n, d = p->d;
	double alpha = usd ? flow_par(t, np, par, "alpha") : 0, gamma = usd ? flow_par(t, np, par, "gamma") : 1;
	double tau = usd ? flow_par(t, np, par, "tau") : 0, d0, d1, wc;
	int ret, equal = !usd;
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
	/* ksd's masses never change: when they are equal the rank-k update scales the sines by the mass instead of
	 * a scaled copy of them (one n x F array less to write and read each step) */
	for (int64_t i = 1; i < n && equal; i++)
		equal = s.w[i] == s.w[0];
	wc = equal ? s.w[0] : 1.0;
	if (!(cf = scuot_alloc((size_t)n, (size_t)F * sizeof(double), 0, "features", e)) ||
	    !(sf = scuot_alloc((size_t)n, (size_t)F * sizeof(double), 0, "features", e)) ||
	    (!equal && !(rs = scuot_alloc((size_t)n, (size_t)F * sizeof(double), 0, "weighted features", e))) ||
	    (alpha != 0 && !(rc = scuot_alloc((size_t)n, (size_t)F * sizeof(double), 0, "weighted features", e))) ||
	    !(mub = scuot_alloc((size_t)((n + FLOW_BLOCK - 1) / FLOW_BLOCK), (size_t)F * sizeof(double), 0,
	                        "embedding blocks", e)) ||
	    !(u = scuot_alloc((size_t)F, sizeof(double), 0, "critic", e)) ||
	    !(mu_p = scuot_alloc((size_t)F, sizeof(double), 0, "target embedding", e)) ||
	    !(val = scuot_alloc((size_t)n, sizeof(double), 0, "critic values", e))) {
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
		/* the critic of the particles, then x <- x + eps grad u(x) in place (the features hold the old x) */
		features(f, s.x, n, s.w, cf, sf, rs, rc, mub);
		if ((ret = critic_from_features(f, equal ? sf : rs, wc, rc, mub, n, mu_p, alpha, gamma, lambda, u, NULL, &ws,
		                                e)) ||
		    (ret = eval_from_features(f, u, cf, sf, n, usd ? val : NULL, s.x, eps, 1.0, &ws, e)))
			goto done;
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
	free(rs);
	free(rc);
	free(mub);
	free(u);
	free(mu_p);
	free(val);
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
