/* meta.c -- joining id-keyed tables (cell days, annotations) onto obs and keeping chosen cells
 * or days (see meta.h).  Removals are counted for the caller to log; nothing is dropped silently. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/strmap.h"
#include "io/h5ad.h"
#include "io/meta.h"
#include "io/sets.h"
#include "io/stream.h"
#include "io/text.h"

/* Copy column src (rows picked by rows[0..n), -1 = missing) into a new obs column. */
static int copy_col(scuot_df *obs, const scuot_col *src, const int64_t *rows, scuot_err *e)
{
	int type = src->type == SCUOT_COL_CATEGORICAL ? SCUOT_COL_STRING : src->type;
	scuot_col *c = scuot_df_add(obs, src->name, type, e);
	char buf[64];
	if (!c)
		return e ? e->code : SCUOT_ENOMEM;
	if ((src->mask || type == SCUOT_COL_INT || type == SCUOT_COL_BOOL) &&
	    !(c->mask = scuot_alloc((size_t)obs->n, 1, 1, "mask", e)))
		return e ? e->code : SCUOT_ENOMEM;
	for (int64_t i = 0; i < obs->n; i++) {
		int64_t r = rows[i];
		int missing = r < 0 || (src->mask && src->mask[r]);
		switch (type) {
		case SCUOT_COL_FLOAT: c->f[i] = missing ? NAN : src->f[r]; break;
		case SCUOT_COL_INT: c->i[i] = missing ? 0 : src->i[r]; break;
		case SCUOT_COL_BOOL: c->b[i] = missing ? 0 : src->b[r]; break;
		case SCUOT_COL_STRING:
			if (!missing && *scuot_col_text(src, r, buf, sizeof buf) &&
			    !(c->s[i] = scuot_strdup(scuot_col_text(src, r, buf, sizeof buf), e)))
				return e ? e->code : SCUOT_ENOMEM;
			break;
		}
		if (c->mask)
			c->mask[i] = (uint8_t)missing;
	}
	if (c->mask && (type == SCUOT_COL_FLOAT || type == SCUOT_COL_STRING)) {
		free(c->mask); /* NaN / NULL already mark missing values */
		c->mask = NULL;
	}
	return 0;
}

int scuot_meta_join(scuot_adata *a, const scuot_df *table, const char *table_name, int strict,
                    scuot_join_stats *st, scuot_err *e)
{
	int ret = 0;
	int64_t *rows = NULL, *keep = NULL, nkeep = 0;
	uint8_t *used = NULL;
	scuot_strmap *map = scuot_strmap_index(table->index, table->n, table_name, e);
	memset(st, 0, sizeof *st);
	if (!map)
		return e->code;
	rows = scuot_alloc((size_t)a->n_obs, sizeof *rows, 0, "join", e);
	keep = scuot_alloc((size_t)a->n_obs, sizeof *keep, 0, "join", e);
	used = scuot_alloc((size_t)table->n, 1, 1, "join", e);
	if (!rows || !keep || !used) {
		ret = e->code;
		goto fail;
	}
	for (int64_t i = 0; i < a->n_obs; i++) {
		rows[i] = scuot_strmap_get(map, a->obs.index[i]);
		if (rows[i] >= 0) {
			used[rows[i]] = 1;
			keep[nkeep++] = i;
			st->matched++;
		} else if (st->cells_without++ == 0) {
			snprintf(st->first_without, sizeof st->first_without, "%s", a->obs.index[i]);
		}
	}
	for (int64_t r = 0; r < table->n; r++)
		if (!used[r] && st->table_only++ == 0)
			snprintf(st->first_table_only, sizeof st->first_table_only, "%s", table->index[r]);
	if (st->cells_without && strict) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "%s: %lld of %lld cells of the matrix are not in the table (first: '%s'); "
		                    "add them or drop --strict to leave them out",
		                    table_name, (long long)st->cells_without, (long long)a->n_obs, st->first_without);
		goto fail;
	}
	if (st->matched == 0) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "%s: none of its %lld ids names a cell of the matrix (table: '%s', matrix: '%s'); "
		                    "are the ids barcodes of this matrix?",
		                    table_name, (long long)table->n, table->n ? table->index[0] : "",
		                    a->n_obs ? a->obs.index[0] : "");
		goto fail;
	}
	for (int j = 0; j < table->ncol; j++)
		if ((ret = copy_col(&a->obs, &table->cols[j], rows, e)))
			goto fail;
	if (nkeep < a->n_obs)
		ret = scuot_adata_subset_obs(a, keep, nkeep, e);
fail:
	scuot_strmap_free(map);
	free(rows);
	free(keep);
	free(used);
	return ret;
}

int scuot_meta_set_day(scuot_adata *a, const char *day_key, const char *source_name, int strict,
                       int64_t *missing, scuot_err *e)
{
	int j = scuot_df_find(&a->obs, day_key);
	char buf[64];
	*missing = 0;
	if (j < 0) {
		char cols[512] = "";
		for (int k = 0; k < a->obs.ncol && strlen(cols) < 400; k++)
			snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%s%s", k ? ", " : "", a->obs.cols[k].name);
		return scuot_err_set(e, SCUOT_EINPUT, "%s: no obs column '%s' for the cell days (columns: %s)",
		                     source_name, day_key, *cols ? cols : "none");
	}
	double *day = scuot_alloc((size_t)a->n_obs, sizeof *day, 0, "days", e);
	int64_t *keep = day ? scuot_alloc((size_t)a->n_obs, sizeof *keep, 0, "days", e) : NULL;
	int64_t nkeep = 0;
	int ret = 0;
	if (!keep) {
		free(day);
		return e->code;
	}
	const scuot_col *c = &a->obs.cols[j];
	for (int64_t i = 0; i < a->n_obs; i++) {
		const char *t = scuot_col_text(c, i, buf, sizeof buf);
		day[i] = scuot_col_num(c, i);
		if (*t && isnan(day[i])) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: cell '%s': day '%s' is not a number", source_name,
			                    a->obs.index[i], t);
			goto done;
		}
		if (isnan(day[i])) {
			if (strict) {
				ret = scuot_err_set(e, SCUOT_EINPUT, "%s: cell '%s' has no day (--strict)", source_name,
				                    a->obs.index[i]);
				goto done;
			}
			(*missing)++;
		} else {
			keep[nkeep++] = i;
		}
	}
	scuot_col *d = scuot_df_add(&a->obs, "day", SCUOT_COL_FLOAT, e);
	if (!d) {
		ret = e->code;
		goto done;
	}
	/* "day" is the canonical numeric copy; a source column of another name is kept as it was */
	memcpy(d->f, day, (size_t)a->n_obs * sizeof *day);
	if (nkeep < a->n_obs)
		ret = scuot_adata_subset_obs(a, keep, nkeep, e);
done:
	free(day);
	free(keep);
	return ret;
}

int scuot_meta_keep_cells(scuot_adata *a, char **ids, int64_t n, int64_t *dropped, int64_t *unknown, scuot_err *e)
{
	scuot_strmap *m = scuot_strmap_new(n, e);
	int64_t *keep = NULL, nkeep = 0;
	uint8_t *seen = NULL;
	int ret = 0;
	if (!m)
		return e->code;
	for (int64_t k = 0; k < n; k++)
		if (scuot_strmap_put(m, ids[k], k, NULL, e) < 0) {
			ret = e->code;
			goto done;
		}
	keep = scuot_alloc((size_t)a->n_obs, sizeof *keep, 0, "cell list", e);
	seen = scuot_alloc((size_t)n, 1, 1, "cell list", e);
	if (!keep || !seen) {
		ret = e->code;
		goto done;
	}
	for (int64_t i = 0; i < a->n_obs; i++) {
		int64_t k = scuot_strmap_get(m, a->obs.index[i]);
		if (k >= 0) {
			keep[nkeep++] = i;
			seen[k] = 1;
		}
	}
	*unknown = 0;
	for (int64_t k = 0; k < n; k++)
		if (!seen[k] && scuot_strmap_get(m, ids[k]) == k)
			(*unknown)++;
	*dropped = a->n_obs - nkeep;
	if (nkeep < a->n_obs)
		ret = scuot_adata_subset_obs(a, keep, nkeep, e);
done:
	scuot_strmap_free(m);
	free(keep);
	free(seen);
	return ret;
}

#define MAX_DAYS_LISTED 20

static int same_day(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1, fabs(a));
}

/* The distinct days of column c, sorted, as "0, 2, 4" into buf (the first MAX_DAYS_LISTED, then "..."). */
static void days_present(const scuot_col *c, int64_t n, char *buf, size_t len)
{
	double days[MAX_DAYS_LISTED];
	int nd = 0, more = 0;
	size_t off = 0;
	for (int64_t r = 0; r < n; r++) {
		double v = scuot_col_num(c, r);
		int k, seen = 0;
		if (isnan(v))
			continue;
		for (k = 0; k < nd && !seen; k++)
			seen = same_day(days[k], v);
		if (seen)
			continue;
		if (nd == MAX_DAYS_LISTED) {
			more = 1;
			continue;
		}
		for (k = nd++; k > 0 && days[k - 1] > v; k--)
			days[k] = days[k - 1];
		days[k] = v;
	}
	buf[0] = 0;
	for (int k = 0; k < nd && off < len; k++)
		off += (size_t)snprintf(buf + off, len - off, "%s%g", k ? ", " : "", days[k]);
	if (more && off < len)
		snprintf(buf + off, len - off, ", ...");
	if (!nd)
		snprintf(buf, len, "none");
}

int scuot_meta_day_rows(const scuot_adata *a, const char *day_key, const double *days, int n, const char *name,
                        const char *opt, int64_t **rows, int64_t *nrows, scuot_err *e)
{
	int dcol = scuot_df_find(&a->obs, day_key);
	*rows = NULL, *nrows = 0;
	if (dcol < 0)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: /obs/%s: no such column, so %s cannot choose cells by day; run "
		                     "scuot-ingest with --days, or name the column with --day-key",
		                     name, day_key, opt);
	const scuot_col *c = &a->obs.cols[dcol];
	for (int d = 0; d < n; d++) {
		int64_t k = 0;
		for (int64_t i = 0; i < a->n_obs && !k; i++)
			k += same_day(scuot_col_num(c, i), days[d]);
		if (k)
			continue;
		char list[512];
		days_present(c, a->n_obs, list, sizeof list);
		if (c->type == SCUOT_COL_CATEGORICAL)
			for (int64_t j = 0; j < c->ncat; j++) {
				char *end;
				double v = strtod(c->cats[j], &end);
				if (end != c->cats[j] && !*end && same_day(v, days[d]))
					return scuot_err_set(e, SCUOT_EINPUT, "%s: %s: day %g is a category of /obs/%s but has no "
					                     "cells (days with cells: %s); choose another day", name, opt, days[d],
					                     day_key, list);
			}
		return scuot_err_set(e, SCUOT_EINPUT, "%s: %s: day %g has no cells (days present: %s)", name,
		                     opt, days[d], list);
	}
	int64_t *r = scuot_alloc((size_t)(a->n_obs ? a->n_obs : 1), sizeof *r, 0, "day rows", e), k = 0;
	if (!r)
		return e->code;
	for (int64_t i = 0; i < a->n_obs; i++) {
		double v = scuot_col_num(c, i);
		for (int d = 0; d < n; d++)
			if (same_day(v, days[d])) {
				r[k++] = i;
				break;
			}
	}
	*rows = r, *nrows = k;
	return 0;
}

int scuot_meta_keep_days(scuot_adata *a, const double *days, int n, int64_t *dropped, scuot_err *e)
{
	int j = scuot_df_find(&a->obs, "day");
	if (j < 0 || a->obs.cols[j].type != SCUOT_COL_FLOAT)
		return scuot_err_set(e, SCUOT_EINTERNAL, "obs has no numeric day column");
	const double *day = a->obs.cols[j].f;
	int64_t *keep = scuot_alloc((size_t)a->n_obs, sizeof *keep, 0, "day filter", e), nkeep = 0;
	int64_t *per = scuot_alloc((size_t)n, sizeof *per, 1, "day filter", e);
	int ret = 0;
	if (!keep || !per) {
		ret = e->code;
		goto done;
	}
	for (int64_t i = 0; i < a->n_obs; i++)
		for (int k = 0; k < n; k++)
			if (fabs(day[i] - days[k]) <= 1e-9) {
				keep[nkeep++] = i;
				per[k]++;
				break;
			}
	for (int k = 0; k < n; k++)
		if (per[k] == 0) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "no cell has day %g (asked for by --keep-days)", days[k]);
			goto done;
		}
	*dropped = a->n_obs - nkeep;
	if (nkeep < a->n_obs)
		ret = scuot_adata_subset_obs(a, keep, nkeep, e);
done:
	free(keep);
	free(per);
	return ret;
}

int scuot_meta_check_numeric(const scuot_df *table, const char *col, const char *name, scuot_err *e)
{
	int j = scuot_df_find(table, col);
	char buf[64];
	if (j < 0) {
		char cols[512] = "";
		for (int k = 0; k < table->ncol && strlen(cols) < 400; k++)
			snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%s%s", k ? ", " : "", table->cols[k].name);
		return scuot_err_set(e, SCUOT_EINPUT, "%s: no column '%s' (columns after the id: %s)", name, col,
		                     *cols ? cols : "none");
	}
	const scuot_col *c = &table->cols[j];
	for (int64_t r = 0; r < table->n; r++) {
		const char *t = scuot_col_text(c, r, buf, sizeof buf);
		if (*t && isnan(scuot_col_num(c, r)))
			return scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: %s '%s' is not a number", name,
			                     (long long)r + 2, col, t);
	}
	return 0;
}

/* Length of the file part of "FILE.h5ad#COL" (0 when spec is not of that form). */
static size_t h5ad_col_split(const char *spec)
{
	const char *h = strrchr(spec, '#');
	size_t n = h ? (size_t)(h - spec) : 0;
	return n > 5 && strncasecmp(spec + n - 5, ".h5ad", 5) == 0 && h[1] ? n : 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

int scuot_meta_read_table(const char *spec, const char *id_col, scuot_df *out, const char **col, int *is_text,
                          scuot_err *e)
{
	size_t n = h5ad_col_split(spec);
	scuot_adata *a = NULL;
	char *path = NULL;
	int ret = 0;
	memset(out, 0, sizeof *out);
	*col = NULL, *is_text = 0;
	if (!n && !ends_with(spec, ".h5ad")) {
		scuot_stream *s = scuot_stream_open(spec, e);
		if (!s)
			return e ? e->code : SCUOT_EINPUT;
		*is_text = 1;
		ret = scuot_text_read_table(s, id_col, out, e);
		scuot_stream_close(s);
		return ret;
	}
	if (!(path = scuot_strdup(spec, e)))
		return e ? e->code : SCUOT_ENOMEM;
	if (n)
		path[n] = 0, *col = spec + n + 1;
	if ((ret = scuot_h5ad_read(path, SCUOT_H5AD_OBS, &a, e)))
		goto done;
	if (!*col) {
		*out = a->obs; /* every column */
		memset(&a->obs, 0, sizeof a->obs);
		goto done;
	}
	int j = scuot_df_find(&a->obs, *col);
	if (j < 0) {
		char cols[512] = "";
		for (int k = 0; k < a->obs.ncol && strlen(cols) < 400; k++)
			snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%s%s", k ? ", " : "",
			         a->obs.cols[k].name);
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obs/%s: no such column (obs columns: %s)", path,
		                    *col, *cols ? cols : "none");
		goto done;
	}
	/* the index and that one column */
	int64_t *rows = scuot_alloc((size_t)(a->n_obs ? a->n_obs : 1), sizeof *rows, 0, "table", e);
	if (!rows) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int64_t i = 0; i < a->n_obs; i++)
		rows[i] = i;
	out->n = a->obs.n;
	out->index = a->obs.index, a->obs.index = NULL;
	ret = copy_col(out, &a->obs.cols[j], rows, e);
	free(rows);
done:
	if (ret)
		scuot_df_clear(out);
	scuot_adata_free(a);
	free(path);
	return ret;
}

int scuot_meta_annotate(scuot_adata *a, const scuot_df *table, const char *table_name, scuot_join_stats *st,
                        int *replaced, scuot_err *e)
{
	int ret = 0;
	int64_t *rows = NULL;
	uint8_t *used = NULL;
	scuot_strmap *map = scuot_strmap_index(table->index, table->n, table_name, e);
	memset(st, 0, sizeof *st);
	if (replaced)
		*replaced = 0;
	if (!map)
		return e ? e->code : SCUOT_EINPUT;
	rows = scuot_alloc((size_t)(a->n_obs ? a->n_obs : 1), sizeof *rows, 0, "join", e);
	used = scuot_alloc((size_t)(table->n ? table->n : 1), 1, 1, "join", e);
	if (!rows || !used) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int64_t i = 0; i < a->n_obs; i++) {
		if ((rows[i] = scuot_strmap_get(map, a->obs.index[i])) >= 0)
			used[rows[i]] = 1, st->matched++;
		else if (st->cells_without++ == 0)
			snprintf(st->first_without, sizeof st->first_without, "%s", a->obs.index[i]);
	}
	for (int64_t r = 0; r < table->n; r++)
		if (!used[r] && st->table_only++ == 0)
			snprintf(st->first_table_only, sizeof st->first_table_only, "%s", table->index[r]);
	if (st->matched == 0) {
		ret = scuot_err_set(
		        e, SCUOT_EINPUT,
		        "%s: none of its %lld ids names a cell of the matrix (table: '%s', matrix: '%s'); "
		        "are the ids barcodes of this matrix?",
		        table_name, (long long)table->n, table->n ? table->index[0] : "",
		        a->n_obs ? a->obs.index[0] : "");
		goto done;
	}
	for (int j = 0; j < table->ncol && !ret; j++) {
		if (replaced && scuot_df_find(&a->obs, table->cols[j].name) >= 0)
			(*replaced)++;
		ret = copy_col(&a->obs, &table->cols[j], rows, e);
	}
done:
	scuot_strmap_free(map);
	free(rows);
	free(used);
	return ret;
}

/* List file: first field of each line, optional header "id" / "barcode". */
static int read_id_list(const char *path, scuot_strv *ids, scuot_err *e)
{
	scuot_stream *s = scuot_stream_open(path, e);
	int64_t n0 = ids->n;
	char *line;
	size_t len;
	int r;
	if (!s)
		return e ? e->code : SCUOT_EINPUT;
	while ((r = scuot_stream_getline(s, &line, &len, e)) == 1) {
		size_t n = strcspn(line, "\t,");
		if (n == 0)
			continue;
		if (scuot_stream_lineno(s) == 1 &&
		    ((n == 2 && !strncmp(line, "id", n)) || (n == 7 && !strncmp(line, "barcode", n))))
			continue;
		if ((r = scuot_strv_push(ids, line, (int64_t)n, e)))
			break;
	}
	scuot_stream_close(s);
	if (!r && ids->n == n0)
		r = scuot_err_set(e, SCUOT_EINPUT, "%s: no cell ids", path);
	return r < 0 ? r : 0;
}

int scuot_meta_read_cell_ids(const char *spec, scuot_strv *ids, int *nsets, scuot_err *e)
{
	const char *h = strrchr(spec, '#'), *want = NULL;
	char *path = NULL;
	scuot_sets sets = { 0 };
	int ret = 0;
	*nsets = 0;
	if (!(path = scuot_strdup(spec, e)))
		return e ? e->code : SCUOT_ENOMEM;
	/* FILE#SET when FILE names a set file (a '#' may also be part of a file name) */
	if (h && h[1] && h > spec) {
		path[h - spec] = 0;
		if (scuot_sets_format_of(path) != SCUOT_SETS_AUTO || access(path, R_OK) == 0)
			want = h + 1;
		else
			strcpy(path, spec);
	}
	if (!want && scuot_sets_format_of(path) == SCUOT_SETS_AUTO) {
		ret = read_id_list(path, ids, e);
		goto done;
	}
	if ((ret = scuot_sets_read(path, SCUOT_SETS_AUTO, &sets, e)))
		goto done;
	for (int k = 0; k < sets.n && !ret; k++) {
		const scuot_set *s = &sets.sets[k];
		if (want && strcasecmp(s->name, want))
			continue;
		for (int64_t i = 0; i < s->n && !ret; i++)
			ret = scuot_strv_push(ids, s->members[i], -1, e);
		(*nsets)++;
	}
	if (!ret && want && !*nsets) {
		char names[512] = "";
		for (int k = 0; k < sets.n && strlen(names) < 400; k++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s'%s'", k ? ", " : "",
			         sets.sets[k].name);
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no set named '%s' (sets: %s)", path, want, names);
	}
done:
	scuot_sets_free(&sets);
	free(path);
	return ret;
}
