/* simplex.c -- Euclidean projection onto the simplex and an accelerated projected-gradient solver for the
 * convex quadratic programs of the IFT MMD step, with their KKT residual. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mat.h"
#include "flow/flow.h"

static int cmp_desc(const void *p, const void *q)
{
	double u = *(const double *)p, v = *(const double *)q;
	return (u < v) - (u > v);
}

/* Duchi, Shalev-Shwartz, Singer, Chandra, "Efficient projections onto the l1-ball for learning in high
 * dimensions", ICML 2008, Fig. 1: theta from the sorted values, then b = max(v - theta, 0). */
void scuot_flow_simplex_project(double *v, int64_t n, double z)
{
	double *u = malloc(sizeof(double) * (size_t)n), cum = 0, theta = 0;
	if (!u) { /* bisection on theta without the sorted copy */
		double lo = -INFINITY, hi = -INFINITY;
		for (int64_t i = 0; i < n; i++)
			hi = v[i] > hi ? v[i] : hi;
		lo = hi - z;
		for (int it = 0; it < 200; it++) {
			double mid = 0.5 * (lo + hi), s = 0;
			for (int64_t i = 0; i < n; i++)
				s += v[i] > mid ? v[i] - mid : 0;
			if (s > z)
				lo = mid;
			else
				hi = mid;
		}
		theta = 0.5 * (lo + hi);
	} else {
		memcpy(u, v, sizeof(double) * (size_t)n);
		qsort(u, (size_t)n, sizeof(double), cmp_desc);
		for (int64_t j = 0; j < n; j++) {
			cum += u[j];
			double t = (cum - z) / (double)(j + 1);
			if (u[j] - t > 0)
				theta = t;
		}
		free(u);
	}
	for (int64_t i = 0; i < n; i++)
		v[i] = v[i] > theta ? v[i] - theta : 0;
}

double scuot_flow_qp_kkt(const double *b, const double *g, int64_t n, double z)
{
	double r = 0;
	if (z > 0) {
		double nu = INFINITY;
		for (int64_t i = 0; i < n; i++)
			nu = g[i] < nu ? g[i] : nu;
		for (int64_t i = 0; i < n; i++)
			r += b[i] * (g[i] - nu);
		return r / z;
	}
	for (int64_t i = 0; i < n; i++) {
		double t = fabs(b[i] * g[i]);
		r = -g[i] > r ? -g[i] : r;
		r = t > r ? t : r;
	}
	return r;
}

static void project(double *v, int64_t n, double z)
{
	if (z > 0)
		scuot_flow_simplex_project(v, n, z);
	else
		for (int64_t i = 0; i < n; i++)
			v[i] = v[i] > 0 ? v[i] : 0;
}

/* FISTA (Beck & Teboulle, SIAM J. Imaging Sci. 2, 2009) with the gradient restart of O'Donoghue & Candes
 * (Found. Comput. Math. 15, 2015).  H y is kept by linearity from H b, so each iteration costs one
 * product (the extrapolated point y need not be feasible). */
int scuot_flow_qp_simplex(int64_t n, scuot_flow_matvec hv, void *ctx, const double *c, double L, double z,
                          double tol, int64_t max_iter, double *b, int64_t *iters, double *kkt, scuot_err *e)
{
	double *y = NULL, *hb = NULL, *hy = NULL, *bn = NULL, *hbn = NULL, *g = NULL, t = 1, res = INFINITY;
	int64_t it = 0;
	int ret;
	if (!(L > 0) || !isfinite(L))
		return scuot_err_set(e, SCUOT_EINTERNAL, "QP step: Lipschitz constant %g", L);
	if (!(y = scuot_alloc((size_t)n, sizeof(double), 0, "QP iterate", e)) ||
	    !(hb = scuot_alloc((size_t)n, sizeof(double), 0, "QP product", e)) ||
	    !(hy = scuot_alloc((size_t)n, sizeof(double), 0, "QP product", e)) ||
	    !(bn = scuot_alloc((size_t)n, sizeof(double), 0, "QP iterate", e)) ||
	    !(hbn = scuot_alloc((size_t)n, sizeof(double), 0, "QP product", e)) ||
	    !(g = scuot_alloc((size_t)n, sizeof(double), 0, "QP gradient", e))) {
		ret = e->code;
		goto done;
	}
	project(b, n, z);
	if ((ret = hv(ctx, b, hb, e)))
		goto done;
	for (int64_t i = 0; i < n; i++)
		g[i] = hb[i] - c[i];
	res = scuot_flow_qp_kkt(b, g, n, z);
	memcpy(y, b, sizeof(double) * (size_t)n);
	memcpy(hy, hb, sizeof(double) * (size_t)n);
	while (res > tol && it < max_iter) {
		double tn, beta, dot = 0;
		for (int64_t i = 0; i < n; i++)
			bn[i] = y[i] - (hy[i] - c[i]) / L;
		project(bn, n, z);
		if ((ret = hv(ctx, bn, hbn, e)))
			goto done;
		it++;
		for (int64_t i = 0; i < n; i++)
			dot += (y[i] - bn[i]) * (bn[i] - b[i]);
		if (dot > 0)
			t = 1; /* restart: momentum pointed uphill */
		tn = 0.5 * (1 + sqrt(1 + 4 * t * t));
		beta = (t - 1) / tn;
		for (int64_t i = 0; i < n; i++) {
			y[i] = bn[i] + beta * (bn[i] - b[i]);
			hy[i] = hbn[i] + beta * (hbn[i] - hb[i]);
			g[i] = hbn[i] - c[i];
		}
		memcpy(b, bn, sizeof(double) * (size_t)n);
		memcpy(hb, hbn, sizeof(double) * (size_t)n);
		t = tn;
		res = scuot_flow_qp_kkt(b, g, n, z);
	}
	ret = 0;
done:
	if (iters)
		*iters = it;
	if (kkt)
		*kkt = res;
	free(y);
	free(hb);
	free(hy);
	free(bn);
	free(hbn);
	free(g);
	return ret;
}
