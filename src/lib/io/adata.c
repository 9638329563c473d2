/* adata.c -- the in-memory AnnData object: construction, subsetting, dataframes and the uns tree.
 * Readers fill it, the h5ad writer writes it; see adata.h for ownership. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/adata.h"

/* ---- uns tree ---- */

void scuot_uns_clear(scuot_uns *u)
{
	if (!u)
		return;
	free(u->key);
	free(u->str);
	free(u->arr);
	scuot_strs_free(u->strs, u->nstr);
	for (int i = 0; i < u->nchild; i++)
		scuot_uns_clear(&u->child[i]);
	free(u->child);
	memset(u, 0, sizeof *u);
}

scuot_uns *scuot_uns_get(const scuot_uns *dict, const char *key)
{
	for (int i = 0; i < dict->nchild; i++)
		if (strcmp(dict->child[i].key, key) == 0)
			return &dict->child[i];
	return NULL;
}

scuot_uns *scuot_uns_add(scuot_uns *dict, const char *key, int type, scuot_err *e)
{
	scuot_uns *u = scuot_uns_get(dict, key);
	char *k = scuot_strdup(key, e);
	if (!k)
		return NULL;
	if (u) {
		scuot_uns_clear(u);
	} else {
		if (dict->nchild == dict->mchild) {
			int m = dict->mchild ? dict->mchild * 2 : 8;
			scuot_uns *c = scuot_realloc(dict->child, (size_t)m, sizeof *c, "uns", e);
			if (!c) {
				free(k);
				return NULL;
			}
			dict->child = c, dict->mchild = m;
		}
		u = &dict->child[dict->nchild++];
		memset(u, 0, sizeof *u);
	}
	u->key = k;
	u->type = type;
	return u;
}

int scuot_uns_set_str(scuot_uns *dict, const char *key, const char *value, scuot_err *e)
{
	scuot_uns *u = scuot_uns_add(dict, key, SCUOT_UNS_STR, e);
	if (!u || !(u->str = scuot_strdup(value, e)))
		return e ? e->code : SCUOT_ENOMEM;
	return 0;
}

int scuot_uns_set_num(scuot_uns *dict, const char *key, double value, int is_int, scuot_err *e)
{
	scuot_uns *u = scuot_uns_add(dict, key, SCUOT_UNS_NUM, e);
	if (!u)
		return e ? e->code : SCUOT_ENOMEM;
	u->num = value;
	u->is_int = is_int;
	return 0;
}

/* ---- dataframes ---- */

static void col_clear(scuot_col *c, int64_t n)
{
	free(c->name);
	free(c->f);
	free(c->i);
	free(c->b);
	scuot_strs_free(c->s, n);
	free(c->codes);
	scuot_strs_free(c->cats, c->ncat);
	free(c->mask);
	memset(c, 0, sizeof *c);
}

void scuot_df_clear(scuot_df *df)
{
	if (!df)
		return;
	for (int j = 0; j < df->ncol; j++)
		col_clear(&df->cols[j], df->n);
	free(df->cols);
	scuot_strs_free(df->index, df->index ? df->n : 0);
	free(df->index_name);
	memset(df, 0, sizeof *df);
}

int scuot_df_set_index(scuot_df *df, char **labels, int64_t n, scuot_err *e)
{
	if (n != df->n && df->ncol > 0)
		return scuot_err_set(e, SCUOT_EINTERNAL, "index of %lld labels for a dataframe of %lld rows",
		                     (long long)n, (long long)df->n);
	scuot_strs_free(df->index, df->index ? df->n : 0);
	df->index = labels;
	df->n = n;
	return 0;
}

int scuot_df_find(const scuot_df *df, const char *name)
{
	for (int j = 0; j < df->ncol; j++)
		if (strcmp(df->cols[j].name, name) == 0)
			return j;
	return -1;
}

scuot_col *scuot_df_add(scuot_df *df, const char *name, int type, scuot_err *e)
{
	scuot_col c;
	size_t n = (size_t)df->n;
	memset(&c, 0, sizeof c);
	c.type = type;
	if (!(c.name = scuot_strdup(name, e)))
		return NULL;
	switch (type) {
	case SCUOT_COL_FLOAT: c.f = scuot_alloc(n, sizeof *c.f, 1, name, e); break;
	case SCUOT_COL_INT: c.i = scuot_alloc(n, sizeof *c.i, 1, name, e); break;
	case SCUOT_COL_BOOL: c.b = scuot_alloc(n, sizeof *c.b, 1, name, e); break;
	case SCUOT_COL_STRING: c.s = scuot_alloc(n, sizeof *c.s, 1, name, e); break;
	case SCUOT_COL_CATEGORICAL: c.codes = scuot_alloc(n, sizeof *c.codes, 1, name, e); break;
	default: scuot_err_set(e, SCUOT_EINTERNAL, "column %s: unknown type %d", name, type);
	}
	if (!c.f && !c.i && !c.b && !c.s && !c.codes) {
		free(c.name);
		return NULL;
	}
	int j = scuot_df_find(df, name);
	if (j >= 0) {
		col_clear(&df->cols[j], df->n);
		df->cols[j] = c;
		return &df->cols[j];
	}
	if (df->ncol == df->mcol) {
		int m = df->mcol ? df->mcol * 2 : 8;
		scuot_col *a = scuot_realloc(df->cols, (size_t)m, sizeof *a, "dataframe", e);
		if (!a) {
			col_clear(&c, df->n);
			return NULL;
		}
		df->cols = a, df->mcol = m;
	}
	df->cols[df->ncol] = c;
	return &df->cols[df->ncol++];
}

const char *scuot_col_text(const scuot_col *c, int64_t r, char *buf, int len)
{
	if (c->mask && c->mask[r])
		return "";
	switch (c->type) {
	case SCUOT_COL_FLOAT:
		if (isnan(c->f[r]))
			return "";
		snprintf(buf, len, "%.17g", c->f[r]);
		return buf;
	case SCUOT_COL_INT: snprintf(buf, len, "%lld", (long long)c->i[r]); return buf;
	case SCUOT_COL_BOOL: return c->b[r] ? "True" : "False";
	case SCUOT_COL_STRING: return c->s[r] ? c->s[r] : "";
	case SCUOT_COL_CATEGORICAL: return c->codes[r] >= 0 && c->codes[r] < c->ncat ? c->cats[c->codes[r]] : "";
	}
	return "";
}

double scuot_col_num(const scuot_col *c, int64_t r)
{
	char *end;
	const char *s;
	if (c->mask && c->mask[r])
		return NAN;
	switch (c->type) {
	case SCUOT_COL_FLOAT: return c->f[r];
	case SCUOT_COL_INT: return (double)c->i[r];
	case SCUOT_COL_BOOL: return c->b[r];
	case SCUOT_COL_STRING: s = c->s[r]; break;
	case SCUOT_COL_CATEGORICAL: s = c->codes[r] >= 0 && c->codes[r] < c->ncat ? c->cats[c->codes[r]] : NULL; break;
	default: return NAN;
	}
	if (!s || !*s)
		return NAN;
	double v = strtod(s, &end);
	return *end ? NAN : v;
}

#define SUBSET(arr, type)                                                                  \
	do {                                                                               \
		if (arr) {                                                                 \
			type *t = scuot_alloc((size_t)nkeep, sizeof *t, 0, "subset", e);  \
			if (!t)                                                            \
				return e ? e->code : SCUOT_ENOMEM;                         \
			for (int64_t r = 0; r < nkeep; r++)                                \
				t[r] = (arr)[keep[r]];                                     \
			free(arr);                                                         \
			(arr) = t;                                                         \
		}                                                                          \
	} while (0)

/* Strings move, so each kept row must appear once; the rest are freed. */
static int subset_strs(char ***pa, int64_t n, const int64_t *keep, int64_t nkeep, scuot_err *e)
{
	char **a = *pa, **t;
	if (!a)
		return 0;
	if (!(t = scuot_alloc((size_t)nkeep, sizeof *t, 0, "subset", e)))
		return e ? e->code : SCUOT_ENOMEM;
	for (int64_t r = 0; r < nkeep; r++) {
		t[r] = a[keep[r]];
		a[keep[r]] = NULL;
	}
	for (int64_t r = 0; r < n; r++)
		free(a[r]);
	free(a);
	*pa = t;
	return 0;
}

int scuot_df_subset(scuot_df *df, const int64_t *keep, int64_t nkeep, scuot_err *e)
{
	for (int j = 0; j < df->ncol; j++) {
		scuot_col *c = &df->cols[j];
		SUBSET(c->f, double);
		SUBSET(c->i, int64_t);
		SUBSET(c->b, uint8_t);
		SUBSET(c->codes, int32_t);
		SUBSET(c->mask, uint8_t);
		if (subset_strs(&c->s, df->n, keep, nkeep, e))
			return e ? e->code : SCUOT_ENOMEM;
	}
	if (subset_strs(&df->index, df->n, keep, nkeep, e))
		return e ? e->code : SCUOT_ENOMEM;
	df->n = nkeep;
	return 0;
}

/* ---- the object ---- */

scuot_adata *scuot_adata_new(int64_t n_obs, int64_t n_var, scuot_err *e)
{
	scuot_adata *a = scuot_alloc(1, sizeof *a, 1, "AnnData object", e);
	if (!a)
		return NULL;
	a->n_obs = a->obs.n = n_obs;
	a->n_var = a->var.n = n_var;
	a->uns.type = SCUOT_UNS_DICT;
	return a;
}

void scuot_adata_free(scuot_adata *a)
{
	if (!a)
		return;
	scuot_csr_free(a->X);
	scuot_df_clear(&a->obs);
	scuot_df_clear(&a->var);
	for (int i = 0; i < a->n_obsm; i++)
		free(a->obsm[i].key), scuot_mat_free(a->obsm[i].m);
	for (int i = 0; i < a->n_varm; i++)
		free(a->varm[i].key), scuot_mat_free(a->varm[i].m);
	for (int i = 0; i < a->n_layers; i++)
		free(a->layers[i].key), scuot_csr_free(a->layers[i].c);
	free(a->obsm);
	free(a->varm);
	free(a->layers);
	scuot_uns_clear(&a->uns);
	free(a);
}

int scuot_adata_check(const scuot_adata *a, scuot_err *e)
{
	if (a->obs.n != a->n_obs || a->var.n != a->n_var)
		return scuot_err_set(e, SCUOT_EINTERNAL, "obs/var have %lld/%lld rows for a %lld x %lld object",
		                     (long long)a->obs.n, (long long)a->var.n, (long long)a->n_obs, (long long)a->n_var);
	if (!a->obs.index || !a->var.index)
		return scuot_err_set(e, SCUOT_EINTERNAL, "obs or var index is not set");
	if (a->X && (a->X->nrow != a->n_obs || a->X->ncol != a->n_var))
		return scuot_err_set(e, SCUOT_EINTERNAL, "X is %lld x %lld, expected %lld x %lld", (long long)a->X->nrow,
		                     (long long)a->X->ncol, (long long)a->n_obs, (long long)a->n_var);
	for (int i = 0; i < a->n_obsm; i++)
		if (a->obsm[i].m->nrow != a->n_obs)
			return scuot_err_set(e, SCUOT_EINTERNAL, "obsm/%s has %lld rows, expected %lld", a->obsm[i].key,
			                     (long long)a->obsm[i].m->nrow, (long long)a->n_obs);
	for (int i = 0; i < a->n_varm; i++)
		if (a->varm[i].m->nrow != a->n_var)
			return scuot_err_set(e, SCUOT_EINTERNAL, "varm/%s has %lld rows, expected %lld", a->varm[i].key,
			                     (long long)a->varm[i].m->nrow, (long long)a->n_var);
	for (int i = 0; i < a->n_layers; i++)
		if (a->layers[i].c->nrow != a->n_obs || a->layers[i].c->ncol != a->n_var)
			return scuot_err_set(e, SCUOT_EINTERNAL, "layers/%s has the wrong shape", a->layers[i].key);
	return 0;
}

int scuot_adata_subset_obs(scuot_adata *a, const int64_t *keep, int64_t nkeep, scuot_err *e)
{
	int increasing = 1;
	for (int64_t r = 1; r < nkeep && increasing; r++)
		increasing = keep[r] > keep[r - 1];
	if (a->X && increasing) {
		/* in place: no second copy of a large count matrix */
		if (scuot_csr_keep_rows(a->X, keep, nkeep, e))
			return e ? e->code : SCUOT_EINTERNAL;
	} else if (a->X) {
		scuot_csr *x = scuot_csr_select_rows(a->X, keep, nkeep, e);
		if (!x)
			return e ? e->code : SCUOT_ENOMEM;
		scuot_csr_free(a->X);
		a->X = x;
	}
	for (int i = 0; i < a->n_layers; i++) {
		scuot_csr *x = scuot_csr_select_rows(a->layers[i].c, keep, nkeep, e);
		if (!x)
			return e ? e->code : SCUOT_ENOMEM;
		scuot_csr_free(a->layers[i].c);
		a->layers[i].c = x;
	}
	for (int i = 0; i < a->n_obsm; i++) {
		scuot_mat *m = a->obsm[i].m, *s = scuot_mat_new(nkeep, m->ncol, e);
		if (!s)
			return e ? e->code : SCUOT_ENOMEM;
		for (int64_t r = 0; r < nkeep; r++)
			memcpy(s->data + r * m->ncol, m->data + keep[r] * m->ncol, m->ncol * sizeof(double));
		scuot_mat_free(m);
		a->obsm[i].m = s;
	}
	int ret = scuot_df_subset(&a->obs, keep, nkeep, e);
	if (!ret)
		a->n_obs = nkeep;
	return ret;
}

static scuot_csr *csr_select_cols(const scuot_csr *c, const int64_t *keep, int64_t nkeep, scuot_err *e)
{
	int32_t *map = scuot_alloc((size_t)c->ncol, sizeof *map, 0, "column map", e);
	if (!map)
		return NULL;
	for (int64_t j = 0; j < c->ncol; j++)
		map[j] = -1;
	for (int64_t j = 0; j < nkeep; j++)
		map[keep[j]] = (int32_t)j;
	int64_t nnz = 0;
	for (int64_t k = 0; k < c->nnz; k++)
		nnz += map[c->indices[k]] >= 0;
	scuot_csr *s = scuot_csr_new(c->nrow, nkeep, nnz, e);
	if (s) {
		int64_t p = 0;
		for (int64_t i = 0; i < c->nrow; i++) {
			for (int64_t k = c->indptr[i]; k < c->indptr[i + 1]; k++)
				if (map[c->indices[k]] >= 0) {
					s->indices[p] = map[c->indices[k]];
					s->data[p++] = c->data[k];
				}
			s->indptr[i + 1] = p;
		}
	}
	free(map);
	return s;
}

int scuot_adata_subset_var(scuot_adata *a, const int64_t *keep, int64_t nkeep, scuot_err *e)
{
	if (a->X) {
		scuot_csr *x = csr_select_cols(a->X, keep, nkeep, e);
		if (!x)
			return e ? e->code : SCUOT_ENOMEM;
		scuot_csr_free(a->X);
		a->X = x;
	}
	for (int i = 0; i < a->n_layers; i++) {
		scuot_csr *x = csr_select_cols(a->layers[i].c, keep, nkeep, e);
		if (!x)
			return e ? e->code : SCUOT_ENOMEM;
		scuot_csr_free(a->layers[i].c);
		a->layers[i].c = x;
	}
	for (int i = 0; i < a->n_varm; i++) {
		scuot_mat *m = a->varm[i].m, *s = scuot_mat_new(nkeep, m->ncol, e);
		if (!s)
			return e ? e->code : SCUOT_ENOMEM;
		for (int64_t r = 0; r < nkeep; r++)
			memcpy(s->data + r * m->ncol, m->data + keep[r] * m->ncol, m->ncol * sizeof(double));
		scuot_mat_free(m);
		a->varm[i].m = s;
	}
	int ret = scuot_df_subset(&a->var, keep, nkeep, e);
	if (!ret)
		a->n_var = nkeep;
	return ret;
}

/* Add or replace key -> m in a named-matrix array (obsm, varm); m is taken only on success. */
static int set_named(scuot_named_mat **arr, int *n, const char *key, scuot_mat *m, const char *what, scuot_err *e)
{
	for (int i = 0; i < *n; i++)
		if (strcmp((*arr)[i].key, key) == 0) {
			scuot_mat_free((*arr)[i].m);
			(*arr)[i].m = m;
			return 0;
		}
	char *k = scuot_strdup(key, e);
	scuot_named_mat *t = k ? scuot_realloc(*arr, (size_t)*n + 1, sizeof *t, what, e) : NULL;
	if (!t) {
		free(k);
		return e ? e->code : SCUOT_ENOMEM;
	}
	*arr = t;
	t[*n].key = k;
	t[(*n)++].m = m;
	return 0;
}

int scuot_adata_set_obsm(scuot_adata *a, const char *key, scuot_mat *m, scuot_err *e)
{
	return set_named(&a->obsm, &a->n_obsm, key, m, "obsm", e);
}

int scuot_adata_set_varm(scuot_adata *a, const char *key, scuot_mat *m, scuot_err *e)
{
	return set_named(&a->varm, &a->n_varm, key, m, "varm", e);
}

scuot_mat *scuot_adata_get_obsm(const scuot_adata *a, const char *key)
{
	for (int i = 0; i < a->n_obsm; i++)
		if (strcmp(a->obsm[i].key, key) == 0)
			return a->obsm[i].m;
	return NULL;
}

int scuot_adata_set_layer(scuot_adata *a, const char *key, scuot_csr *c, scuot_err *e)
{
	for (int i = 0; i < a->n_layers; i++)
		if (strcmp(a->layers[i].key, key) == 0) {
			scuot_csr_free(a->layers[i].c);
			a->layers[i].c = c;
			return 0;
		}
	char *k = scuot_strdup(key, e);
	scuot_named_csr *t = k ? scuot_realloc(a->layers, (size_t)a->n_layers + 1, sizeof *t, "layers", e) : NULL;
	if (!t) {
		free(k);
		return e ? e->code : SCUOT_ENOMEM;
	}
	a->layers = t;
	a->layers[a->n_layers].key = k;
	a->layers[a->n_layers++].c = c;
	return 0;
}
