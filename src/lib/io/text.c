/* text.c -- delimited text: dense count tables (CSV/TSV via libcsv, streamed into a sparse matrix)
 * and id-keyed annotation tables such as Waddington-OT's cell_days.txt. */
#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/parse.h"
#include "io/text.h"
#include "io/text_internal.h"

#define BLOCK ((size_t)1 << 20)

/* ---- duplicate finder ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ^ (h >> 29);
}

int scuot_text_find_dup(char *const *s, int64_t n, int64_t *first, int64_t *second, scuot_err *e)
{
	size_t size = 16;
	while (size < (size_t)n * 2)
		size <<= 1;
	int64_t *t = scuot_alloc(size, sizeof *t, 1, "id hash table", e); /* position + 1, 0 = empty */
	if (!t)
		return e ? e->code : SCUOT_ENOMEM;
	int ret = 0;
	for (int64_t i = 0; i < n && !ret; i++) {
		if (!s[i])
			continue;
		size_t k = hash_str(s[i]) & (size - 1);
		for (; t[k]; k = (k + 1) & (size - 1))
			if (strcmp(s[t[k] - 1], s[i]) == 0) {
				*first = t[k] - 1, *second = i;
				ret = 1;
				break;
			}
		t[k] = i + 1;
	}
	free(t);
	return ret;
}

/* ---- feeding libcsv with line numbers ---- */

/* The parser state shared by the two readers: current physical line, the row's fields so far. */
typedef struct feed {
	scuot_stream *s;
	const char *name;
	scuot_err *e;
	int err;
	int64_t line;     /* line being fed (1-based) */
	int64_t row_line; /* line where the current row began */
	int64_t nrow;     /* rows completed, header included */
	int64_t nfield;   /* fields of the current row so far */
	void (*field)(struct feed *f, char *s, size_t len);
	void (*row)(struct feed *f);
} feed;

static void cb_field(void *s, size_t len, void *data)
{
	feed *f = data;
	if (f->nfield == 0)
		f->row_line = f->line;
	if (!f->err)
		f->field(f, s ? s : (char *)"", s ? len : 0);
	f->nfield++;
}

static void cb_row(int c, void *data)
{
	feed *f = data;
	(void)c;
	if (!f->err)
		f->row(f);
	f->nrow++;
	f->nfield = 0;
}

static int csv_fail(feed *f, struct csv_parser *p)
{
	return f->err =
	           scuot_err_set(f->e, SCUOT_EINPUT,
	                         "%s: line %lld: malformed quoting (%s); a quoted field "
	                         "must end with a quote followed by the delimiter or the end of the line",
	                         f->name, (long long)f->line, csv_strerror(csv_error(p)));
}

/* Parse the whole stream: read the first line to choose the delimiter (tab if it has one, else
 * comma), then feed libcsv line by line so callbacks know the line number.  Returns 0 or a code. */
static int feed_stream(feed *f)
{
	struct csv_parser p;
	char *buf = NULL;
	size_t n = 0, cap = BLOCK;
	int ret = 0, started = 0;
	int64_t r;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return f->err =
		           scuot_err_set(f->e, SCUOT_ENOMEM, "%s: cannot initialise the CSV parser", f->name);
	if (!(buf = scuot_alloc(cap, 1, 0, "text buffer", f->e))) {
		csv_free(&p);
		return f->err = SCUOT_ENOMEM;
	}
	f->line = 1;
	for (;;) {
		if (n == cap) { /* the first line does not fit yet */
			char *b = scuot_realloc(buf, cap * 2, 1, "text buffer", f->e);
			if (!b) {
				ret = SCUOT_ENOMEM;
				break;
			}
			buf = b, cap *= 2;
		}
		if ((r = scuot_stream_read(f->s, buf + n, cap - n, f->e)) < 0) {
			ret = (int)r;
			break;
		}
		size_t have = n + (size_t)r;
		if (!started) {
			char *nl = memchr(buf, '\n', have);
			if (!nl && r > 0) {
				n = have;
				continue;
			}
			size_t hl = nl ? (size_t)(nl - buf) : have;
			csv_set_delim(&p, memchr(buf, '\t', hl) ? '\t' : ',');
			started = 1;
		}
		for (size_t off = 0; off < have && !f->err;) {
			char *nl = memchr(buf + off, '\n', have - off);
			size_t k = nl ? (size_t)(nl - buf) + 1 - off : have - off;
			if (memchr(buf + off, 0, k)) {
				ret = f->err = scuot_err_set(f->e, SCUOT_EINPUT,
				                             "%s: line %lld contains a NUL byte; this is "
				                             "not a text file",
				                             f->name, (long long)f->line);
				break;
			}
			if (csv_parse(&p, buf + off, k, cb_field, cb_row, f) != k) {
				ret = csv_fail(f, &p);
				break;
			}
			off += k;
			if (nl)
				f->line++;
		}
		n = 0;
		if (f->err || r == 0)
			break;
	}
	if (!f->err && !ret && csv_fini(&p, cb_field, cb_row, f) != 0)
		ret = csv_fail(f, &p);
	csv_free(&p);
	free(buf);
	if (f->err)
		return f->err;
	return ret;
}

/* ---- dense count tables ---- */

typedef struct counts {
	feed f;
	int orient;      /* resolved: CELLS_BY_GENES or GENES_BY_CELLS */
	int corner;      /* the header has a corner field above the row names */
	int64_t nhead;   /* header fields */
	int64_t nval;    /* value columns per row, fixed by the first data row (-1 before) */
	scuot_strv head; /* header fields */
	scuot_strv rows; /* row names */
	int64_t *lines;  /* line of each data row */
	int64_t *indptr; /* rows + 1 */
	int64_t mrow;
	int32_t *ix;
	float *dv;
	int64_t nnz, mnnz;
} counts;

static const char *orient_row(const counts *c)
{
	return c->orient == SCUOT_TEXT_CELLS_BY_GENES ? "cell" : "gene";
}

static const char *column_name(const counts *c, int64_t fld)
{
	int64_t h = c->corner ? fld : fld - 1;
	return h >= 0 && h < c->head.n ? c->head.a[h] : "?";
}

static int value_error(counts *c, int64_t fld, const char *s, const char *what)
{
	char ex[48];
	size_t n = strlen(s);
	snprintf(ex, sizeof ex, "%.*s%s", n > 40 ? 40 : (int)n, s, n > 40 ? "..." : "");
	if (!n)
		return c->f.err = scuot_err_set(c->f.e, SCUOT_EINPUT,
		                                "%s: line %lld, column %lld (%s '%s'): empty "
		                                "value; write 0 for a zero count",
		                                c->f.name, (long long)c->f.line, (long long)fld + 1,
		                                c->orient == SCUOT_TEXT_CELLS_BY_GENES ? "gene" : "cell",
		                                column_name(c, fld));
	return c->f.err = scuot_err_set(c->f.e, SCUOT_EINPUT, "%s: line %lld, column %lld (%s '%s'): %s '%s'",
	                                c->f.name, (long long)c->f.line, (long long)fld + 1,
	                                c->orient == SCUOT_TEXT_CELLS_BY_GENES ? "gene" : "cell",
	                                column_name(c, fld), what, ex);
}

static void counts_field(feed *f, char *s, size_t len)
{
	counts *c = (counts *)f;
	if (f->nrow == 0) {
		if (f->nfield == 0 && c->orient == SCUOT_TEXT_AUTO)
			c->orient =
			    strcasecmp(s, "id") == 0 ? SCUOT_TEXT_CELLS_BY_GENES : SCUOT_TEXT_GENES_BY_CELLS;
		if (scuot_strv_push(&c->head, s, (int64_t)len, f->e) < 0)
			f->err = SCUOT_ENOMEM;
		return;
	}
	if (f->nfield == 0) {
		if (!*s) {
			f->err = scuot_err_set(f->e, SCUOT_EINPUT,
			                       "%s: line %lld: empty %s name in the first column", f->name,
			                       (long long)f->line, orient_row(c));
			return;
		}
		if (scuot_strv_push(&c->rows, s, (int64_t)len, f->e) < 0)
			f->err = SCUOT_ENOMEM;
		return;
	}
	int64_t col = f->nfield - 1;
	if (c->nval >= 0 && col >= c->nval)
		return; /* reported as a ragged row at its end */
	double v;
	const char *end = *s ? scuot_text_num(s, &v) : NULL;
	if (!end || end != s + len) {
		value_error(c, f->nfield, s, "non-numeric value");
		return;
	}
	if (isnan(v) || v < 0 || isinf(v) || isinf((float)v)) {
		value_error(c, f->nfield, s,
		            isnan(v)   ? "NaN value"
		            : v < 0    ? "negative value (counts must be >= 0)"
		            : isinf(v) ? "infinite value"
		                       : "value too large for float");
		return;
	}
	if (v == 0 || (float)v == 0)
		return;
	if (col > INT32_MAX) {
		f->err = scuot_err_set(f->e, SCUOT_EINPUT, "%s: line %lld: more than %d columns", f->name,
		                       (long long)f->line, INT32_MAX);
		return;
	}
	if (c->nnz == c->mnnz) {
		int64_t m = c->mnnz ? c->mnnz + (c->mnnz >> 1) : 4096;
		int32_t *a = scuot_realloc(c->ix, (size_t)m, sizeof *a, "nonzero indices", f->e);
		if (a)
			c->ix = a;
		float *b = a ? scuot_realloc(c->dv, (size_t)m, sizeof *b, "nonzero values", f->e) : NULL;
		if (!b) {
			f->err = SCUOT_ENOMEM;
			return;
		}
		c->dv = b, c->mnnz = m;
	}
	c->ix[c->nnz] = (int32_t)col;
	c->dv[c->nnz++] = (float)v;
}

static void counts_row(feed *f)
{
	counts *c = (counts *)f;
	if (f->nrow == 0) {
		c->nhead = f->nfield;
		return;
	}
	if (c->nval < 0) { /* first data row: the header may lack the corner field (R's write.table) */
		if (f->nfield == c->nhead)
			c->corner = 1, c->nval = c->nhead - 1;
		else if (f->nfield == c->nhead + 1)
			c->corner = 0, c->nval = c->nhead;
		else
			c->corner = 1, c->nval = c->nhead - 1;
		if (c->nval < 1) {
			f->err = scuot_err_set(f->e, SCUOT_EINPUT,
			                       "%s: line %lld: no value columns: the header (line 1) "
			                       "has %lld field%s",
			                       f->name, (long long)f->line, (long long)c->nhead,
			                       c->nhead == 1 ? "" : "s");
			return;
		}
	}
	if (f->nfield != c->nval + 1) {
		f->err = scuot_err_set(f->e, SCUOT_EINPUT,
		                       "%s: line %lld: ragged row: %lld fields, expected %lld (a "
		                       "name and %lld values, from the header on line 1)",
		                       f->name, (long long)f->row_line, (long long)f->nfield,
		                       (long long)c->nval + 1, (long long)c->nval);
		return;
	}
	if (f->nrow >= c->mrow) {
		int64_t m = c->mrow ? c->mrow * 2 : 1024;
		int64_t *a = scuot_realloc(c->indptr, (size_t)m + 1, sizeof *a, "row pointers", f->e);
		if (!a) {
			f->err = SCUOT_ENOMEM;
			return;
		}
		c->indptr = a;
		if (!(a = scuot_realloc(c->lines, (size_t)m, sizeof *a, "line numbers", f->e))) {
			f->err = SCUOT_ENOMEM;
			return;
		}
		c->lines = a, c->mrow = m;
	}
	c->lines[f->nrow - 1] = f->row_line;
	c->indptr[0] = 0;
	c->indptr[f->nrow] = c->nnz;
}

static int dup_error(const char *name, const char *what, const char *id, const char *where1, int64_t a,
                     int64_t b, scuot_err *e)
{
	return scuot_err_set(e, SCUOT_EINPUT, "%s: duplicate %s '%s' (%s %lld and %lld); ids must be unique",
	                     name, what, id, where1, (long long)a, (long long)b);
}

int scuot_text_read_counts(scuot_stream *s, int orient, scuot_adata **out, scuot_err *e)
{
	counts c;
	scuot_csr *m = NULL, *t = NULL;
	scuot_adata *a = NULL;
	int ret;
	int64_t d1, d2;

	*out = NULL;
	memset(&c, 0, sizeof c);
	c.f.s = s, c.f.name = scuot_stream_name(s), c.f.e = e;
	c.f.field = counts_field, c.f.row = counts_row;
	c.orient = orient;
	c.nval = -1;
	c.corner = 1; /* until the first data row says otherwise */
	if (orient != SCUOT_TEXT_AUTO && orient != SCUOT_TEXT_CELLS_BY_GENES &&
	    orient != SCUOT_TEXT_GENES_BY_CELLS)
		return scuot_err_set(e, SCUOT_EUSAGE, "%s: unknown orientation %d", c.f.name, orient);
	if ((ret = feed_stream(&c.f)) < 0)
		goto done;
	if (c.f.nrow == 0) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "%s: the file is empty; expected a header line and one row per "
		                    "%s",
		                    c.f.name, orient == SCUOT_TEXT_CELLS_BY_GENES ? "cell" : "gene or cell");
		goto done;
	}
	if (c.f.nrow == 1) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no data rows after the header (line 1)", c.f.name);
		goto done;
	}
	int64_t nrow = c.f.nrow - 1, ncol = c.nval;
	char **colnames = c.head.a + c.corner;
	if ((ret = scuot_text_find_dup(c.rows.a, c.rows.n, &d1, &d2, e)) != 0) {
		if (ret > 0)
			ret = dup_error(c.f.name,
			                c.orient == SCUOT_TEXT_CELLS_BY_GENES ? "cell id" : "gene name",
			                c.rows.a[d2], "lines", c.lines[d1], c.lines[d2], e);
		goto done;
	}
	if ((ret = scuot_text_find_dup(colnames, ncol, &d1, &d2, e)) != 0) {
		if (ret > 0)
			ret = dup_error(c.f.name,
			                c.orient == SCUOT_TEXT_CELLS_BY_GENES ? "gene name" : "cell id",
			                colnames[d2], "line 1, columns", d1 + 1 + c.corner, d2 + 1 + c.corner,
			                e);
		goto done;
	}
	if (!(m = scuot_alloc(1, sizeof *m, 1, "sparse matrix", e))) {
		ret = SCUOT_ENOMEM;
		goto done;
	}
	m->nrow = nrow, m->ncol = ncol, m->nnz = c.nnz;
	m->indptr = c.indptr, m->indices = c.ix, m->data = c.dv;
	c.indptr = NULL, c.ix = NULL, c.dv = NULL;
	if (!m->indices && (!(m->indices = scuot_alloc(1, sizeof *m->indices, 0, "indices", e)) ||
	                    !(m->data = scuot_alloc(1, sizeof *m->data, 0, "values", e)))) {
		ret = SCUOT_ENOMEM;
		goto done;
	}
	if (c.orient == SCUOT_TEXT_GENES_BY_CELLS) {
		if (!(t = scuot_csr_transpose(m, e))) {
			ret = e ? e->code : SCUOT_ENOMEM;
			goto done;
		}
		scuot_csr_free(m);
		m = t, t = NULL;
	}
	int cells_rows = c.orient == SCUOT_TEXT_CELLS_BY_GENES;
	if (!(a = scuot_adata_new(m->nrow, m->ncol, e))) {
		ret = SCUOT_ENOMEM;
		goto done;
	}
	a->X = m, m = NULL;
	/* header names (skipping the corner) and row names become the two indexes */
	scuot_strv hv = { 0 };
	for (int64_t k = 0; k < ncol; k++)
		if ((ret = scuot_strv_push(&hv, colnames[k], -1, e)) < 0) {
			scuot_strv_clear(&hv);
			goto done;
		}
	int64_t n;
	char **lab = scuot_strv_release(&hv, &n);
	char **rl = scuot_strv_release(&c.rows, &d1);
	if ((ret = scuot_df_set_index(&a->obs, cells_rows ? rl : lab, cells_rows ? d1 : n, e)) < 0) {
		scuot_strs_free(lab, n), scuot_strs_free(rl, d1);
		goto done;
	}
	if ((ret = scuot_df_set_index(&a->var, cells_rows ? lab : rl, cells_rows ? n : d1, e)) < 0) {
		scuot_strs_free(cells_rows ? lab : rl, cells_rows ? n : d1);
		goto done;
	}
	scuot_col *gn = scuot_df_add(&a->var, "gene_name", SCUOT_COL_STRING, e);
	if (!gn) {
		ret = SCUOT_ENOMEM;
		goto done;
	}
	for (int64_t g = 0; g < a->n_var; g++)
		if (!(gn->s[g] = scuot_strdup(a->var.index[g], e))) {
			ret = SCUOT_ENOMEM;
			goto done;
		}
	*out = a, a = NULL;
	ret = 0;
done:
	scuot_adata_free(a);
	scuot_csr_free(m), scuot_csr_free(t);
	free(c.indptr), free(c.ix), free(c.dv), free(c.lines);
	scuot_strv_clear(&c.head), scuot_strv_clear(&c.rows);
	return ret;
}

/* ---- id-keyed tables ---- */

typedef struct table {
	feed f;
	int64_t ncol;
	scuot_strv head;
	scuot_strv cells; /* row-major, ncol per row */
	int64_t *lines;   /* line of each data row */
	int64_t mlines;
} table;

static void table_field(feed *f, char *s, size_t len)
{
	table *t = (table *)f;
	if (f->nrow > 0 && f->nfield >= t->ncol)
		return; /* ragged, reported at the row end */
	if (scuot_strv_push(f->nrow ? &t->cells : &t->head, s, (int64_t)len, f->e) < 0)
		f->err = SCUOT_ENOMEM;
}

static void table_row(feed *f)
{
	table *t = (table *)f;
	if (f->nrow == 0) {
		t->ncol = f->nfield;
		return;
	}
	if (f->nfield != t->ncol) {
		f->err =
		    scuot_err_set(f->e, SCUOT_EINPUT,
		                  "%s: line %lld: ragged row: %lld fields, expected %lld as in "
		                  "the header (line 1)",
		                  f->name, (long long)f->row_line, (long long)f->nfield, (long long)t->ncol);
		return;
	}
	if (f->nrow > t->mlines) {
		int64_t m = t->mlines ? t->mlines * 2 : 1024;
		int64_t *a = scuot_realloc(t->lines, (size_t)m + 1, sizeof *a, "line numbers", f->e);
		if (!a) {
			f->err = SCUOT_ENOMEM;
			return;
		}
		t->lines = a, t->mlines = m;
	}
	t->lines[f->nrow - 1] = f->row_line;
}

/* Missing in a numeric column: empty, or pandas' and R's markers. */
static int is_missing(const char *s)
{
	return !*s || strcmp(s, "NA") == 0 || strcmp(s, "NaN") == 0 || strcmp(s, "nan") == 0;
}

int scuot_text_read_table(scuot_stream *s, const char *id_col, scuot_df *out, scuot_err *e)
{
	table t;
	scuot_df df;
	int ret;
	int64_t idc = 0, nrow, d1, d2;
	char **ids = NULL;

	memset(&t, 0, sizeof t);
	memset(&df, 0, sizeof df);
	t.f.s = s, t.f.name = scuot_stream_name(s), t.f.e = e;
	t.f.field = table_field, t.f.row = table_row;
	if ((ret = feed_stream(&t.f)) < 0)
		goto done;
	if (t.f.nrow == 0) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "%s: the file is empty; expected a header line naming the columns",
		                    t.f.name);
		goto done;
	}
	nrow = t.f.nrow - 1;
	if (id_col) {
		for (idc = 0; idc < t.ncol && strcmp(t.head.a[idc], id_col) != 0; idc++)
			;
		if (idc == t.ncol) {
			char list[768] = "";
			size_t used = 0;
			for (int64_t j = 0; j < t.ncol && used < sizeof list - 1; j++) {
				int w = snprintf(list + used, sizeof list - used, "%s'%s'", j ? ", " : "",
				                 t.head.a[j]);
				if (w > 0)
					used += (size_t)w;
			}
			ret = scuot_err_set(e, SCUOT_EINPUT,
			                    "%s: no column '%s' in the header (line 1); the columns are %s",
			                    t.f.name, id_col, list);
			goto done;
		}
	} else {
		for (idc = 0; idc < t.ncol && strcmp(t.head.a[idc], "id") != 0; idc++)
			;
		if (idc == t.ncol)
			idc = 0;
	}
	for (int64_t j = 0; j < t.ncol; j++) /* empty names (pandas' index corner) become "Unnamed: j" */
		if (!*t.head.a[j]) {
			char un[32];
			int n = snprintf(un, sizeof un, "Unnamed: %lld", (long long)j);
			char *x = scuot_alloc((size_t)n + 1, 1, 0, "column name", e);
			if (!x) {
				ret = SCUOT_ENOMEM;
				goto done;
			}
			memcpy(x, un, (size_t)n + 1);
			free(t.head.a[j]);
			t.head.a[j] = x;
		}
	if ((ret = scuot_text_find_dup(t.head.a, t.ncol, &d1, &d2, e)) != 0) {
		if (ret > 0)
			ret = dup_error(t.f.name, "column name", t.head.a[d2], "line 1, columns", d1 + 1,
			                d2 + 1, e);
		goto done;
	}
	if (!(ids = scuot_alloc((size_t)nrow, sizeof *ids, 1, "ids", e))) {
		ret = SCUOT_ENOMEM;
		goto done;
	}
	for (int64_t r = 0; r < nrow; r++) {
		ids[r] = t.cells.a[r * t.ncol + idc];
		t.cells.a[r * t.ncol + idc] = NULL;
		if (!*ids[r]) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: empty id in column '%s'",
			                    t.f.name, (long long)t.lines[r], t.head.a[idc]);
			goto done;
		}
	}
	if ((ret = scuot_text_find_dup(ids, nrow, &d1, &d2, e)) != 0) {
		if (ret > 0)
			ret = dup_error(t.f.name, "id", ids[d2], "lines", t.lines[d1], t.lines[d2], e);
		goto done;
	}
	if ((ret = scuot_df_set_index(&df, ids, nrow, e)) < 0)
		goto done;
	ids = NULL;
	for (int64_t j = 0; j < t.ncol; j++) {
		if (j == idc)
			continue;
		const char *cn = t.head.a[j];
		int numeric = 1;
		double v;
		for (int64_t r = 0; r < nrow && numeric; r++) {
			const char *x = t.cells.a[r * t.ncol + j];
			numeric = is_missing(x) || scuot_parse_double(x, &v) == 0;
		}
		scuot_col *col = scuot_df_add(&df, cn, numeric ? SCUOT_COL_FLOAT : SCUOT_COL_STRING, e);
		if (!col) {
			ret = e ? e->code : SCUOT_ENOMEM;
			goto done;
		}
		for (int64_t r = 0; r < nrow; r++) {
			char **x = &t.cells.a[r * t.ncol + j];
			if (numeric) {
				col->f[r] = is_missing(*x) || scuot_parse_double(*x, &v) != 0 ? NAN : v;
			} else if (**x) {
				col->s[r] = *x;
				*x = NULL;
			}
		}
	}
	*out = df;
	memset(&df, 0, sizeof df);
	ret = 0;
done:
	if (ids) {
		for (int64_t r = 0; r < nrow; r++)
			free(ids[r]);
		free(ids);
	}
	scuot_df_clear(&df);
	scuot_strv_clear(&t.head), scuot_strv_clear(&t.cells);
	free(t.lines);
	return ret;
}
