/* ot.c -- transport problems and results: checks of the input clouds, result allocation, marginals and
 * scaling factors, dense-or-top-k coupling storage and coupling rows rebuilt from dual potentials. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sys.h"
#include "ot/cost.h"
#include "ot/ot.h"

scuot_ot_result *scuot_ot_result_new(const scuot_ot_problem *p, scuot_err *e)
{
	scuot_ot_result *r = calloc(1, sizeof *r);
	if (!r)
		return scuot_err_set(e, SCUOT_ENOMEM, "out of memory"), NULL;
	r->n = p->n, r->m = p->m, r->d = p->d, r->t0 = p->t0, r->t1 = p->t1;
	r->cost = p->cost, r->cost_norm = p->cost_norm, r->cost_scale = 1.0, r->delta = p->delta;
	r->seed = p->seed;
	r->pi.n = p->n, r->pi.m = p->m;
	r->x = scuot_alloc((size_t)(p->n * p->d), sizeof(double), 0, "source points", e);
	r->y = scuot_alloc((size_t)(p->m * p->d), sizeof(double), 0, "target points", e);
	r->a = scuot_alloc((size_t)p->n, sizeof(double), 0, "source masses", e);
	r->b = scuot_alloc((size_t)p->m, sizeof(double), 0, "target masses", e);
	if (!r->x || !r->y || !r->a || !r->b) {
		scuot_ot_result_free(r);
		return NULL;
	}
	memcpy(r->x, p->x, sizeof(double) * (size_t)(p->n * p->d));
	memcpy(r->y, p->y, sizeof(double) * (size_t)(p->m * p->d));
	memcpy(r->a, p->a, sizeof(double) * (size_t)p->n);
	memcpy(r->b, p->b, sizeof(double) * (size_t)p->m);
	return r;
}

static void coupling_clear(scuot_coupling *c)
{
	free(c->dense);
	free(c->indptr);
	free(c->indices);
	free(c->data);
	c->dense = NULL, c->indptr = NULL, c->indices = NULL, c->data = NULL;
	c->kind = SCUOT_COUPLING_NONE, c->topk = 0, c->kept_mass = 0;
}

void scuot_ot_result_free(scuot_ot_result *r)
{
	if (!r)
		return;
	free(r->x);
	free(r->y);
	free(r->a);
	free(r->b);
	coupling_clear(&r->pi);
	free(r->row_sum);
	free(r->col_sum);
	free(r->scaling);
	free(r->f);
	free(r->g);
	for (int k = 0; k < r->n_snap; k++) {
		free(r->snap[k].x);
		free(r->snap[k].w);
		free(r->snap[k].ancestor);
	}
	free(r->snap);
	free(r->curve);
	free(r->curve2);
	for (int k = 0; k < r->n_model; k++)
		free(r->model[k].v);
	free(r->model);
	free(r->version);
	free(r->cmdline);
	free(r->input);
	free(r->embedding);
	scuot_strv_clear(&r->source_ids);
	scuot_strv_clear(&r->target_ids);
	scuot_strs_free(r->owned_names, r->n_owned_names);
	free(r);
}

/* Allocate row_sum, col_sum and scaling when absent, zeroed. */
static int marg_alloc(scuot_ot_result *r, scuot_err *e)
{
	if (!r->row_sum && !(r->row_sum = scuot_alloc((size_t)r->n, sizeof(double), 1, "row sums", e)))
		return e->code;
	if (!r->col_sum && !(r->col_sum = scuot_alloc((size_t)r->m, sizeof(double), 1, "column sums", e)))
		return e->code;
	if (!r->scaling && !(r->scaling = scuot_alloc((size_t)r->n, sizeof(double), 1, "scaling factors", e)))
		return e->code;
	memset(r->row_sum, 0, sizeof(double) * (size_t)r->n);
	memset(r->col_sum, 0, sizeof(double) * (size_t)r->m);
	return 0;
}

static void marg_finish(scuot_ot_result *r)
{
	double sa = 0, sb = 0, ea = 0, eb = 0;
	for (int64_t i = 0; i < r->n; i++) {
		r->scaling[i] = r->row_sum[i] / r->a[i];
		sa += r->a[i], ea += fabs(r->row_sum[i] - r->a[i]);
	}
	for (int64_t j = 0; j < r->m; j++)
		sb += r->b[j], eb += fabs(r->col_sum[j] - r->b[j]);
	r->marg_err_a = ea / sa, r->marg_err_b = eb / sb;
}

int scuot_ot_result_marginals(scuot_ot_result *r, scuot_err *e)
{
	const scuot_coupling *c = &r->pi;
	if (c->kind == SCUOT_COUPLING_NONE || (c->kind == SCUOT_COUPLING_SPARSE && c->topk > 0))
		return scuot_err_set(e, SCUOT_EINTERNAL, "marginals need the whole coupling");
	int ret;
	if ((ret = marg_alloc(r, e)))
		return ret;
	if (c->kind == SCUOT_COUPLING_DENSE) {
		for (int64_t i = 0; i < r->n; i++) {
			const double *row = c->dense + i * r->m;
			double s = 0;
			for (int64_t j = 0; j < r->m; j++)
				s += row[j], r->col_sum[j] += row[j];
			r->row_sum[i] = s;
		}
	} else {
		for (int64_t i = 0; i < r->n; i++)
			for (int64_t k = c->indptr[i]; k < c->indptr[i + 1]; k++)
				r->row_sum[i] += c->data[k], r->col_sum[c->indices[k]] += c->data[k];
	}
	marg_finish(r);
	return 0;
}

/* Index sort of one row by decreasing value (selection of the top k by a partial heap). */
static void topk_row(const double *row, int64_t m, int64_t k, int32_t *idx)
{
	/* min-heap of the k largest seen so far, on indices */
	int64_t h = 0;
	for (int64_t j = 0; j < m; j++) {
		if (h < k) {
			int64_t c = h++;
			while (c > 0 && row[idx[(c - 1) / 2]] > row[j]) {
				idx[c] = idx[(c - 1) / 2];
				c = (c - 1) / 2;
			}
			idx[c] = (int32_t)j;
		} else if (row[j] > row[idx[0]]) {
			int64_t c = 0;
			for (;;) {
				int64_t l = 2 * c + 1, s = c;
				double vs = row[j];
				if (l < k && row[idx[l]] < vs)
					s = l, vs = row[idx[l]];
				if (l + 1 < k && row[idx[l + 1]] < vs)
					s = l + 1;
				if (s == c)
					break;
				idx[c] = idx[s];
				c = s;
			}
			idx[c] = (int32_t)j;
		}
	}
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

void scuot_ot_topk(const double *row, int64_t m, int64_t k, int32_t *idx)
{
	topk_row(row, m, k, idx);
	qsort(idx, (size_t)k, sizeof(int32_t), cmp_i32);
}

int scuot_ot_result_set_dense(scuot_ot_result *r, double *pi, size_t budget, int64_t topk, scuot_err *e)
{
	int64_t n = r->n, m = r->m;
	int ret;
	coupling_clear(&r->pi);
	r->pi.kind = SCUOT_COUPLING_DENSE, r->pi.dense = pi;
	if ((ret = scuot_ot_result_marginals(r, e)))
		return ret;
	if ((double)n * (double)m * sizeof(double) <= (double)budget)
		return 0;
	if (topk < 1)
		topk = 1;
	if (topk > m)
		topk = m;
	scuot_coupling *c = &r->pi;
	c->indptr = scuot_alloc((size_t)n + 1, sizeof(int64_t), 0, "coupling pointers", e);
	c->indices = scuot_alloc((size_t)(n * topk), sizeof(int32_t), 0, "coupling indices", e);
	c->data = scuot_alloc((size_t)(n * topk), sizeof(double), 0, "coupling values", e);
	if (!c->indptr || !c->indices || !c->data)
		return e->code;
	double total = 0, kept = 0;
	c->indptr[0] = 0;
	for (int64_t i = 0; i < n; i++) {
		const double *row = pi + i * m;
		int32_t *idx = c->indices + i * topk;
		scuot_ot_topk(row, m, topk, idx);
		for (int64_t k = 0; k < topk; k++)
			c->data[i * topk + k] = row[idx[k]], kept += row[idx[k]];
		total += r->row_sum[i];
		c->indptr[i + 1] = (i + 1) * topk;
	}
	free(pi);
	c->dense = NULL;
	c->kind = SCUOT_COUPLING_SPARSE, c->topk = topk, c->kept_mass = total > 0 ? kept / total : 1;
	scuot_log_info("coupling %lld x %lld does not fit in %.3g GB: stored the %lld largest entries of each row "
	               "(%.4f of the mass)",
	               (long long)n, (long long)m, budget / 1e9, (long long)topk, c->kept_mass);
	return 0;
}

int scuot_ot_result_coupling_rows(const scuot_ot_result *r, int64_t i0, int64_t i1, double *out, scuot_err *e)
{
	int64_t m = r->m;
	const scuot_coupling *c = &r->pi;
	if (c->kind == SCUOT_COUPLING_DENSE) {
		memcpy(out, c->dense + i0 * m, sizeof(double) * (size_t)((i1 - i0) * m));
		return 0;
	}
	if (c->kind == SCUOT_COUPLING_SPARSE && (c->topk == 0 || !r->f)) {
		memset(out, 0, sizeof(double) * (size_t)((i1 - i0) * m));
		for (int64_t i = i0; i < i1; i++)
			for (int64_t k = c->indptr[i]; k < c->indptr[i + 1]; k++)
				out[(i - i0) * m + c->indices[k]] = c->data[k];
		return 0;
	}
	if (!r->f || !r->g || !(r->eps > 0))
		return scuot_err_set(e, SCUOT_EINPUT, "the result of method %s holds neither a coupling nor dual "
		                     "potentials to rebuild it", r->method);
	scuot_cost cost;
	int ret;
	if ((ret = scuot_cost_init(&cost, r->cost, r->x, r->n, r->y, r->m, r->d, r->delta, e)))
		return ret;
	cost.scale = r->cost_scale, cost.norm = r->cost_norm;
	scuot_cost_rows(&cost, i0, i1, out);
	for (int64_t i = i0; i < i1; i++) {
		double *o = out + (i - i0) * m;
		for (int64_t j = 0; j < m; j++)
			o[j] = exp((r->f[i] + r->g[j] - o[j]) / r->eps); /* C = +inf gives 0 */
	}
	scuot_cost_free(&cost);
	return 0;
}

int scuot_ot_result_from_potentials(scuot_ot_result *r, size_t budget, int64_t topk, scuot_err *e)
{
	int64_t n = r->n, m = r->m, k = topk < m ? topk : m;
	int ret;
	coupling_clear(&r->pi);
	if ((double)n * (double)m * sizeof(double) <= (double)budget) {
		double *pi = scuot_alloc((size_t)(n * m), sizeof(double), 0, "coupling", e);
		if (!pi)
			return e->code;
		if ((ret = scuot_ot_result_coupling_rows(r, 0, n, pi, e))) {
			free(pi);
			return ret;
		}
		r->pi.kind = SCUOT_COUPLING_DENSE, r->pi.dense = pi;
		return scuot_ot_result_marginals(r, e);
	}
	if ((ret = marg_alloc(r, e)))
		return ret;
	scuot_coupling *c = &r->pi;
	if (k > 0) {
		c->indptr = scuot_alloc((size_t)n + 1, sizeof(int64_t), 0, "coupling pointers", e);
		c->indices = scuot_alloc((size_t)(n * k), sizeof(int32_t), 0, "coupling indices", e);
		c->data = scuot_alloc((size_t)(n * k), sizeof(double), 0, "coupling values", e);
		if (!c->indptr || !c->indices || !c->data)
			return e->code;
		c->indptr[0] = 0;
	}
	int64_t blk = (int64_t)((1 << 18) / (m > 0 ? m : 1)); /* 2 MB of rows at a time */
	if (blk < 1)
		blk = 1;
	double *rows = scuot_alloc((size_t)(blk * m), sizeof(double), 0, "coupling rows", e);
	if (!rows)
		return e->code;
	double kept = 0, total = 0;
	for (int64_t i0 = 0; i0 < n; i0 += blk) {
		int64_t i1 = i0 + blk < n ? i0 + blk : n;
		if ((ret = scuot_ot_result_coupling_rows(r, i0, i1, rows, e))) {
			free(rows);
			return ret;
		}
		for (int64_t i = i0; i < i1; i++) {
			const double *row = rows + (i - i0) * m;
			double s = 0;
			for (int64_t j = 0; j < m; j++)
				s += row[j], r->col_sum[j] += row[j];
			r->row_sum[i] = s, total += s;
			if (k > 0) {
				int32_t *idx = c->indices + i * k;
				scuot_ot_topk(row, m, k, idx);
				for (int64_t q = 0; q < k; q++)
					c->data[i * k + q] = row[idx[q]], kept += row[idx[q]];
				c->indptr[i + 1] = (i + 1) * k;
			}
		}
	}
	free(rows);
	marg_finish(r);
	if (k > 0) {
		c->kind = SCUOT_COUPLING_SPARSE, c->topk = k, c->kept_mass = total > 0 ? kept / total : 1;
		scuot_log_info("coupling %lld x %lld does not fit in %.3g GB: stored the %lld largest entries of "
		               "each row (%.4f of the mass)",
		               (long long)n, (long long)m, budget / 1e9, (long long)k, c->kept_mass);
	} else {
		scuot_log_info("coupling %lld x %lld does not fit in %.3g GB: not stored (rebuilt from the dual "
		               "potentials when needed)", (long long)n, (long long)m, budget / 1e9);
	}
	return 0;
}

int scuot_ot_param_index(const scuot_ot_method *m, const char *name)
{
	for (int k = 0; k < m->n_params; k++)
		if (!strcmp(m->params[k].name, name))
			return k;
	return -1;
}

static int check_side(const char *side, const double *x, const double *w, int64_t n, int64_t d, scuot_err *e)
{
	if (n < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "the %s population is empty", side);
	for (int64_t i = 0; i < n; i++) {
		if (!(w[i] > 0) || !isfinite(w[i]))
			return scuot_err_set(e, SCUOT_EINPUT, "%s cell %lld has mass %g; masses must be positive and finite",
			                     side, (long long)i, w[i]);
		for (int64_t k = 0; k < d; k++)
			if (!isfinite(x[i * d + k]))
				return scuot_err_set(e, SCUOT_EINPUT, "%s cell %lld has a non-finite coordinate %lld (%g)",
				                     side, (long long)i, (long long)k, x[i * d + k]);
	}
	return 0;
}

int scuot_ot_run(const scuot_ot_method *m, const scuot_ot_problem *p, const double *par, scuot_ot_result *r,
                 scuot_err *e)
{
	int ret;
	if (p->d < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "the embedding has no dimensions");
	if ((ret = check_side("source", p->x, p->a, p->n, p->d, e)) ||
	    (ret = check_side("target", p->y, p->b, p->m, p->d, e)))
		return ret;
	if (m->n_params > SCUOT_OT_MAX_PARAMS)
		return scuot_err_set(e, SCUOT_EINTERNAL, "method %s has too many parameters", m->name);
	for (int k = 0; k < m->n_params; k++) {
		const scuot_ot_param *q = &m->params[k];
		if (!(par[k] >= q->lo && par[k] <= q->hi))
			return scuot_err_set(e, SCUOT_EUSAGE, "--%s %g is out of range [%g, %g] for method %s", q->name,
			                     par[k], q->lo, q->hi, m->name);
		r->param_names[k] = q->name, r->params[k] = par[k];
	}
	r->n_params = m->n_params;
	snprintf(r->method, sizeof r->method, "%s", m->name);
	double t0 = scuot_sys_wall();
	ret = m->run(p, par, r, e);
	r->seconds = scuot_sys_wall() - t0;
	return ret;
}

int scuot_ot_result_add_array(scuot_ot_result *r, const char *name, int64_t rows, int64_t cols, const double *v,
                              scuot_err *e)
{
	if (!*name || strlen(name) >= sizeof(r->model[0].name) || strchr(name, '/') || scuot_ot_result_array(r, name) ||
	    rows <= 0 || cols <= 0)
		return scuot_err_set(e, SCUOT_EINTERNAL, "model parameter '%s': empty, duplicate or invalid name or shape",
		                     name);
	scuot_ot_array *a = realloc(r->model, sizeof(*a) * (size_t)(r->n_model + 1));
	if (!a)
		return scuot_err_set(e, SCUOT_ENOMEM, "out of memory for model parameter '%s'", name);
	r->model = a;
	a = &r->model[r->n_model];
	memset(a, 0, sizeof(*a));
	if (!(a->v = scuot_alloc((size_t)(rows * cols), sizeof(double), 0, name, e)))
		return e ? e->code : SCUOT_ENOMEM;
	memcpy(a->v, v, sizeof(double) * (size_t)(rows * cols));
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->r = rows;
	a->c = cols;
	r->n_model++;
	return 0;
}

const scuot_ot_array *scuot_ot_result_array(const scuot_ot_result *r, const char *name)
{
	for (int k = 0; k < r->n_model; k++)
		if (!strcmp(r->model[k].name, name))
			return &r->model[k];
	return NULL;
}
