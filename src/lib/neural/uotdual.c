/* uotdual.c -- uot-dual: entropic unbalanced transport by stochastic gradients on the dual with neural potentials
 * u(x), v(y) (Yang & Uhler 2019, ICLR, Appendix A, Algorithm 2), then the barycentric projection map learned from
 * them (Algorithm 3, after Seguy et al. 2018).
 *
 * Problem (Appendix A, eq. 3 with the regulariser R = eps KL(gamma | mu x nu)), psi_k = lambda_k KL:
 *     min_gamma <gamma, C> + eps KL(gamma | a x b) + lambda1 KL(gamma 1 | a) + lambda2 KL(gamma^T 1 | b)
 * with C the scaled cost (as the other methods: |x - y|^2 over its median, or as --cost-norm says).  When a and
 * b are uniform with total 1 each (scuot-transport without --growth-column), a x b is the uniform reference
 * 1 / (n m) of the uot method and the two solve the same problem.  Dual (eq. 9, 11), divided by c_mu = sum a:
 *     max_{u,v}  -E_x psi1*(-u(x)) - (c_nu / c_mu) E_y psi2*(-v(y)) - eps c_nu E_{x,y} e^{(u(x) + v(y) - C(x,y)) / eps}
 * with x ~ a / c_mu, y ~ b / c_nu and (lambda KL)*(t) = lambda (e^{t / lambda} - 1) (t itself for lambda = inf,
 * a hard constraint).  Each minibatch of n source and n target cells uses all n^2 pairs for the last term (an
 * unbiased estimate of the same expectation as the paper's n pairs).  The primal solution (eq. 10) is
 * gamma_ij = a_i b_j exp((u_i + v_j - C_ij) / eps), i.e. the entropic form of the result with potentials
 * f_i = u_i + eps log a_i, g_j = v_j + eps log b_j: the coupling, its marginals and the scaling factors (row sums
 * / a) are rebuilt from them, so scuot-interpolate's auto rule pairs cells on the coupling (linear).
 * Algorithm 3 then fits T(x) (3 hidden ReLU layers, residual with a zero last layer as uotgan's T) by minimising
 * E_{x,y} |y - T(x)|^2 e^{(u(x) + v(y) - C(x,y)) / eps}, whose minimiser is the barycentric projection
 * sum_j gamma_ij y_j / sum_j gamma_ij (Algorithm 3 writes d(x_i, T(y_i)); the map here goes from source to
 * target as the text defines it).  The map is stored as the two snapshots of the map rule (masses a and the
 * row sums), available with --rule map. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mat.h"
#include "core/rng.h"
#include "neural/neural_internal.h"
#include "ot/cost.h"
#include "ot/ot_internal.h"

static const scuot_ot_param dual_params[] = {
	{ "iters", SCUOT_PARAM_INT, 3000, 1, 1e9, "dual SGD iterations (Algorithm 2)" },
	{ "map-iters", SCUOT_PARAM_INT, 2000, 0, 1e9, "iterations of the barycentric map (Algorithm 3; 0: no map)" },
	{ "batch", SCUOT_PARAM_INT, 128, 1, 1e5, "source and target cells per minibatch (all pairs are used)" },
	{ "width", SCUOT_PARAM_INT, 64, 1, 65536, "units of each of the 3 hidden ReLU layers of u, v and T" },
	{ "epsilon", SCUOT_PARAM_REAL, 0.05, 1e-12, 1e12, "entropic regularisation, in units of the (normalised) "
	  "cost" },
	{ "lambda1", SCUOT_PARAM_REAL, 1, 1e-12, INFINITY, "KL penalty on the source marginal (inf: constraint)" },
	{ "lambda2", SCUOT_PARAM_REAL, 50, 1e-12, INFINITY, "KL penalty on the target marginal (inf: constraint)" },
	{ "lr", SCUOT_PARAM_REAL, 1e-3, 1e-12, 10, "Adam learning rate of u and v at the start" },
	{ "map-lr", SCUOT_PARAM_REAL, 3e-3, 1e-12, 10, "Adam learning rate of the map T at the start" },
	{ "lr-end", SCUOT_PARAM_REAL, 0.05, 1e-6, 1, "the learning rate decays geometrically to lr times this by the "
	  "last iteration (of each algorithm)" },
	{ "residual", SCUOT_PARAM_INT, 1, 0, 1, "1: T(x) = x + MLP(x); 0: T = MLP(x)" },
	{ "record", SCUOT_PARAM_INT, 10, 1, 1e9, "the curve holds the mean minibatch dual objective of every this "
	  "many iterations" },
};

#define NP(t) ((int)(sizeof t / sizeof t[0]))
#define PAR(name) neural_par(dual_params, NP(dual_params), par, name)

/* (lambda KL)*(t) as a node: lambda (e^{t / lambda} - 1), or t when lambda is infinite. */
static scuot_nn_node *kl_conj(scuot_nn_graph *g, scuot_nn_node *t, double lambda)
{
	if (isinf(lambda))
		return t;
	return scuot_nn_scale(g, scuot_nn_add_scalar(g, scuot_nn_exp(g, scuot_nn_scale(g, t, 1 / lambda)), -1),
	                      lambda);
}

/* C_ij = s2 |x_i - y_j|^2 of two minibatches into C (k x k). */
static void batch_cost(const double *X, const double *Y, int64_t k, int64_t d, double s2, double *C)
{
	for (int64_t i = 0; i < k; i++)
		for (int64_t j = 0; j < k; j++) {
			double c = 0;
			for (int64_t q = 0; q < d; q++)
				c += (X[i * d + q] - Y[j * d + q]) * (X[i * d + q] - Y[j * d + q]);
			C[i * k + j] = s2 * c;
		}
}

/* The k x k exponents (u_i + v_j - C_ij) / eps as a node. */
static scuot_nn_node *pair_exponent(scuot_nn_graph *g, scuot_nn_node *U, scuot_nn_node *V, scuot_nn_node *ones,
                                    const double *C, int64_t k, double eps)
{
	scuot_nn_node *S = scuot_nn_add(g, scuot_nn_matmul(g, U, 0, ones, 1), scuot_nn_matmul(g, ones, 0, V, 1));
	return scuot_nn_scale(g, scuot_nn_sub(g, S, scuot_nn_const(g, k, k, C)), 1 / eps);
}

/* Evaluate net (output width out) at the rows of X (n x d) into val (n x out), block by block; T adds X. */
static int eval_net(scuot_nn_graph *g, const scuot_nn_mlp *net, const double *X, int64_t n, int64_t d,
                    int64_t out, int residual, double *val, scuot_err *e)
{
	for (int64_t i0 = 0; i0 < n; i0 += NEURAL_EVAL_BLOCK) {
		int64_t k = n - i0 < NEURAL_EVAL_BLOCK ? n - i0 : NEURAL_EVAL_BLOCK;
		scuot_nn_graph_reset(g);
		scuot_nn_node *x = scuot_nn_const(g, k, d, X + i0 * d), *y = scuot_nn_mlp_fwd(g, net, x, NULL);
		if (residual)
			y = scuot_nn_add(g, y, x);
		if (!y)
			return scuot_nn_graph_error(g, e);
		memcpy(val + i0 * out, y->v, sizeof(double) * (size_t)(k * out));
	}
	return 0;
}

static int run_uotdual(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	neural_prob np;
	scuot_nn_mlp U, V, T;
	scuot_nn_model *muv = NULL, *mt = NULL;
	scuot_nn_graph *g = NULL;
	scuot_nn_optim ouv, ot;
	gsl_rng *rinit = NULL, *rb = NULL;
	int64_t n = p->n, m = p->m, d = p->d, nb = (int64_t)PAR("batch"), width = (int64_t)PAR("width");
	int64_t iters = (int64_t)PAR("iters"), miters = (int64_t)PAR("map-iters"), every = (int64_t)PAR("record");
	int64_t *ia = NULL, *jb = NULL;
	double eps = PAR("epsilon"), l1 = PAR("lambda1"), l2 = PAR("lambda2"), acc = 0, mloss = NAN;
	double lr = PAR("lr"), lr_end = PAR("lr-end"), mlr = PAR("map-lr");
	double *X = NULL, *Y = NULL, *C = NULL, *one = NULL, *y2 = NULL, *x1 = NULL, *tmp = NULL;
	int residual = PAR("residual") != 0, ret, cap = 0, nblas = -1;
	if ((ret = neural_prob_init(&np, p, r, "uot-dual", e)))
		goto done;
	double cr = np.cnu / np.cmu;
	scuot_log_info("uot-dual: %lld source, %lld target cells, %lld dimensions; eps %g, lambda1 %g, lambda2 %g; "
	               "%lld dual and %lld map iterations of batch %lld, width %lld", (long long)n, (long long)m,
	               (long long)d, eps, l1, l2, (long long)iters, (long long)miters, (long long)nb, (long long)width);
	if (!(rinit = scuot_rng_new(p->seed, 0x64756130u, e)) || !(rb = scuot_rng_new(p->seed, 0x64756131u, e))) {
		ret = e->code;
		goto done;
	}
	if (!(muv = scuot_nn_model_new()) || !(mt = scuot_nn_model_new()) || !(g = scuot_nn_graph_new())) {
		ret = scuot_err_set(e, SCUOT_ENOMEM, "uot-dual: out of memory for the networks");
		goto done;
	}
	if ((ret = neural_mlp3(&U, muv, "u", d, 1, width, SCUOT_NN_IDENTITY, rinit, e)) < 0 ||
	    (ret = neural_mlp3(&V, muv, "v", d, 1, width, SCUOT_NN_IDENTITY, rinit, e)) < 0 ||
	    (ret = neural_mlp3(&T, mt, "T", d, d, width, SCUOT_NN_IDENTITY, rinit, e)) < 0)
		goto done;
	if (residual)
		neural_zero_out(&T);
	ouv = scuot_nn_adam(lr), ot = scuot_nn_adam(mlr);
	if (!(ia = scuot_alloc((size_t)nb, sizeof(int64_t), 0, "minibatch", e)) ||
	    !(jb = scuot_alloc((size_t)nb, sizeof(int64_t), 0, "minibatch", e)) ||
	    !(X = scuot_alloc((size_t)(nb * d), sizeof(double), 0, "minibatch", e)) ||
	    !(Y = scuot_alloc((size_t)(nb * d), sizeof(double), 0, "minibatch", e)) ||
	    !(C = scuot_alloc((size_t)nb, (size_t)nb * sizeof(double), 0, "minibatch costs", e)) ||
	    !(y2 = scuot_alloc((size_t)nb, sizeof(double), 0, "minibatch norms", e)) ||
	    !(one = scuot_alloc((size_t)nb, sizeof(double), 0, "ones", e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t k = 0; k < nb; k++)
		one[k] = 1;

	nblas = neural_blas_small(nb, width > nb ? width : nb);
	/* Algorithm 2: SGD on the negative dual */
	for (int64_t it = 1; it <= iters; it++) {
		for (int64_t k = 0; k < nb; k++)
			ia[k] = (int64_t)gsl_ran_discrete(rb, np.pa), jb[k] = (int64_t)gsl_ran_discrete(rb, np.pb);
		neural_gather(np.x, d, ia, nb, X);
		neural_gather(np.y, d, jb, nb, Y);
		batch_cost(X, Y, nb, d, np.s2, C);
		scuot_nn_graph_reset(g);
		scuot_nn_node *Un = scuot_nn_mlp_fwd(g, &U, scuot_nn_const(g, nb, d, X), NULL);
		scuot_nn_node *Vn = scuot_nn_mlp_fwd(g, &V, scuot_nn_const(g, nb, d, Y), NULL);
		scuot_nn_node *ones = scuot_nn_const(g, nb, 1, one);
		scuot_nn_node *E = scuot_nn_exp(g, pair_exponent(g, Un, Vn, ones, C, nb, eps));
		scuot_nn_node *loss = scuot_nn_add(g, scuot_nn_add(g, scuot_nn_mean(g, kl_conj(g, scuot_nn_scale(g, Un, -1), l1)),
		                                                   scuot_nn_scale(g, scuot_nn_mean(g, kl_conj(g,
		                                                                  scuot_nn_scale(g, Vn, -1), l2)), cr)),
		                                   scuot_nn_scale(g, scuot_nn_mean(g, E), eps * np.cnu));
		if (!loss) {
			ret = scuot_nn_graph_error(g, e);
			goto done;
		}
		if (!isfinite(loss->v[0])) {
			ret = scuot_err_set(e, SCUOT_ENUMERIC, "uot-dual: the minibatch dual objective became %g at iteration "
			                    "%lld; lower --lr or raise --epsilon", -loss->v[0], (long long)it);
			goto done;
		}
		acc -= loss->v[0];
		ouv.lr = lr * pow(lr_end, (double)(it - 1) / (double)iters);
		scuot_nn_model_zero_grad(muv);
		if ((ret = scuot_nn_backward(g, loss, muv, e)) || (ret = scuot_nn_optim_step(&ouv, muv, e)))
			goto done;
		if (it % every == 0 || it == iters) {
			int64_t k = it % every == 0 ? every : it % every;
			if ((ret = neural_curve_push(r, &cap, acc / (double)k, e)))
				goto done;
			acc = 0;
		}
	}

	/* Algorithm 3: the barycentric projection from the fixed potentials */
	for (int64_t it = 1; it <= miters; it++) {
		for (int64_t k = 0; k < nb; k++)
			ia[k] = (int64_t)gsl_ran_discrete(rb, np.pa), jb[k] = (int64_t)gsl_ran_discrete(rb, np.pb);
		neural_gather(np.x, d, ia, nb, X);
		neural_gather(np.y, d, jb, nb, Y);
		batch_cost(X, Y, nb, d, np.s2, C);
		for (int64_t j = 0; j < nb; j++) {
			y2[j] = 0;
			for (int64_t q = 0; q < d; q++)
				y2[j] += Y[j * d + q] * Y[j * d + q];
		}
		scuot_nn_graph_reset(g);
		scuot_nn_node *Xn = scuot_nn_const(g, nb, d, X), *Yn = scuot_nn_const(g, nb, d, Y);
		scuot_nn_node *ones = scuot_nn_const(g, nb, 1, one);
		scuot_nn_node *H = scuot_nn_exp(g, pair_exponent(g, scuot_nn_mlp_fwd(g, &U, Xn, NULL),
		                                                  scuot_nn_mlp_fwd(g, &V, Yn, NULL), ones, C, nb, eps));
		scuot_nn_node *Tx = scuot_nn_mlp_fwd(g, &T, Xn, NULL);
		if (residual)
			Tx = scuot_nn_add(g, Tx, Xn);
		if (!H || !Tx) {
			ret = scuot_nn_graph_error(g, e);
			goto done;
		}
		/* |y_j - T_i|^2 = |T_i|^2 - 2 T_i . y_j + |y_j|^2, weighted by the constant H_ij */
		scuot_nn_node *D = scuot_nn_add(g, scuot_nn_sub(g, scuot_nn_bcast(g, scuot_nn_sum_cols(g,
		                                scuot_nn_square(g, Tx)), nb, nb), scuot_nn_scale(g, scuot_nn_matmul(g, Tx, 0, Yn,
		                                1), 2)), scuot_nn_bcast(g, scuot_nn_const(g, 1, nb, y2), nb, nb));
		scuot_nn_node *loss = scuot_nn_mean(g, scuot_nn_mul(g, scuot_nn_const(g, nb, nb, H->v), D));
		if (!loss) {
			ret = scuot_nn_graph_error(g, e);
			goto done;
		}
		mloss = loss->v[0];
		ot.lr = mlr * pow(lr_end, (double)(it - 1) / (double)miters);
		scuot_nn_model_zero_grad(mt);
		if ((ret = scuot_nn_backward(g, loss, mt, e)) || (ret = scuot_nn_optim_step(&ot, mt, e)))
			goto done;
	}

	neural_blas_restore(nblas);
	nblas = -1;
	/* potentials at every cell, the coupling they give, the map */
	if (!(r->f = scuot_alloc((size_t)n, sizeof(double), 0, "source potential", e)) ||
	    !(r->g = scuot_alloc((size_t)m, sizeof(double), 0, "target potential", e))) {
		ret = e->code;
		goto done;
	}
	if ((ret = eval_net(g, &U, np.x, n, d, 1, 0, r->f, e)) || (ret = eval_net(g, &V, np.y, m, d, 1, 0, r->g, e)))
		goto done;
	for (int64_t i = 0; i < n; i++)
		r->f[i] += eps * log(p->a[i]);
	for (int64_t j = 0; j < m; j++)
		r->g[j] += eps * log(p->b[j]);
	r->eps = eps;
	if ((ret = scuot_ot_result_from_potentials(r, p->max_memory, p->topk, e)))
		goto done;
	{ /* sum_ij pi_ij C_ij, block by block */
		scuot_cost c;
		int64_t blk = (int64_t)((1 << 17) / m) > 0 ? (int64_t)((1 << 17) / m) : 1;
		double tc = 0, sa = 0, sb = 0, ea = 0, eb = 0;
		if ((ret = scuot_cost_init(&c, SCUOT_COST_SQEUCLIDEAN, p->x, n, p->y, m, d, 0, e)))
			goto done;
		c.scale = r->cost_scale, c.norm = r->cost_norm;
		if (!(tmp = scuot_alloc((size_t)(2 * blk), (size_t)m * sizeof(double), 0, "coupling rows", e))) {
			scuot_cost_free(&c);
			ret = e->code;
			goto done;
		}
		for (int64_t i0 = 0; i0 < n && !ret; i0 += blk) {
			int64_t i1 = i0 + blk < n ? i0 + blk : n;
			if (!(ret = scuot_ot_result_coupling_rows(r, i0, i1, tmp, e))) {
				scuot_cost_rows(&c, i0, i1, tmp + blk * m);
				for (int64_t q = 0; q < (i1 - i0) * m; q++)
					tc += tmp[q] * tmp[blk * m + q];
			}
		}
		scuot_cost_free(&c);
		if (ret)
			goto done;
		for (int64_t i = 0; i < n; i++)
			sa += p->a[i], ea += fabs(r->row_sum[i] - p->a[i]);
		for (int64_t j = 0; j < m; j++)
			sb += p->b[j], eb += fabs(r->col_sum[j] - p->b[j]);
		r->transport_cost = tc, r->marg_err_a = ea / sa, r->marg_err_b = eb / sb;
	}
	if (miters > 0) {
		if (!(x1 = scuot_alloc((size_t)(n * d), sizeof(double), 0, "mapped cells", e))) {
			ret = e->code;
			goto done;
		}
		if ((ret = eval_net(g, &T, np.x, n, d, d, residual, x1, e)))
			goto done;
		for (int64_t i = 0; i < n; i++)
			for (int64_t q = 0; q < d; q++)
				x1[i * d + q] = np.centre[q] + np.sigma * x1[i * d + q];
		ret = neural_map_snapshots(r, p, x1, r->row_sum, e);
		x1 = NULL;
		if (ret)
			goto done;
	}
	r->iterations = iters, r->converged = 1;
	r->objective = r->n_curve ? r->curve[r->n_curve - 1] : NAN;
	snprintf(r->curve_name, sizeof r->curve_name, "minibatch dual objective");
	if ((ret = neural_save(r, muv, &np, e)) || (miters > 0 && (ret = neural_save(r, mt, NULL, e))))
		goto done;
	{
		double sr = 0, sc = 0;
		for (int64_t i = 0; i < n; i++)
			sr += r->row_sum[i];
		for (int64_t j = 0; j < m; j++)
			sc += r->col_sum[j];
		scuot_log_info("uot-dual: dual objective %.4g (first record %.4g); coupling mass %.4g (rows) %.4g (columns) "
		               "for source mass %.4g, target mass %.4g; transport cost %.4g; map loss %.4g", r->objective,
		               r->n_curve ? r->curve[0] : NAN, sr, sc, np.cmu, np.cnu, r->transport_cost, mloss);
	}
done:
	neural_blas_restore(nblas);
	free(ia);
	free(jb);
	free(X);
	free(Y);
	free(C);
	free(y2);
	free(one);
	free(x1);
	free(tmp);
	scuot_nn_graph_free(g);
	scuot_nn_model_free(muv);
	scuot_nn_model_free(mt);
	gsl_rng_free(rinit);
	gsl_rng_free(rb);
	neural_prob_free(&np);
	return ret;
}

const scuot_ot_method scuot_method_uotdual = {
	"uot-dual", "static coupling",
	"entropic unbalanced transport (KL penalties) by stochastic gradients on the dual with neural potentials, "
	"and the barycentric projection map",
	"Yang & Uhler 2019 (ICLR), Appendix A, Algorithms 2 and 3; Seguy et al. 2018 (ICLR)",
	NP(dual_params), dual_params, SCUOT_COST_SQEUCLIDEAN, run_uotdual, NULL
};
