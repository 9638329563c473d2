/* mtx.c -- Matrix Market coordinate files and 10x Genomics matrix directories (MEX): read and write.
 * The reader streams entries straight into a cells x genes CSR; see scuot_mtx_read for the memory plan. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/log.h"
#include "core/outfile.h"
#include "io/mtx.h"
#include "io/text_internal.h"

#define SUPPORTED "%%MatrixMarket matrix coordinate (integer|real|double|pattern) general"

enum { FIELD_INT = 1, FIELD_REAL, FIELD_PATTERN };

/* What the banner and the size line say: M rows (genes), N columns (cells), L entries. */
typedef struct mtx_hdr {
	int field;
	int64_t nrow, ncol, nent;
	int64_t size_line;
} mtx_hdr;

/* ---- parsing ---- */

/* Unsigned decimal of at most 19 digits at p; returns the byte after it or NULL. */
static inline const char *parse_u64(const char *p, uint64_t *out)
{
	const char *d = p;
	uint64_t v = 0;
	while ((unsigned)(*p - '0') < 10)
		v = v * 10 + (unsigned)(*p++ - '0');
	if (p == d || p - d > 19)
		return NULL;
	*out = v;
	return p;
}

static inline const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *field_name(int field)
{
	return field == FIELD_INT ? "integer" : field == FIELD_REAL ? "real" : "pattern";
}

/* First word of s up to n bytes, for messages. */
static void excerpt(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);
	if (n < size) {
		memcpy(dst, s, n + 1);
	} else {
		memcpy(dst, s, size - 4);
		memcpy(dst + size - 4, "...", 4);
	}
}

static int read_header(scuot_stream *s, mtx_hdr *h, scuot_err *e)
{
	const char *name = scuot_stream_name(s);
	char *line, *tok[6], ex[64];
	size_t len;
	int r, ntok = 0;
	memset(h, 0, sizeof *h);
	if ((r = scuot_stream_getline(s, &line, &len, e)) < 0)
		return r;
	if (r == 0)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: file is empty; expected a Matrix Market file starting "
		                     "with '%s'",
		                     name, SUPPORTED);
	excerpt(ex, sizeof ex, line);
	for (char *p = line; *p && ntok < 6;) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		tok[ntok++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	if (ntok == 0 || strcasecmp(tok[0], "%%MatrixMarket") != 0)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line 1: not a Matrix Market file: the first line is '%s', "
		                     "expected the banner '%s'",
		                     name, ex, SUPPORTED);
	if (ntok < 5)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: line 1: incomplete banner '%s'; expected '%s'",
		                     name, ex, SUPPORTED);
	if (ntok > 5)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line 1: unexpected '%s' after the banner; expected '%s'", name,
		                     tok[5], SUPPORTED);
	if (strcasecmp(tok[1], "matrix") != 0)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line 1: Matrix Market object '%s' is not supported; "
		                     "scuot reads '%s'",
		                     name, tok[1], SUPPORTED);
	if (strcasecmp(tok[2], "array") == 0)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line 1: dense 'array' Matrix Market files are not "
		                     "supported; scuot reads sparse matrices: '%s'",
		                     name, SUPPORTED);
	if (strcasecmp(tok[2], "coordinate") != 0)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line 1: unknown Matrix Market format '%s'; scuot reads "
		                     "'%s'",
		                     name, tok[2], SUPPORTED);
	if (strcasecmp(tok[3], "integer") == 0)
		h->field = FIELD_INT;
	else if (strcasecmp(tok[3], "real") == 0 || strcasecmp(tok[3], "double") == 0)
		h->field = FIELD_REAL;
	else if (strcasecmp(tok[3], "pattern") == 0)
		h->field = FIELD_PATTERN;
	else if (strcasecmp(tok[3], "complex") == 0)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line 1: complex values are not supported; scuot reads "
		                     "'%s'",
		                     name, SUPPORTED);
	else
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line 1: unknown Matrix Market field '%s'; scuot reads "
		                     "'%s'",
		                     name, tok[3], SUPPORTED);
	if (strcasecmp(tok[4], "general") != 0)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line 1: '%s' matrices are not supported, only 'general' "
		                     "(every entry stored); scuot reads '%s'",
		                     name, tok[4], SUPPORTED);

	for (;;) { /* comments (Cell Ranger's %metadata_json among them), then the size line */
		if ((r = scuot_stream_getline(s, &line, &len, e)) < 0)
			return r;
		if (r == 0)
			return scuot_err_set(e, SCUOT_EINPUT,
			                     "%s: the file ends before the size line "
			                     "'ROWS COLUMNS ENTRIES'",
			                     name);
		const char *p = skip_blanks(line);
		if (*p && *p != '%')
			break;
	}
	h->size_line = scuot_stream_lineno(s);
	uint64_t v[3];
	const char *p = line;
	excerpt(ex, sizeof ex, line);
	for (int k = 0; k < 3; k++) {
		p = skip_blanks(p);
		if (!(p = parse_u64(p, &v[k])) || (*p && *p != ' ' && *p != '\t'))
			break;
		if (k == 2 && *skip_blanks(p))
			p = NULL;
	}
	if (!p)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line %lld: bad size line '%s'; expected 'ROWS COLUMNS "
		                     "ENTRIES', three non-negative integers",
		                     name, (long long)h->size_line, ex);
	if (v[0] > INT32_MAX || v[1] > INT32_MAX)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line %lld: %llu x %llu matrix: dimensions above %d are "
		                     "not supported",
		                     name, (long long)h->size_line, (unsigned long long)v[0],
		                     (unsigned long long)v[1], INT32_MAX);
	if (v[2] > v[0] * v[1])
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line %lld: %llu entries cannot fit a %llu x %llu matrix", name,
		                     (long long)h->size_line, (unsigned long long)v[2],
		                     (unsigned long long)v[0], (unsigned long long)v[1]);
	h->nrow = (int64_t)v[0], h->ncol = (int64_t)v[1], h->nent = (int64_t)v[2];
	/* Every entry line takes at least "i j\n" or "i j v\n": refuse a count the input cannot hold
	 * before allocating for it. */
	int64_t bound = scuot_stream_size_bound(s), minb = h->field == FIELD_PATTERN ? 4 : 6;
	if (bound >= 0 && h->nent > (bound + 1) / minb)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line %lld: the size line declares %lld entries, more than "
		                     "the %lld bytes of the file can hold; is the file truncated?",
		                     name, (long long)h->size_line, (long long)h->nent, (long long)bound);
	return 0;
}

enum {
	ENT_SKIP = 0,
	ENT_OK = 1,
	ENT_BADI = -1,
	ENT_BADJ = -2,
	ENT_BADV = -3,
	ENT_TRAIL = -4,
	ENT_NEG = -5,
	ENT_NAN = -6,
	ENT_INF = -7,
	ENT_NOTINT = -8,
	ENT_BIG = -9,
	ENT_SHORT = -10
};

/* One body line "i j [value]": ENT_OK with the fields, ENT_SKIP for blank and comment lines, or a
 * negative ENT_* code saying what is wrong. */
static inline int parse_entry(const char *p, int field, uint64_t *i, uint64_t *j, float *v)
{
	p = skip_blanks(p);
	if (*p == 0 || *p == '%')
		return ENT_SKIP;
	if (!(p = parse_u64(p, i)))
		return ENT_BADI;
	if (*p != ' ' && *p != '\t')
		return *p ? ENT_BADI : ENT_SHORT;
	p = skip_blanks(p);
	if (!*p)
		return ENT_SHORT;
	if (!(p = parse_u64(p, j)))
		return ENT_BADJ;
	if (field == FIELD_PATTERN) {
		*v = 1.0f;
	} else {
		if (*p != ' ' && *p != '\t')
			return *p ? ENT_BADJ : ENT_SHORT;
		p = skip_blanks(p);
		if (!*p)
			return ENT_SHORT;
		if (field == FIELD_INT) {
			uint64_t u;
			if (*p == '-')
				return ENT_NEG;
			if (*p == '+')
				p++;
			if (!(p = parse_u64(p, &u)))
				return ENT_BADV;
			if (*p == '.' || *p == 'e' || *p == 'E')
				return ENT_NOTINT;
			*v = (float)u;
		} else {
			double d;
			if (!(p = scuot_text_num(p, &d)))
				return ENT_BADV;
			if (isnan(d))
				return ENT_NAN;
			if (d < 0)
				return ENT_NEG;
			if (isinf(d))
				return ENT_INF;
			*v = (float)d;
			if (isinf(*v))
				return ENT_BIG;
		}
	}
	p = skip_blanks(p);
	return *p ? ENT_TRAIL : ENT_OK;
}

static int entry_error(scuot_stream *s, const mtx_hdr *h, int code, const char *line, scuot_err *e)
{
	static const char *what[] = {
		[-ENT_BADI] = "the row index is not a positive integer",
		[-ENT_BADJ] = "the column index is not a positive integer",
		[-ENT_BADV] = "the value is not a number",
		[-ENT_TRAIL] = "unexpected text after the entry",
		[-ENT_NEG] = "negative value (counts must be >= 0)",
		[-ENT_NAN] = "the value is NaN",
		[-ENT_INF] = "the value is infinite",
		[-ENT_NOTINT] =
		    "the value is not an integer but the banner declares 'integer' (declare 'real')",
		[-ENT_BIG] = "the value is too large",
		[-ENT_SHORT] = NULL,
	};
	char ex[64];
	excerpt(ex, sizeof ex, line);
	if (code == ENT_SHORT)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line %lld: entry '%s' is incomplete; expected '%s' (%s "
		                     "field)",
		                     scuot_stream_name(s), (long long)scuot_stream_lineno(s), ex,
		                     h->field == FIELD_PATTERN ? "ROW COLUMN" : "ROW COLUMN VALUE",
		                     field_name(h->field));
	return scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: bad entry '%s': %s", scuot_stream_name(s),
	                     (long long)scuot_stream_lineno(s), ex, what[-code]);
}

static int range_error(scuot_stream *s, const mtx_hdr *h, uint64_t i, uint64_t j, scuot_err *e)
{
	int row = i < 1 || i > (uint64_t)h->nrow;
	return scuot_err_set(e, SCUOT_EINPUT,
	                     "%s: line %lld: %s index %llu is out of range: the size line "
	                     "(line %lld) allows 1..%lld",
	                     scuot_stream_name(s), (long long)scuot_stream_lineno(s), row ? "row" : "column",
	                     (unsigned long long)(row ? i : j), (long long)h->size_line,
	                     (long long)(row ? h->nrow : h->ncol));
}

/* After a duplicate (gene, cell) was found in the CSR: read the file again for the two lines. */
static int duplicate_error(scuot_stream *s, const mtx_hdr *h, int64_t gene, int64_t cell, scuot_err *e)
{
	const char *name = scuot_stream_name(s);
	int64_t l1 = 0, l2 = 0;
	scuot_err e2 = { 0 };
	char *line;
	size_t len;
	if (scuot_stream_rewind(s, &e2) == 0) {
		while (!l2 && scuot_stream_getline(s, &line, &len, &e2) == 1) {
			uint64_t i, j;
			float v;
			if (scuot_stream_lineno(s) <= h->size_line ||
			    parse_entry(line, h->field, &i, &j, &v) != ENT_OK)
				continue;
			if ((int64_t)i == gene + 1 && (int64_t)j == cell + 1)
				*(l1 ? &l2 : &l1) = scuot_stream_lineno(s);
		}
	}
	if (l2)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line %lld: duplicate entry for row %lld, column %lld "
		                     "(first at line %lld); each (row, column) pair may appear once",
		                     name, (long long)l2, (long long)gene + 1, (long long)cell + 1,
		                     (long long)l1);
	return scuot_err_set(e, SCUOT_EINPUT,
	                     "%s: duplicate entry for row %lld, column %lld; each (row, column) "
	                     "pair may appear once",
	                     name, (long long)gene + 1, (long long)cell + 1);
}

/* Sort each cell's genes; a repeated (gene, cell) pair is an error. */
static int sort_and_check(scuot_stream *s, const mtx_hdr *h, scuot_csr *c, scuot_err *e)
{
	scuot_err e2 = { 0 };
	if (scuot_csr_sort_rows(c, &e2) == 0)
		return 0;
	if (e2.code != SCUOT_EINPUT) {
		scuot_err_set(e, e2.code, "%s: %s", scuot_stream_name(s), e2.msg);
		return e2.code;
	}
	/* Rows before the failing one are sorted and free of repeats, the failing one is sorted. */
	for (int64_t r = 0; r < c->nrow; r++)
		for (int64_t k = c->indptr[r] + 1; k < c->indptr[r + 1]; k++)
			if (c->indices[k] == c->indices[k - 1])
				return duplicate_error(s, h, c->indices[k], r, e);
	return scuot_err_set(e, SCUOT_EINTERNAL, "%s: duplicate entry reported but not found",
	                     scuot_stream_name(s));
}

static int changed_error(scuot_stream *s, scuot_err *e)
{
	return scuot_err_set(e, SCUOT_EINPUT,
	                     "%s: line %lld: the file changed between the two reading passes",
	                     scuot_stream_name(s), (long long)scuot_stream_lineno(s));
}

/* Entries after the header.  Memory plan (peak = the CSR sized for L entries + one int64 per cell):
 *  1. Entries sorted by cell (column), as Cell Ranger, STARsolo and scipy write them: each goes
 *     straight to the next free slot of the CSR; indptr counts entries per cell.  One pass.
 *  2. The first entry of a cell lower than the previous one switches to counting: the rest of the
 *     file is validated and counted per cell (array next[]).  Then the entries stored so far, still
 *     grouped by cell, are moved up to their final offsets (highest cell first, so no block
 *     overwrites an unmoved one), the stream is rewound, and the entries from the switch line on are
 *     placed at next[cell]++.  Unsorted input costs a second read of the file, no extra memory.
 * Explicit zeros are dropped (so nnz counts real nonzeros); the arrays are shrunk when any were. */
static int read_body(scuot_stream *s, const mtx_hdr *h, scuot_csr **out, scuot_err *e)
{
	const char *name = scuot_stream_name(s);
	const int field = h->field;
	const uint64_t ngene = (uint64_t)h->nrow, ncell = (uint64_t)h->ncol;
	scuot_csr *c = NULL;
	int64_t *next = NULL, *ip, k = 0, nent = 0, last = 0, switch_line = 0;
	int32_t *ix;
	float *dv;
	char *line;
	size_t len;
	int r, ret = 0;

	if (!(c = scuot_csr_new(h->ncol, h->nrow, h->nent, e))) {
		scuot_err_prefix(e, "%s: line %lld: %lld x %lld matrix with %lld entries: ", name,
		                 (long long)h->size_line, (long long)h->nrow, (long long)h->ncol,
		                 (long long)h->nent);
		return e ? e->code : SCUOT_ENOMEM;
	}
	ip = c->indptr, ix = c->indices, dv = c->data;
	while ((r = scuot_stream_getline(s, &line, &len, e)) == 1) {
		uint64_t i, j;
		float v;
		int t = parse_entry(line, field, &i, &j, &v);
		if (t != ENT_OK) {
			if (t == ENT_SKIP)
				continue;
			ret = entry_error(s, h, t, line, e);
			goto fail;
		}
		if (i - 1 >= ngene || j - 1 >= ncell) {
			ret = range_error(s, h, i, j, e);
			goto fail;
		}
		if (nent++ == h->nent) {
			ret = scuot_err_set(e, SCUOT_EINPUT,
			                    "%s: line %lld: more entries than the %lld declared on the "
			                    "size line (line %lld)",
			                    name, (long long)scuot_stream_lineno(s), (long long)h->nent,
			                    (long long)h->size_line);
			goto fail;
		}
		if (v == 0)
			continue;
		int64_t cell = (int64_t)j - 1;
		if (!next) {
			if (cell >= last) {
				last = cell;
				ix[k] = (int32_t)(i - 1);
				dv[k++] = v;
				ip[cell + 1]++;
				continue;
			}
			if (!(next = scuot_alloc((size_t)ncell + 1, sizeof *next, 1, "per-cell counts", e))) {
				ret = e ? e->code : SCUOT_ENOMEM;
				goto fail;
			}
			switch_line = scuot_stream_lineno(s);
			scuot_log_debug("%s: line %lld: entries are not sorted by column; a second pass will "
			                "place them",
			                name, (long long)switch_line);
		}
		next[cell]++;
	}
	if (r < 0) {
		ret = r;
		goto fail;
	}
	if (nent < h->nent) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "%s: line %lld: the file ends after %lld entries but the size line "
		                    "(line %lld) declares %lld; is the file truncated?",
		                    name, (long long)scuot_stream_lineno(s), (long long)nent,
		                    (long long)h->size_line, (long long)h->nent);
		goto fail;
	}
	for (uint64_t q = 0; q < ncell; q++) /* indptr: counts -> start offsets of the stored entries */
		ip[q + 1] += ip[q];
	if (next) {
		int64_t acc = 0;
		for (uint64_t q = 0; q <= ncell;
		     q++) { /* next: counts after the switch -> exclusive prefix */
			int64_t t = next[q];
			next[q] = acc;
			acc += t;
		}
		for (int64_t q = (int64_t)ncell - 1; q >= 0; q--) {
			int64_t n1 = ip[q + 1] - ip[q];
			if (n1 && next[q]) {
				memmove(ix + ip[q] + next[q], ix + ip[q], (size_t)n1 * sizeof *ix);
				memmove(dv + ip[q] + next[q], dv + ip[q], (size_t)n1 * sizeof *dv);
			}
		}
		for (uint64_t q = 0; q < ncell;
		     q++) { /* final start, and the fill pointer after the moved block */
			int64_t p0 = ip[q], p1 = ip[q + 1], c2 = next[q];
			ip[q] = p0 + c2;
			next[q] = p1 + c2;
		}
		ip[ncell] += next[ncell];
		if ((ret = scuot_stream_rewind(s, e)) < 0) {
			scuot_err_prefix(e, "entries are not sorted by column: ");
			goto fail;
		}
		while ((r = scuot_stream_getline(s, &line, &len, e)) == 1) {
			uint64_t i, j;
			float v;
			if (scuot_stream_lineno(s) < switch_line)
				continue;
			int t = parse_entry(line, field, &i, &j, &v);
			if (t == ENT_SKIP || (t == ENT_OK && v == 0))
				continue;
			if (t != ENT_OK || i - 1 >= ngene || j - 1 >= ncell || next[j - 1] >= ip[j]) {
				ret = changed_error(s, e);
				goto fail;
			}
			int64_t p = next[j - 1]++;
			ix[p] = (int32_t)(i - 1);
			dv[p] = v;
		}
		if (r < 0) {
			ret = r;
			goto fail;
		}
		for (uint64_t q = 0; q < ncell; q++)
			if (next[q] != ip[q + 1]) {
				ret = changed_error(s, e);
				goto fail;
			}
		free(next);
		next = NULL;
	}
	c->nnz = ip[ncell];
	if (c->nnz < h->nent) { /* explicit zeros were dropped */
		size_t n = c->nnz ? (size_t)c->nnz : 1;
		int32_t *a = realloc(c->indices, n * sizeof *a);
		float *b = realloc(c->data, n * sizeof *b);
		if (a)
			c->indices = a;
		if (b)
			c->data = b;
	}
	if ((ret = sort_and_check(s, h, c, e)) < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	free(next);
	scuot_csr_free(c);
	return ret < 0 ? ret : SCUOT_EINPUT;
}

int scuot_mtx_read(scuot_stream *s, scuot_csr **out, scuot_err *e)
{
	mtx_hdr h;
	int ret;
	*out = NULL;
	if ((ret = read_header(s, &h, e)) < 0)
		return ret;
	return read_body(s, &h, out, e);
}

/* ---- 10x directories ---- */

/* Path of the first of names[] that exists under prefix, or NULL with e listing all of them. */
static char *find_file(const char *dir, int isdir, const char *prefix, const char *what,
                       const char *const *names, scuot_err *e)
{
	char looked[SCUOT_ERR_MSG_MAX] = "";
	size_t used = 0;
	for (int k = 0; names[k]; k++) {
		size_t n = strlen(prefix) + strlen(names[k]) + 1;
		char *p = scuot_alloc(n, 1, 0, "file name", e);
		struct stat st;
		if (!p)
			return NULL;
		snprintf(p, n, "%s%s", prefix, names[k]);
		if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode))
			return p;
		int w = snprintf(looked + used, sizeof looked - used, "%s%s", k ? ", " : "", p);
		if (w > 0 && (size_t)w < sizeof looked - used)
			used += (size_t)w;
		free(p);
	}
	scuot_err_set(e, SCUOT_EINPUT, "%s: %s: no %s file (looked for %s)", dir,
	              isdir ? "not a 10x matrix directory" : "not a directory, nor a prefix of 10x files",
	              what, looked);
	return NULL;
}

/* Features (id, name[, type, ...]) or legacy genes (id, name; a single id column is accepted).
 * types is filled only when the file has a third column. */
static int read_features(const char *path, scuot_strv *ids, scuot_strv *names, scuot_strv *types,
                         scuot_err *e)
{
	scuot_stream *s = scuot_stream_open(path, e);
	char *line;
	size_t len;
	int r, nf0 = 0;
	if (!s)
		return e ? e->code : SCUOT_EINPUT;
	while ((r = scuot_stream_getline(s, &line, &len, e)) == 1) {
		char *f[3] = { line, NULL, NULL };
		int nf = 1;
		for (char *p = line; (p = strchr(p, '\t')); nf++) {
			*p++ = 0;
			if (nf < 3)
				f[nf] = p;
		}
		if (!nf0)
			nf0 = nf;
		if (nf != nf0) {
			r = scuot_err_set(e, SCUOT_EINPUT,
			                  "%s: line %lld has %d tab-separated fields but line 1 has %d", path,
			                  (long long)scuot_stream_lineno(s), nf, nf0);
			break;
		}
		if (!*f[0]) {
			r = scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: empty feature id", path,
			                  (long long)scuot_stream_lineno(s));
			break;
		}
		if ((r = scuot_strv_push(ids, f[0], -1, e)) < 0 ||
		    (r = scuot_strv_push(names, f[nf > 1], -1, e)) < 0 ||
		    (nf > 2 && (r = scuot_strv_push(types, f[2], -1, e)) < 0))
			break;
	}
	scuot_stream_close(s);
	return r < 0 ? r : 0;
}

/* Barcodes, one per line (a tab ends the barcode: extra columns are ignored). */
static int read_barcodes(const char *path, scuot_strv *bc, scuot_err *e)
{
	scuot_stream *s = scuot_stream_open(path, e);
	char *line;
	size_t len;
	int r;
	if (!s)
		return e ? e->code : SCUOT_EINPUT;
	while ((r = scuot_stream_getline(s, &line, &len, e)) == 1) {
		char *t = strchr(line, '\t');
		if (t)
			*t = 0;
		if (!*line) {
			r = scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: empty barcode", path,
			                  (long long)scuot_stream_lineno(s));
			break;
		}
		if ((r = scuot_strv_push(bc, line, -1, e)) < 0)
			break;
	}
	scuot_stream_close(s);
	return r < 0 ? r : 0;
}

static int check_unique(const char *path, const char *what, const scuot_strv *v, scuot_err *e)
{
	int64_t a, b;
	int r = scuot_text_find_dup(v->a, v->n, &a, &b, e);
	if (r <= 0)
		return r;
	return scuot_err_set(e, SCUOT_EINPUT,
	                     "%s: %s '%s' appears twice (lines %lld and %lld); they must be unique", path,
	                     what, v->a[b], (long long)a + 1, (long long)b + 1);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* A string column of n values taking over the strings of v. */
static int move_column(scuot_df *df, const char *name, scuot_strv *v, scuot_err *e)
{
	scuot_col *c = scuot_df_add(df, name, SCUOT_COL_STRING, e);
	if (!c)
		return e ? e->code : SCUOT_ENOMEM;
	int64_t n;
	char **a = scuot_strv_release(v, &n);
	memcpy(c->s, a, (size_t)n * sizeof *a);
	free(a);
	return 0;
}

int scuot_mtx_read_dir(const char *dir, scuot_adata **out, scuot_err *e)
{
	static const char *const mtx_names[] = { "matrix.mtx.gz", "matrix.mtx", NULL };
	static const char *const feat_names[] = { "features.tsv.gz", "features.tsv", "genes.tsv.gz",
		                                  "genes.tsv", NULL };
	static const char *const bc_names[] = { "barcodes.tsv.gz", "barcodes.tsv", NULL };
	scuot_strv ids = { 0 }, names = { 0 }, types = { 0 }, bc = { 0 };
	char *prefix = NULL, *fmtx = NULL, *ffeat = NULL, *fbc = NULL;
	scuot_stream *s = NULL;
	scuot_csr *X = NULL;
	scuot_adata *a = NULL;
	struct stat st;
	mtx_hdr h;
	int ret;

	*out = NULL;
	size_t dl = strlen(dir);
	int isdir = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	if (!(prefix = scuot_alloc(dl + 2, 1, 0, "file name", e))) {
		ret = SCUOT_ENOMEM;
		goto done;
	}
	snprintf(prefix, dl + 2, "%s%s", dir, isdir && dl && dir[dl - 1] != '/' ? "/" : "");
	if (!(fmtx = find_file(dir, isdir, prefix, "matrix", mtx_names, e)) ||
	    !(ffeat = find_file(dir, isdir, prefix, "features", feat_names, e)) ||
	    !(fbc = find_file(dir, isdir, prefix, "barcodes", bc_names, e))) {
		ret = e ? e->code : SCUOT_EINPUT;
		goto done;
	}
	if ((ret = read_features(ffeat, &ids, &names, &types, e)) < 0 ||
	    (ret = read_barcodes(fbc, &bc, e)) < 0 ||
	    (ret = check_unique(ffeat, "feature id", &ids, e)) < 0 ||
	    (ret = check_unique(fbc, "barcode", &bc, e)) < 0)
		goto done;
	if (!(s = scuot_stream_open(fmtx, e))) {
		ret = e ? e->code : SCUOT_EINPUT;
		goto done;
	}
	if ((ret = read_header(s, &h, e)) < 0)
		goto done;
	if (ids.n != h.nrow) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "%s has %lld lines but %s has %lld rows (genes); the files do not "
		                    "belong together",
		                    ffeat, (long long)ids.n, base_name(fmtx), (long long)h.nrow);
		goto done;
	}
	if (bc.n != h.ncol) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "%s has %lld lines but %s has %lld columns (cells); the files do "
		                    "not belong together",
		                    fbc, (long long)bc.n, base_name(fmtx), (long long)h.ncol);
		goto done;
	}
	if ((ret = read_body(s, &h, &X, e)) < 0)
		goto done;
	if (!(a = scuot_adata_new(h.ncol, h.nrow, e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	a->X = X, X = NULL;
	int64_t n;
	char **lab = scuot_strv_release(&bc, &n);
	if ((ret = scuot_df_set_index(&a->obs, lab, n, e)) < 0) {
		scuot_strs_free(lab, n);
		goto done;
	}
	lab = scuot_strv_release(&ids, &n);
	if ((ret = scuot_df_set_index(&a->var, lab, n, e)) < 0) {
		scuot_strs_free(lab, n);
		goto done;
	}
	if ((ret = move_column(&a->var, "gene_name", &names, e)) < 0 ||
	    (types.n && (ret = move_column(&a->var, "feature_type", &types, e)) < 0))
		goto done;
	*out = a, a = NULL;
	scuot_log_debug("%s: %lld cells x %lld genes, %lld nonzeros", dir, (long long)(*out)->n_obs,
	                (long long)(*out)->n_var, (long long)(*out)->X->nnz);
done:
	scuot_stream_close(s);
	scuot_csr_free(X);
	scuot_adata_free(a);
	scuot_strv_clear(&ids), scuot_strv_clear(&names), scuot_strv_clear(&types), scuot_strv_clear(&bc);
	free(prefix), free(fmtx), free(ffeat), free(fbc);
	return ret;
}

/* ---- writing ---- */

#define WBUF ((size_t)1 << 20)
#define GZ_LEVEL 4 /* deflate level: about 3x faster than the default 6 for a few percent in size */

/* An output file written through a buffer, gzip-compressed with zlib when gz is set. */
typedef struct wfile {
	scuot_outfile *o;
	int gz, zinit;
	z_stream zs;
	unsigned char *zbuf;
	char *buf;
	size_t n;
} wfile;

static int wf_open(wfile *w, const char *path, int gz, scuot_err *e)
{
	memset(w, 0, sizeof *w);
	w->gz = gz;
	if (!(w->o = scuot_outfile_open(path, 1, e)))
		return e ? e->code : SCUOT_EIO;
	if (!(w->buf = scuot_alloc(WBUF, 1, 0, "output buffer", e)))
		return SCUOT_ENOMEM;
	if (gz) {
		if (!(w->zbuf = scuot_alloc(WBUF, 1, 0, "output buffer", e)))
			return SCUOT_ENOMEM;
		if (deflateInit2(&w->zs, GZ_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return scuot_err_set(e, SCUOT_ENOMEM, "%s: cannot initialise zlib", path);
		w->zinit = 1;
	}
	return 0;
}

static int wf_flush(wfile *w, int finish, scuot_err *e)
{
	if (!w->gz) {
		if (w->n && fwrite(w->buf, 1, w->n, w->o->fp) != w->n)
			return scuot_err_sys(e, SCUOT_EIO, "%s: write failed", w->o->path);
		w->n = 0;
		return 0;
	}
	w->zs.next_in = (unsigned char *)w->buf;
	w->zs.avail_in = (uInt)w->n;
	int zr;
	do {
		w->zs.next_out = w->zbuf;
		w->zs.avail_out = (uInt)WBUF;
		zr = deflate(&w->zs, finish ? Z_FINISH : Z_NO_FLUSH);
		if (zr == Z_STREAM_ERROR)
			return scuot_err_set(e, SCUOT_EINTERNAL, "%s: zlib deflate failed", w->o->path);
		size_t got = WBUF - w->zs.avail_out;
		if (got && fwrite(w->zbuf, 1, got, w->o->fp) != got)
			return scuot_err_sys(e, SCUOT_EIO, "%s: write failed", w->o->path);
	} while (w->zs.avail_out == 0 || (finish && zr != Z_STREAM_END));
	w->n = 0;
	return 0;
}

static inline int wf_room(wfile *w, size_t need, scuot_err *e)
{
	return w->n + need > WBUF ? wf_flush(w, 0, e) : 0;
}

static int wf_put(wfile *w, const char *s, size_t len, scuot_err *e)
{
	while (len) {
		if (w->n == WBUF && wf_flush(w, 0, e) < 0)
			return e ? e->code : SCUOT_EIO;
		size_t k = WBUF - w->n < len ? WBUF - w->n : len;
		memcpy(w->buf + w->n, s, k);
		w->n += k, s += k, len -= k;
	}
	return 0;
}

/* Finish and commit (commit != 0) or abort; frees the buffers either way. */
static int wf_close(wfile *w, int commit, scuot_err *e)
{
	int ret = 0;
	if (commit && (ret = wf_flush(w, 1, e)) < 0)
		commit = 0;
	if (w->zinit)
		deflateEnd(&w->zs);
	free(w->buf), free(w->zbuf);
	if (w->o) {
		if (commit)
			ret = scuot_outfile_commit(w->o, e);
		else
			scuot_outfile_abort(w->o);
	}
	memset(w, 0, sizeof *w);
	return ret;
}

static inline char *put_u64(char *p, uint64_t v)
{
	char t[20];
	int n = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = t[--n];
	return p;
}

/* A value exactly: integral values as integers, others with %.9g (enough to round-trip a float). */
static inline char *put_value(char *p, float v)
{
	if (v == truncf(v) && fabsf(v) < 1e18f) {
		if (v < 0)
			*p++ = '-';
		return put_u64(p, (uint64_t)fabsf(v));
	}
	return p + snprintf(p, 32, "%.9g", (double)v);
}

static int check_text(const char *dir, const char *what, int64_t r, const char *s, scuot_err *e)
{
	if (!s || !*s)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: cannot write an empty %s (row %lld)", dir, what,
		                     (long long)r + 1);
	if (strpbrk(s, "\t\r\n"))
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: %s '%s' (row %lld) contains a tab or line break, which "
		                     "the 10x format cannot hold",
		                     dir, what, s, (long long)r + 1);
	return 0;
}

static int write_matrix(wfile *w, const char *dir, const scuot_csr *X, scuot_err *e)
{
	int integral = 1;
	int64_t nnz = 0;
	for (int64_t k = 0; k < X->nnz; k++) {
		float v = X->data[k];
		if (!isfinite(v))
			return scuot_err_set(e, SCUOT_EINPUT,
			                     "%s: X holds a non-finite value; Matrix Market cannot "
			                     "store it",
			                     dir);
		nnz += v != 0;
		if (v != truncf(v) || fabsf(v) >= 1e18f)
			integral = 0;
	}
	char head[256];
	int hn =
	    snprintf(head, sizeof head, "%%%%MatrixMarket matrix coordinate %s general\n%lld %lld %lld\n",
	             integral ? "integer" : "real", (long long)X->ncol, (long long)X->nrow, (long long)nnz);
	if (wf_put(w, head, (size_t)hn, e) < 0)
		return e ? e->code : SCUOT_EIO;
	for (int64_t r = 0; r < X->nrow; r++) {
		char cell[24];
		size_t cn = (size_t)(put_u64(cell, (uint64_t)r + 1) - cell);
		for (int64_t k = X->indptr[r]; k < X->indptr[r + 1]; k++) {
			if (X->data[k] == 0)
				continue;
			if (wf_room(w, 96, e) < 0)
				return e ? e->code : SCUOT_EIO;
			char *p = w->buf + w->n;
			p = put_u64(p, (uint64_t)X->indices[k] + 1);
			*p++ = ' ';
			memcpy(p, cell, cn);
			p += cn;
			*p++ = ' ';
			p = put_value(p, X->data[k]);
			*p++ = '\n';
			w->n = (size_t)(p - w->buf);
		}
	}
	return 0;
}

static int write_features(wfile *w, const char *dir, const scuot_adata *a, scuot_err *e)
{
	int jn = scuot_df_find(&a->var, "gene_name"), jt = scuot_df_find(&a->var, "feature_type");
	char b1[64], b2[64];
	for (int64_t r = 0; r < a->n_var; r++) {
		const char *id = a->var.index[r];
		const char *nm = jn >= 0 ? scuot_col_text(&a->var.cols[jn], r, b1, sizeof b1) : id;
		const char *ty =
		    jt >= 0 ? scuot_col_text(&a->var.cols[jt], r, b2, sizeof b2) : "Gene Expression";
		if (!nm || !*nm)
			nm = id;
		if (!ty || !*ty)
			ty = "Gene Expression";
		if (check_text(dir, "feature id", r, id, e) < 0 ||
		    check_text(dir, "gene name", r, nm, e) < 0 ||
		    check_text(dir, "feature type", r, ty, e) < 0)
			return SCUOT_EINPUT;
		if (wf_put(w, id, strlen(id), e) < 0 || wf_put(w, "\t", 1, e) < 0 ||
		    wf_put(w, nm, strlen(nm), e) < 0 || wf_put(w, "\t", 1, e) < 0 ||
		    wf_put(w, ty, strlen(ty), e) < 0 || wf_put(w, "\n", 1, e) < 0)
			return e ? e->code : SCUOT_EIO;
	}
	return 0;
}

static int write_barcodes(wfile *w, const char *dir, const scuot_adata *a, scuot_err *e)
{
	for (int64_t r = 0; r < a->n_obs; r++) {
		const char *b = a->obs.index[r];
		if (check_text(dir, "barcode", r, b, e) < 0)
			return SCUOT_EINPUT;
		if (wf_put(w, b, strlen(b), e) < 0 || wf_put(w, "\n", 1, e) < 0)
			return e ? e->code : SCUOT_EIO;
	}
	return 0;
}

int scuot_mtx_write_dir(const char *dir, const scuot_adata *a, int gz, scuot_err *e)
{
	static const char *const base[3] = { "matrix.mtx", "features.tsv", "barcodes.tsv" };
	wfile w[3];
	char *path[3] = { NULL, NULL, NULL };
	scuot_csr *sorted = NULL;
	const scuot_csr *X = a->X;
	struct stat st;
	int ret = 0;

	memset(w, 0, sizeof w);
	if (!X)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: the data has no X matrix to write", dir);
	if (!a->obs.index || !a->var.index || X->nrow != a->n_obs || X->ncol != a->n_var)
		return scuot_err_set(e, SCUOT_EINTERNAL, "%s: X, obs and var do not agree in shape", dir);
	for (int64_t r = 0; r < X->nrow && !sorted; r++) /* the format wants genes in order within a cell */
		for (int64_t k = X->indptr[r] + 1; k < X->indptr[r + 1]; k++)
			if (X->indices[k] <= X->indices[k - 1]) {
				if (!(sorted = scuot_csr_dup(X, e)))
					return e ? e->code : SCUOT_ENOMEM;
				if ((ret = scuot_csr_sort_rows(sorted, e)) < 0) {
					scuot_csr_free(sorted);
					return ret;
				}
				X = sorted;
				break;
			}
	if (mkdir(dir, 0777) != 0 && (errno != EEXIST || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
		ret = errno == EEXIST ? scuot_err_set(e, SCUOT_EIO, "%s: exists and is not a directory", dir)
		                      : scuot_err_sys(e, SCUOT_EIO, "%s: cannot create directory", dir);
		goto done;
	}
	for (int f = 0; f < 3; f++) {
		size_t n = strlen(dir) + 32;
		if (!(path[f] = scuot_alloc(n, 1, 0, "file name", e))) {
			ret = SCUOT_ENOMEM;
			goto done;
		}
		snprintf(path[f], n, "%s/%s%s", dir, base[f], gz ? ".gz" : "");
		if ((ret = wf_open(&w[f], path[f], gz, e)) < 0)
			goto done;
	}
	if ((ret = write_features(&w[1], dir, a, e)) < 0 || (ret = write_barcodes(&w[2], dir, a, e)) < 0 ||
	    (ret = write_matrix(&w[0], dir, X, e)) < 0)
		goto done;
	for (int f = 0; f < 3; f++)
		if ((ret = wf_close(&w[f], 1, e)) < 0)
			goto done;
done:
	for (int f = 0; f < 3; f++) {
		wf_close(&w[f], 0, NULL);
		free(path[f]);
	}
	scuot_csr_free(sorted);
	return ret;
}
