/* ift.c -- kernel gradient flows of F(mu) = (1/2) MMD^2(mu, target) with a Gaussian kernel: IFT particle
 * gradient descent (Wasserstein step, then the MMD step on the weights), the MMD flow of Arbel et al. with
 * optional noise injection, and the WFR flow of the MMD (Wasserstein step, then a mirror step). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* gsl_randist.h brings GSL's CBLAS prototypes, resolved to OpenBLAS at link time (as kern/kern.c). */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/log.h"
#include "core/mat.h"
#include "core/rng.h"
#include "flow/flow.h"
#include "flow/flow_internal.h"
#include "ot/cost.h"
#include "ot/ot_internal.h"

enum { KIND_IFT, KIND_MMD, KIND_WFR };

/* Products with the n x n kernel matrix of the particles: stored when small, else tiles on the fly. */
typedef struct kmat {
	const double *x;
	int64_t n, d;
	double sigma, scale, shift; /* out = scale K v + shift v */
	double *dense;       /* n x n or NULL */
	double *part;        /* with dense: the partial products of flow_symv */
} kmat;

static int kmat_mv(void *ctx, const double *v, double *out, scuot_err *e)
{
	kmat *k = ctx;
	int ret;
	if (k->dense) { /* the upper triangle: half the memory traffic of a full product, block rows on the
	                 * threads with a fixed reduction order: the same bits for any thread count */
		flow_symv(k->dense, k->n, v, k->scale, k->shift, out, k->part);
		return 0;
	}
	if ((ret = scuot_flow_gauss_apply(k->x, k->n, k->x, k->n, v, k->d, k->sigma, out, NULL, e)))
		return ret;
	for (int64_t i = 0; i < k->n; i++)
		out[i] = k->scale * out[i] + k->shift * v[i];
	return 0;
}

/* The upper triangle of K (row-major, blocks of FLOW_BLOCK on and above the diagonal): -2 X_I X_J^T by dgemm,
 * then the vectorised exponential of the tile rows; block rows on the threads for large n.  qq (n) is
 * scratch for the squared norms, zv (FLOW_BLOCK) zeros. */
static void kmat_fill(kmat *k, double *qq, const double *zv)
{
	double g = 1.0 / (2 * k->sigma * k->sigma);
	int64_t n = k->n, d = k->d, nb = (n + FLOW_BLOCK - 1) / FLOW_BLOCK;
	for (int64_t i = 0; i < n; i++)
		qq[i] = cblas_ddot((int)d, k->x + i * d, 1, k->x + i * d, 1);
#pragma omp parallel for schedule(dynamic, 1) if (nb >= FLOW_PAR_BLOCKS)
	for (int64_t bi = 0; bi < nb; bi++) {
		int64_t i0 = bi * FLOW_BLOCK, i1 = i0 + FLOW_BLOCK < n ? i0 + FLOW_BLOCK : n;
		for (int64_t bj = bi; bj < nb; bj++) {
			int64_t j0 = bj * FLOW_BLOCK, j1 = j0 + FLOW_BLOCK < n ? j0 + FLOW_BLOCK : n;
			double *t = k->dense + i0 * n + j0;
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(i1 - i0), (int)(j1 - j0), (int)d, -2.0,
			            k->x + i0 * d, (int)d, k->x + j0 * d, (int)d, 0.0, t, (int)n);
			for (int64_t i = i0; i < i1; i++)
				flow_tile_row(t + (i - i0) * n, qq + j0, zv, j1 - j0, qq[i], g);
		}
	}
}

/* Power iterations on k (scale 1) from v (unit norm; left the last iterate), work t (n): an upper bound on
 * the largest eigenvalue, rho + |K v - rho v| with rho = v^T K v (valid once v has the top eigenvector's
 * direction: an eigenvalue lies within the residual of rho). */
static int power_bound(kmat *k, double *v, double *t, int iters, double *bound, scuot_err *e)
{
	double rho = 0, res = 0, nrm;
	int ret;
	for (int it = 0; it <= iters; it++) {
		if ((ret = kmat_mv(k, v, t, e)))
			return ret;
		rho = 0, nrm = 0;
		for (int64_t i = 0; i < k->n; i++)
			rho += v[i] * t[i], nrm += t[i] * t[i];
		if (it == iters || !(nrm > 0))
			break;
		nrm = sqrt(nrm);
		for (int64_t i = 0; i < k->n; i++)
			v[i] = t[i] / nrm;
	}
	for (int64_t i = 0; i < k->n; i++)
		res += (t[i] - rho * v[i]) * (t[i] - rho * v[i]);
	*bound = rho + sqrt(res);
	return 0;
}

#define P_SIGMA { "sigma", SCUOT_PARAM_REAL, 0, 0, 1e300, "Gaussian kernel bandwidth (0: median " \
	"source-target distance)" }
#define P_TAU { "tau", SCUOT_PARAM_REAL, 0, 0, 1e300, "particle step: x_i <- x_i - tau d MMD^2 / d x_i = " \
	"x_i - 4 tau w_i grad dF/dmu(x_i) (0: n sigma^2 / 8)" }
#define P_STEPS(def) { "steps", SCUOT_PARAM_INT, def, 1, 1e9, "iterations" }, \
	{ "record", SCUOT_PARAM_INT, 10, 1, 1e9, "a snapshot and an MMD value every this many iterations" }

static const scuot_ot_param ift_params[] = {
	P_SIGMA, P_TAU,
	{ "eta", SCUOT_PARAM_REAL, 0.1, 1e-12, 1e12, "MMD step size eta of the weight update (eq. 23)" },
	P_STEPS(500),
	{ "one-step", SCUOT_PARAM_FLAG, 0, 0, 1, "one projected-gradient step on the MMD step's QP, as the "
	  "authors' experiments (default: the QP solved to --qp-tol by accelerated projected gradient)" },
	{ "qp-tol", SCUOT_PARAM_REAL, 1e-3, 0, 1, "the QP stops when its KKT residual (Frank-Wolfe gap, a bound on "
	  "the objective error) is at most this fraction of (1/2) MMD^2 at the step's start" },
	{ "qp-iter", SCUOT_PARAM_INT, 200, 1, 1e9, "QP iterations at most per step" },
	{ "qp-ridge", SCUOT_PARAM_REAL, 0.05, 0, 1e6, "the QP's proximal term (1/2 eta)|b - w|_K^2 gets "
	  "(rho/2 eta)|b - w|^2 added, rho this times the largest eigenvalue of K: bounds the QP's condition "
	  "number (fixed points unchanged; 0: the exact step of eq. 23)" },
	{ "unbalanced", SCUOT_PARAM_FLAG, 0, 0, 1, "non-negative measures, target mass sum b / sum a (default: "
	  "the spherical version, weights on the simplex)" },
};

static const scuot_ot_param mmdflow_params[] = {
	P_SIGMA, P_TAU, P_STEPS(500),
	{ "noise", SCUOT_PARAM_REAL, 0, 0, 1e300, "noise level beta: the gradient is taken at x + beta u, u ~ "
	  "N(0, I)" },
	{ "noise-off", SCUOT_PARAM_INT, 3000, 0, 1e9, "iteration from which no noise is injected" },
};

static const scuot_ot_param wfrflow_params[] = {
	P_SIGMA, P_TAU,
	{ "eta", SCUOT_PARAM_REAL, 1, 1e-12, 1e12, "mirror step: w <- w exp(-eta dF/dmu)" },
	P_STEPS(500),
	{ "unbalanced", SCUOT_PARAM_FLAG, 0, 0, 1, "non-negative measures, target mass sum b / sum a (default: "
	  "weights renormalised to total 1)" },
};

#define NP(t) ((int)(sizeof t / sizeof t[0]))

/* Gladin, Dvurechensky, Mielke, Zhu 2024 ("Interaction-force transport gradient flows"), Algorithm 1 with
 * the MMD step (23)-(24); Arbel, Korba, Salim, Gretton 2019 ("Maximum mean discrepancy gradient flow",
 * NeurIPS), eq. (29) with noise injection; the WFR flow of the MMD as in Gladin et al., appendix. */
static int run_flow(int kind, const scuot_ot_param *t, int np, const scuot_ot_problem *p, const double *par,
                    scuot_ot_result *r, scuot_err *e)
{
	flow_state s;
	int64_t n = p->n, m = p->m, d = p->d, N = n + m;
	double sigma = flow_par(t, np, par, "sigma"), tau = flow_par(t, np, par, "tau");
	int64_t steps = (int64_t)flow_par(t, np, par, "steps"), every = (int64_t)flow_par(t, np, par, "record");
	double eta = kind != KIND_MMD ? flow_par(t, np, par, "eta") : 0;
	int spherical = kind != KIND_MMD ? flow_par(t, np, par, "unbalanced") == 0 : 1;
	int exact = kind == KIND_IFT ? flow_par(t, np, par, "one-step") == 0 : 0;
	double ridge = kind == KIND_IFT ? flow_par(t, np, par, "qp-ridge") : 0;
	double qp_tol = kind == KIND_IFT ? flow_par(t, np, par, "qp-tol") : 0;
	int64_t qp_iter = kind == KIND_IFT ? (int64_t)flow_par(t, np, par, "qp-iter") : 0;
	double noise = kind == KIND_MMD ? flow_par(t, np, par, "noise") : 0;
	int64_t noise_off = kind == KIND_MMD ? (int64_t)flow_par(t, np, par, "noise-off") : 0;
	double *z = NULL, *v = NULL, *kv = NULL, *kvz = NULL, *grad = NULL, *q = NULL, *c = NULL, *ones = NULL;
	double *rs = NULL, *kw = NULL, *pv = NULL, *zv = NULL, d0, d1, worst_kkt = 0, kyy = 0;
	int64_t qp_total = 0, qp_unconv = 0;
	gsl_rng *rng = NULL;
	kmat km = { 0 };
	int ret, nblas = 1;
	if ((ret = flow_state_init(&s, p, !spherical, e)))
		goto done;
	if (!(sigma > 0))
		sigma = scuot_flow_median_sigma(p->x, n, p->y, m, d);
	if (!(tau > 0))
		tau = (double)n * sigma * sigma / 8;
	scuot_log_info("%s: %lld particles, %lld targets, sigma %.4g, tau %.4g%s, %lld iterations",
	               kind == KIND_IFT ? "ift" : kind == KIND_MMD ? "mmdflow" : "wfrflow", (long long)n,
	               (long long)m, sigma, tau, kind == KIND_MMD ? "" : spherical ? ", spherical" : ", unbalanced",
	               (long long)steps);
	if (!(z = scuot_alloc((size_t)(N * d), sizeof(double), 0, "particles and targets", e)) ||
	    !(v = scuot_alloc((size_t)N, sizeof(double), 0, "kernel coefficients", e)) ||
	    !(kv = scuot_alloc((size_t)n, sizeof(double), 0, "kernel sums", e)) ||
	    !(kvz = scuot_alloc((size_t)(n * d), sizeof(double), 0, "kernel sums", e)) ||
	    !(grad = scuot_alloc((size_t)(n * d), sizeof(double), 0, "gradients", e)) ||
	    !(c = scuot_alloc((size_t)n, sizeof(double), 0, "QP linear term", e)) ||
	    !(ones = scuot_alloc((size_t)n, sizeof(double), 0, "ones", e)) ||
	    !(rs = scuot_alloc((size_t)n, sizeof(double), 0, "kernel row sums", e)) ||
	    !(kw = scuot_alloc((size_t)n, sizeof(double), 0, "kernel products", e)) ||
	    !(pv = scuot_alloc((size_t)n, sizeof(double), 0, "power iteration vector", e)) ||
	    !(zv = scuot_alloc(FLOW_BLOCK, sizeof(double), 1, "zeros", e)) ||
	    (noise > 0 && !(q = scuot_alloc((size_t)(n * d), sizeof(double), 0, "noisy particles", e)))) {
		ret = e->code;
		goto done;
	}
	memcpy(z + n * d, p->y, sizeof(double) * (size_t)(m * d));
	for (int64_t j = 0; j < m; j++)
		v[n + j] = -s.bt[j];
	for (int64_t i = 0; i < n; i++)
		ones[i] = 1, pv[i] = 1 / sqrt((double)n);
	/* the target's own term of MMD^2, for the QP's relative tolerance */
	if (kind == KIND_IFT && exact &&
	    (ret = scuot_kern_gauss_sum(p->y, m, s.bt, p->y, m, s.bt, d, sigma, &kyy, e)))
		goto done;
	if (noise > 0 && !(rng = scuot_rng_new(p->seed, 0x1f, e))) {
		ret = e->code;
		goto done;
	}
	km.x = s.x, km.n = n, km.d = d, km.sigma = sigma;
	if (kind == KIND_IFT && exact && (double)n * n * sizeof(double) <= (double)p->max_memory / 2 &&
	    (!(km.dense = scuot_alloc((size_t)(n * n), sizeof(double), 0, "particle kernel", e)) ||
	     !(km.part = scuot_alloc((size_t)((n + FLOW_SYMV_ROWS - 1) / FLOW_SYMV_ROWS), (size_t)n * sizeof(double),
	                             0, "partial kernel products", e)))) {
		ret = e->code;
		goto done;
	}
	if ((ret = flow_exact_mmd(&s, p, sigma, &d0, &d1, e)) || (ret = flow_record(&s, r, 0, d0, d1, e)))
		goto done;
	nblas = flow_blas_serial(); /* the dense products; the kernel sums are serial BLAS inside anyway */
	for (int64_t it = 1; it <= steps; it++) {
		/* Wasserstein step (Gladin et al. eq. 15): the first variation g = sum_j w_j k(., x_j) - sum_j b_j
		 * k(., y_j) of F at the current particles, its gradient at x (or at x + noise).  The step is the
		 * authors' implementation's: the gradient of MMD^2 in the particle's position, 4 w_i grad g(x_i)
		 * (w normalised), so tau is the step of their experiments (100 particles: tau 50). */
		memcpy(z, s.x, sizeof(double) * (size_t)(n * d));
		memcpy(v, s.w, sizeof(double) * (size_t)n);
		const double *at = s.x;
		if (noise > 0 && it < noise_off) {
			for (int64_t k = 0; k < n * d; k++)
				q[k] = s.x[k] + noise * gsl_ran_gaussian_ziggurat(rng, 1.0);
			at = q;
		}
		if ((ret = scuot_flow_gauss_apply(at, n, z, N, v, d, sigma, kv, kvz, e)))
			goto done;
		scuot_flow_gauss_grad(at, n, d, sigma, kv, kvz, grad);
		for (int64_t i = 0; i < n; i++) {
			double f = 4 * tau * s.w[i]; /* w in units where the source has total 1 */
			for (int64_t k = 0; k < d; k++)
				s.x[i * d + k] -= f * grad[i * d + k];
		}
		if (kind == KIND_WFR) {
			/* mirror step: w <- w exp(-eta g(x_new)) with g of the particles before the move */
			if ((ret = scuot_flow_gauss_apply(s.x, n, z, N, v, d, sigma, kv, NULL, e)))
				goto done;
			double tot = 0;
			for (int64_t i = 0; i < n; i++)
				tot += s.w[i] *= exp(-eta * kv[i]);
			if (spherical)
				for (int64_t i = 0; i < n; i++)
					s.w[i] /= tot;
		} else if (kind == KIND_IFT) {
			/* MMD step (eq. 23) at the new positions: minimise over b (simplex, or b >= 0)
			 *   (1/2)(1 + 1/eta) b^T K b - b^T (K_xy bt + K w / eta),  K of the new positions,
			 * plus (rho / 2 eta)|b - w|^2 (--qp-ridge): K's eigenvalues decay fast (condition numbers of
			 * 1e5 and more at the median bandwidth), which leaves accelerated projected gradient far from
			 * the optimum after hundreds of iterations; the ridge bounds the condition number by about
			 * 1 + (1 + eta) / ridge and keeps the fixed points (b = w) of the step. */
			memcpy(z, s.x, sizeof(double) * (size_t)(n * d));
			km.scale = 1;
			if (km.dense)
				kmat_fill(&km, rs, zv);
			if ((ret = kmat_mv(&km, ones, rs, e)))
				goto done;
			double lmax = 0, lpow, zs = spherical ? 1.0 : 0.0;
			for (int64_t i = 0; i < n; i++)
				lmax = rs[i] > lmax ? rs[i] : lmax; /* Gershgorin: K >= 0 entrywise */
			/* the largest eigenvalue of K: power iterations warm-started from the last step's vector (K is
			 * entrywise positive, its top eigenvector positive and well separated), bounded above by
			 * rho + |K v - rho v| (an eigenvalue lies within the residual of the Rayleigh quotient rho), and
			 * by Gershgorin */
			if (!exact)
				lpow = lmax;
			else if ((ret = power_bound(&km, pv, kw, 3, &lpow, e)))
				goto done;
			double lam = lpow < lmax ? lpow : lmax, L = (1 + 1 / eta) * lam, rho = ridge * lam;
			if (exact) {
				int64_t qi;
				double kkt, mmd2 = kyy, tol;
				/* c = K_xy bt + K w / eta; MMD^2 of (x_new, w) = w K w - 2 w K_xy bt + bt K_yy bt */
				if ((ret = kmat_mv(&km, s.w, kw, e)) ||
				    (ret = scuot_flow_gauss_apply(s.x, n, p->y, m, s.bt, d, sigma, c, NULL, e)))
					goto done;
				for (int64_t i = 0; i < n; i++) {
					mmd2 += s.w[i] * (kw[i] - 2 * c[i]);
					c[i] += (kw[i] + rho * s.w[i]) / eta;
				}
				/* the step lowers (1/2) MMD^2 by at most its value: the tolerance is relative to it */
				tol = qp_tol * 0.5 * (mmd2 > 0 ? mmd2 : 0);
				km.scale = 1 + 1 / eta, km.shift = rho / eta;
				if ((ret = scuot_flow_qp_simplex(n, kmat_mv, &km, c, L + km.shift, zs, tol, qp_iter, s.w, &qi,
				                                 &kkt, e)))
					goto done;
				km.shift = 0;
				qp_total += qi;
				if (kkt > tol)
					qp_unconv++;
				kkt = tol > 0 ? kkt / tol * qp_tol : kkt;
				worst_kkt = kkt > worst_kkt ? kkt : worst_kkt;
			} else {
				/* one projected-gradient step on (23) from w: gradient K w - K_xy bt, step 1/L */
				memcpy(v, s.w, sizeof(double) * (size_t)n);
				if ((ret = scuot_flow_gauss_apply(s.x, n, z, N, v, d, sigma, kv, NULL, e)))
					goto done;
				for (int64_t i = 0; i < n; i++)
					s.w[i] -= kv[i] / L;
				if (spherical)
					scuot_flow_simplex_project(s.w, n, zs);
				else
					for (int64_t i = 0; i < n; i++)
						s.w[i] = s.w[i] > 0 ? s.w[i] : 0;
			}
		}
		if (flow_due(it, steps, every) &&
		    ((ret = flow_exact_mmd(&s, p, sigma, &d0, &d1, e)) || (ret = flow_record(&s, r, it, d0, d1, e))))
			goto done;
	}
	if (kind == KIND_IFT && exact) {
		scuot_log_info("ift: %lld QP iterations in all (%.1f a step); worst KKT residual %.3g of (1/2) MMD^2",
		               (long long)qp_total, (double)qp_total / (double)steps, worst_kkt);
		if (qp_unconv)
			scuot_log_warning("ift: the MMD step stopped at --qp-iter %lld before --qp-tol %g in %lld of %lld "
			                  "iterations (worst KKT residual %.3g of (1/2) MMD^2)", (long long)qp_iter, qp_tol,
			                  (long long)qp_unconv, (long long)steps, worst_kkt);
	}
	ret = flow_finish(&s, r, steps, "mmd to target", e);
done:
	flow_blas_restore(nblas);
	flow_state_free(&s);
	gsl_rng_free(rng);
	free(km.dense);
	free(km.part);
	free(z);
	free(v);
	free(kv);
	free(kvz);
	free(grad);
	free(q);
	free(c);
	free(ones);
	free(rs);
	free(kw);
	free(pv);
	free(zv);
	return ret;
}

static int run_ift(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	return run_flow(KIND_IFT, ift_params, NP(ift_params), p, par, r, e);
}

static int run_mmdflow(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	return run_flow(KIND_MMD, mmdflow_params, NP(mmdflow_params), p, par, r, e);
}

static int run_wfrflow(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	return run_flow(KIND_WFR, wfrflow_params, NP(wfrflow_params), p, par, r, e);
}

const scuot_ot_method scuot_method_ift = {
	"ift", "particle flow",
	"interaction-force transport particle gradient descent of (1/2) MMD^2: Wasserstein step on the "
	"positions, MMD step (a QP on the simplex, or on non-negative masses) on the weights",
	"Gladin, Dvurechensky, Mielke, Zhu 2024, Algorithm 1 and eq. 23-24",
	NP(ift_params), ift_params, SCUOT_COST_SQEUCLIDEAN, run_ift, NULL
};

const scuot_ot_method scuot_method_mmdflow = {
	"mmdflow", "particle flow",
	"MMD gradient flow: particles descend the witness function of (1/2) MMD^2, optionally with noise "
	"injection switched off at --noise-off",
	"Arbel, Korba, Salim, Gretton 2019 (NeurIPS), Sec. 3-4",
	NP(mmdflow_params), mmdflow_params, SCUOT_COST_SQEUCLIDEAN, run_mmdflow, NULL
};

const scuot_ot_method scuot_method_wfrflow = {
	"wfrflow", "particle flow",
	"Wasserstein-Fisher-Rao flow of (1/2) MMD^2: Wasserstein step on the positions, multiplicative (mirror) "
	"step on the weights",
	"Gladin, Dvurechensky, Mielke, Zhu 2024, appendix (MMD-WFR-GF)",
	NP(wfrflow_params), wfrflow_params, SCUOT_COST_SQEUCLIDEAN, run_wfrflow, NULL
};
