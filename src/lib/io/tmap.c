/* tmap.c -- transport maps in Waddington-OT's AnnData layout: export of a result's coupling with growth
 * columns, and import of such a file (from scuot or wot) as a result with an exact sparse coupling. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "io/tmap.h"

/* Copy n labels (or make "c0".. when the result has none) into a new index array. */
static char **labels(const scuot_strv *v, int64_t n, const char *pfx, scuot_err *e)
{
	char **s = scuot_alloc((size_t)(n ? n : 1), sizeof *s, 1, "labels", e);
	if (!s)
		return NULL;
	for (int64_t i = 0; i < n; i++) {
		char buf[32];
		if (v->n != n)
			snprintf(buf, sizeof buf, "%s%lld", pfx, (long long)i);
		if (!(s[i] = scuot_strdup(v->n == n ? v->a[i] : buf, e))) {
			scuot_strs_free(s, i);
			return NULL;
		}
	}
	return s;
}

int scuot_tmap_from_result(const scuot_ot_result *r, int64_t topk, scuot_adata **out, scuot_err *e)
{
	int64_t n = r->n, m = r->m;
	const scuot_coupling *c = &r->pi;
	int exact = c->kind == SCUOT_COUPLING_DENSE || (c->kind == SCUOT_COUPLING_SPARSE && c->topk == 0);
	int64_t k = exact ? m : (c->kind == SCUOT_COUPLING_SPARSE ? c->topk : (topk > 0 ? topk : 100));
	if (k > m)
		k = m;
	scuot_adata *a = scuot_adata_new(n, m, e);
	double *row = NULL;
	int32_t *idx = NULL;
	int ret = 0;
	if (!a)
		return e->code;
	if (!r->row_sum) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "the %s result has no marginals", r->method);
		goto fail;
	}
	/* count entries, then fill */
	int64_t cap = exact ? 0 : n * k;
	if (exact) {
		if (c->kind == SCUOT_COUPLING_SPARSE)
			cap = c->indptr[n];
		else
			for (int64_t q = 0; q < n * m; q++)
				cap += c->dense[q] > 0 && (float)(c->dense[q] * (double)n) > 0;
	}
	if (!(a->X = scuot_csr_new(n, m, cap, e)) || !(row = scuot_alloc((size_t)m, sizeof *row, 0, "row", e)) ||
	    !(idx = scuot_alloc((size_t)m, sizeof *idx, 0, "row order", e))) {
		ret = e->code;
		goto fail;
	}
	int64_t z = 0;
	for (int64_t i = 0; i < n; i++) {
		if ((ret = scuot_ot_result_coupling_rows(r, i, i + 1, row, e)))
			goto fail;
		if (!exact) { /* the k largest entries, in column order */
			scuot_ot_topk(row, m, k, idx);
			for (int64_t q = 0; q < k; q++)
				if ((float)(row[idx[q]] * (double)n) > 0)
					a->X->indices[z] = idx[q], a->X->data[z++] = (float)(row[idx[q]] * (double)n);
		} else {
			for (int64_t j = 0; j < m; j++)
				if (row[j] > 0 && (float)(row[j] * (double)n) > 0)
					a->X->indices[z] = (int32_t)j, a->X->data[z++] = (float)(row[j] * (double)n);
		}
		a->X->indptr[i + 1] = z;
	}
	a->X->nnz = z;
	char **ol = labels(&r->source_ids, n, "s", e), **vl = ol ? labels(&r->target_ids, m, "t", e) : NULL;
	if (!ol || !vl || (ret = scuot_df_set_index(&a->obs, ol, n, e)) || (ret = scuot_df_set_index(&a->var, vl, m, e))) {
		ret = ret ? ret : e->code;
		goto fail;
	}
	double dt = r->t1 - r->t0;
	scuot_col *g0 = scuot_df_add(&a->obs, "g0", SCUOT_COL_FLOAT, e), *g1 = NULL, *gr = NULL, *sc = NULL;
	if (!g0 || !(g1 = scuot_df_add(&a->obs, "g1", SCUOT_COL_FLOAT, e)) ||
	    !(gr = scuot_df_add(&a->obs, "growth_rate", SCUOT_COL_FLOAT, e)) ||
	    !(sc = scuot_df_add(&a->obs, "scaling", SCUOT_COL_FLOAT, e))) {
		ret = e->code;
		goto fail;
	}
	for (int64_t i = 0; i < n; i++) {
		g0->f[i] = r->a[i] * (double)n;
		g1->f[i] = r->row_sum[i] * (double)n;
		gr->f[i] = dt != 0 ? pow(g1->f[i], 1.0 / dt) : NAN;
		sc->f[i] = r->scaling ? r->scaling[i] : r->row_sum[i] / r->a[i];
	}
	scuot_uns *u = scuot_uns_add(&a->uns, "tmap", SCUOT_UNS_DICT, e);
	if (!u || scuot_uns_set_num(u, "t0", r->t0, 0, e) || scuot_uns_set_num(u, "t1", r->t1, 0, e) ||
	    scuot_uns_set_str(u, "method", r->method, e) ||
	    scuot_uns_set_str(u, "coupling", exact ? "exact" : "top-k per source cell", e)) {
		ret = e->code;
		goto fail;
	}
	for (int q = 0; q < r->n_params; q++)
		if (scuot_uns_set_num(u, r->param_names[q], r->params[q], 0, e)) {
			ret = e->code;
			goto fail;
		}
	free(row);
	free(idx);
	*out = a;
	return 0;
fail:
	free(row);
	free(idx);
	scuot_adata_free(a);
	return ret;
}

int scuot_tmap_to_result(const scuot_adata *t, const char *name, const double *x, const double *y, int64_t d,
                         double t0, double t1, scuot_ot_result **out, scuot_err *e)
{
	int64_t n = t->n_obs, m = t->n_var;
	double *a = NULL, *b = NULL;
	scuot_ot_result *r = NULL;
	int ret = 0;
	*out = NULL;
	if (!t->X)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: no /X: not a transport map", name);
	if (n < 1 || m < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: an empty transport map (%lld x %lld)", name, (long long)n,
		                     (long long)m);
	if (!(a = scuot_alloc((size_t)n, sizeof *a, 0, "masses", e)) ||
	    !(b = scuot_alloc((size_t)m, sizeof *b, 0, "masses", e))) {
		ret = e->code;
		goto done;
	}
	int g0 = scuot_df_find(&t->obs, "g0");
	double sa = 0;
	for (int64_t i = 0; i < n; i++) {
		double v = g0 >= 0 ? scuot_col_num(&t->obs.cols[g0], i) : 1.0;
		if (!(v > 0) || !isfinite(v)) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obs/g0: cell %s has growth %g; it must be positive", name,
			                    t->obs.index[i], v);
			goto done;
		}
		a[i] = v / (double)n, sa += a[i];
	}
	for (int64_t j = 0; j < m; j++)
		b[j] = sa / (double)m;
	for (int64_t q = 0; q < t->X->nnz; q++)
		if (!(t->X->data[q] >= 0)) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /X holds a negative or NaN coupling value (%g)", name,
			                    t->X->data[q]);
			goto done;
		}
	scuot_ot_problem p = { .n = n, .m = m, .d = d, .x = x, .y = y, .a = a, .b = b, .t0 = t0, .t1 = t1,
	                       .cost = 1, .cost_norm = 0 };
	if (!(r = scuot_ot_result_new(&p, e))) {
		ret = e->code;
		goto done;
	}
	const scuot_uns *u = scuot_uns_get(&t->uns, "tmap"), *um = u ? scuot_uns_get(u, "method") : NULL;
	snprintf(r->method, sizeof r->method, "%s", um && um->type == SCUOT_UNS_STR ? um->str : "tmap");
	scuot_coupling *c = &r->pi;
	int64_t nnz = t->X->nnz;
	c->kind = SCUOT_COUPLING_SPARSE, c->topk = 0, c->kept_mass = 1;
	if (!(c->indptr = scuot_alloc((size_t)n + 1, sizeof(int64_t), 0, "coupling", e)) ||
	    !(c->indices = scuot_alloc((size_t)(nnz ? nnz : 1), sizeof(int32_t), 0, "coupling", e)) ||
	    !(c->data = scuot_alloc((size_t)(nnz ? nnz : 1), sizeof(double), 0, "coupling", e))) {
		ret = e->code;
		goto done;
	}
	memcpy(c->indptr, t->X->indptr, sizeof(int64_t) * (size_t)(n + 1));
	memcpy(c->indices, t->X->indices, sizeof(int32_t) * (size_t)nnz);
	for (int64_t q = 0; q < nnz; q++) /* a map holds n pi (rows sum to the growth) */
		c->data[q] = (double)t->X->data[q] / (double)n;
	for (int64_t i = 0; i < n; i++)
		if ((ret = scuot_strv_push(&r->source_ids, t->obs.index[i], -1, e)))
			goto done;
	for (int64_t j = 0; j < m; j++)
		if ((ret = scuot_strv_push(&r->target_ids, t->var.index[j], -1, e)))
			goto done;
	if ((ret = scuot_ot_result_marginals(r, e)))
		goto done;
	*out = r;
	r = NULL;
done:
	scuot_ot_result_free(r);
	free(a);
	free(b);
	return ret;
}

int scuot_tmap_days(const scuot_adata *t, const char *path, double *t0, double *t1, scuot_err *e)
{
	const scuot_uns *u = scuot_uns_get(&t->uns, "tmap");
	const scuot_uns *u0 = u ? scuot_uns_get(u, "t0") : NULL, *u1 = u ? scuot_uns_get(u, "t1") : NULL;
	if (u0 && u1 && u0->type == SCUOT_UNS_NUM && u1->type == SCUOT_UNS_NUM) {
		*t0 = u0->num, *t1 = u1->num;
		return 0;
	}
	/* ..._T0_T1.h5ad */
	const char *base = strrchr(path, '/'), *end = strstr(path, ".h5ad");
	base = base ? base + 1 : path;
	if (end) {
		char name[512];
		size_t len = (size_t)(end - base) < sizeof name - 1 ? (size_t)(end - base) : sizeof name - 1;
		memcpy(name, base, len);
		name[len] = 0;
		char *p1 = strrchr(name, '_');
		if (p1 && p1 > name) {
			*p1 = 0;
			char *p0 = strrchr(name, '_'), *x0, *x1;
			if (p0) {
				double a = strtod(p0 + 1, &x0), b = strtod(p1 + 1, &x1);
				if (x0 != p0 + 1 && !*x0 && x1 != p1 + 1 && !*x1 && isfinite(a) && isfinite(b) && a != b) {
					*t0 = a, *t1 = b;
					return 0;
				}
			}
		}
	}
	return scuot_err_set(e, SCUOT_EINPUT, "%s: no uns/tmap t0 and t1 and no days in the file name (name it "
	                     "like Waddington-OT's tmaps_T0_T1.h5ad)", path);
}
