/* cost.c -- ground costs between two point clouds, evaluated in row blocks with one dgemm per block
 * (|x|^2 + |y|^2 - 2 x.y), and their normalisation by the median, mean or max entry. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <gsl/gsl_rng.h>

#include "core/mat.h"
#include "core/rng.h"
#include "ot/cost.h"

#define MEDIAN_SAMPLE (1 << 18)

int scuot_cost_init(scuot_cost *c, int kind, const double *x, int64_t n, const double *y, int64_t m,
                    int64_t d, double delta, scuot_err *e)
{
	memset(c, 0, sizeof *c);
	if (kind != SCUOT_COST_SQEUCLIDEAN && kind != SCUOT_COST_EUCLIDEAN && kind != SCUOT_COST_WFR)
		return scuot_err_set(e, SCUOT_EUSAGE, "unknown cost kind %d", kind);
	if (kind == SCUOT_COST_WFR && !(delta > 0 && isfinite(delta)))
		return scuot_err_set(e, SCUOT_EUSAGE, "the WFR cost needs a length scale delta > 0 (got %g)", delta);
	if (n < 1 || m < 1 || d < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "empty point cloud (%lld source, %lld target points, %lld dims)",
		                     (long long)n, (long long)m, (long long)d);
	for (int side = 0; side < 2; side++) {
		const double *p = side ? y : x;
		int64_t k = side ? m : n;
		for (int64_t i = 0; i < k * d; i++)
			if (!isfinite(p[i]))
				return scuot_err_set(e, SCUOT_EINPUT, "%s point %lld has a non-finite coordinate (%g)",
				                     side ? "target" : "source", (long long)(i / d), p[i]);
	}
	c->kind = kind, c->x = x, c->y = y, c->n = n, c->m = m, c->d = d, c->delta = delta;
	c->norm = SCUOT_COSTNORM_NONE, c->scale = 1.0;
	c->xx = scuot_alloc((size_t)n, sizeof(double), 0, "source norms", e);
	c->yy = scuot_alloc((size_t)m, sizeof(double), 0, "target norms", e);
	if (!c->xx || !c->yy) {
		scuot_cost_free(c);
		return e->code;
	}
	for (int64_t i = 0; i < n; i++)
		c->xx[i] = cblas_ddot((int)d, x + i * d, 1, x + i * d, 1);
	for (int64_t j = 0; j < m; j++)
		c->yy[j] = cblas_ddot((int)d, y + j * d, 1, y + j * d, 1);
	return 0;
}

void scuot_cost_free(scuot_cost *c)
{
	if (!c)
		return;
	free(c->xx);
	free(c->yy);
	c->xx = c->yy = NULL;
}

/* Raw (unscaled) cost from a squared distance. */
static inline double from_sq(const scuot_cost *c, double s)
{
	if (s < 0)
		s = 0;
	switch (c->kind) {
	case SCUOT_COST_SQEUCLIDEAN: return s;
	case SCUOT_COST_EUCLIDEAN: return sqrt(s);
	default: {
		double r = sqrt(s) / (2 * c->delta);
		return r >= M_PI / 2 ? INFINITY : -2 * log(cos(r));
	}
	}
}

void scuot_cost_rows(const scuot_cost *c, int64_t i0, int64_t i1, double *out)
{
	int64_t nb = i1 - i0, m = c->m;
	if (nb <= 0)
		return;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)m, (int)c->d, -2.0, c->x + i0 * c->d,
	            (int)c->d, c->y, (int)c->d, 0.0, out, (int)m);
	double inv = 1.0 / c->scale;
	for (int64_t r = 0; r < nb; r++) {
		double *o = out + r * m, xi = c->xx[i0 + r];
		if (c->kind == SCUOT_COST_SQEUCLIDEAN) {
			for (int64_t j = 0; j < m; j++) {
				double s = o[j] + xi + c->yy[j];
				o[j] = (s > 0 ? s : 0) * inv;
			}
		} else {
			for (int64_t j = 0; j < m; j++)
				o[j] = from_sq(c, o[j] + xi + c->yy[j]) * inv;
		}
	}
}

double scuot_cost_at(const scuot_cost *c, int64_t i, int64_t j)
{
	const double *x = c->x + i * c->d, *y = c->y + j * c->d;
	double s = 0;
	for (int64_t k = 0; k < c->d; k++)
		s += (x[k] - y[k]) * (x[k] - y[k]);
	return from_sq(c, s) / c->scale;
}

double *scuot_cost_matrix(const scuot_cost *c, scuot_err *e)
{
	if (c->m > 0 && (size_t)c->n > SIZE_MAX / (size_t)c->m)
		return scuot_err_set(e, SCUOT_ELIMIT, "cost matrix %lld x %lld is too large", (long long)c->n,
		                     (long long)c->m),
		       NULL;
	double *C = scuot_alloc((size_t)c->n * (size_t)c->m, sizeof(double), 0, "cost matrix", e);
	if (!C)
		return NULL;
	const int64_t blk = 256;
#pragma omp parallel for schedule(static)
	for (int64_t i0 = 0; i0 < c->n; i0 += blk)
		scuot_cost_rows(c, i0, i0 + blk < c->n ? i0 + blk : c->n, C + i0 * c->m);
	return C;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int scuot_cost_normalize(scuot_cost *c, int norm, scuot_err *e)
{
	if (norm == SCUOT_COSTNORM_NONE) {
		c->norm = norm, c->scale = 1.0;
		return 0;
	}
	if (norm != SCUOT_COSTNORM_MEDIAN && norm != SCUOT_COSTNORM_MEAN && norm != SCUOT_COSTNORM_MAX)
		return scuot_err_set(e, SCUOT_EUSAGE, "unknown cost normalisation %d", norm);
	if (c->kind == SCUOT_COST_WFR)
		return scuot_err_set(e, SCUOT_EUSAGE,
		                     "the WFR cost is not normalised: its length scale delta sets the scale");
	double saved = c->scale, stat = 0;
	c->scale = 1.0;
	int64_t n = c->n, m = c->m;
	if (norm == SCUOT_COSTNORM_MEDIAN) {
		int64_t total = n * m, ns = total <= MEDIAN_SAMPLE ? total : MEDIAN_SAMPLE;
		double *v = scuot_alloc((size_t)ns, sizeof(double), 0, "cost sample", e);
		if (!v) {
			c->scale = saved;
			return e->code;
		}
		if (ns == total) {
			for (int64_t i = 0; i < n; i++)
				scuot_cost_rows(c, i, i + 1, v + i * m);
		} else {
			gsl_rng *r = scuot_rng_new(0x636f7374u, 0, e); /* fixed: the scale depends on the data only */
			if (!r) {
				free(v);
				c->scale = saved;
				return e->code;
			}
			for (int64_t k = 0; k < ns; k++) {
				int64_t i = (int64_t)gsl_rng_uniform_int(r, (unsigned long)n);
				int64_t j = (int64_t)gsl_rng_uniform_int(r, (unsigned long)m);
				v[k] = scuot_cost_at(c, i, j);
			}
			gsl_rng_free(r);
		}
		qsort(v, (size_t)ns, sizeof(double), cmp_double);
		stat = ns % 2 ? v[ns / 2] : 0.5 * (v[ns / 2 - 1] + v[ns / 2]);
		free(v);
	} else {
		const int64_t blk = 64;
		double *row = scuot_alloc((size_t)(blk * m), sizeof(double), 0, "cost rows", e);
		if (!row) {
			c->scale = saved;
			return e->code;
		}
		double sum = 0, mx = 0;
		for (int64_t i0 = 0; i0 < n; i0 += blk) {
			int64_t i1 = i0 + blk < n ? i0 + blk : n;
			scuot_cost_rows(c, i0, i1, row);
			for (int64_t k = 0; k < (i1 - i0) * m; k++) {
				sum += row[k];
				if (row[k] > mx)
					mx = row[k];
			}
		}
		free(row);
		stat = norm == SCUOT_COSTNORM_MEAN ? sum / ((double)n * (double)m) : mx;
	}
	if (!(stat > 0) || !isfinite(stat)) {
		c->scale = saved;
		return scuot_err_set(e, SCUOT_ENUMERIC,
		                     "cannot normalise the cost by its %s: it is %g (are source and target the same "
		                     "single point?); use --cost-norm none",
		                     scuot_cost_norm_name(norm), stat);
	}
	c->norm = norm, c->scale = stat;
	return 0;
}

static const char *kind_names[] = { NULL, "sqeuclidean", "euclidean", "wfr" };
static const char *norm_names[] = { "none", "median", "mean", "max" };

const char *scuot_cost_kind_name(int kind)
{
	return kind >= 1 && kind <= 3 ? kind_names[kind] : "?";
}

int scuot_cost_kind_parse(const char *s)
{
	for (int k = 1; k <= 3; k++)
		if (!strcmp(s, kind_names[k]))
			return k;
	return -1;
}

const char *scuot_cost_norm_name(int norm)
{
	return norm >= 0 && norm <= 3 ? norm_names[norm] : "?";
}

int scuot_cost_norm_parse(const char *s)
{
	for (int k = 0; k <= 3; k++)
		if (!strcmp(s, norm_names[k]))
			return k;
	return -1;
}
