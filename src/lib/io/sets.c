/* sets.c -- Waddington-OT's set formats .gmt, .gmx and .grp (wot.io.read_sets; see sets.h): gene sets for
 * growth priors and cell sets for selecting cells.  Files are small: all lines are read, then parsed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mat.h"
#include "io/sets.h"
#include "io/stream.h"

void scuot_sets_free(scuot_sets *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++) {
		free(s->sets[i].name);
		free(s->sets[i].desc);
		scuot_strs_free(s->sets[i].members, s->sets[i].n);
	}
	free(s->sets);
	memset(s, 0, sizeof *s);
}

const scuot_set *scuot_sets_find(const scuot_sets *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcasecmp(s->sets[i].name, name) == 0)
			return &s->sets[i];
	return NULL;
}

static const char *const format_names[] = { "auto", "gmt", "gmx", "grp" };

const char *scuot_sets_format_name(int format)
{
	return format >= SCUOT_SETS_AUTO && format <= SCUOT_SETS_GRP ? format_names[format] : "unknown";
}

/* Length of path without a trailing ".gz". */
static size_t stem_len(const char *path)
{
	size_t n = strlen(path);
	return n > 3 && strcasecmp(path + n - 3, ".gz") == 0 ? n - 3 : n;
}

int scuot_sets_format_of(const char *path)
{
	size_t n = stem_len(path);
	for (int f = SCUOT_SETS_GMT; f <= SCUOT_SETS_GRP; f++)
		if (n > 4 && path[n - 4] == '.' && strncasecmp(path + n - 3, format_names[f], 3) == 0)
			return f;
	return SCUOT_SETS_AUTO;
}

/* Split line at tabs in place into a new array of field pointers (*nf of them). */
static int split_tabs(char *line, char ***fields, int64_t *nf, scuot_err *e)
{
	int64_t n = 1;
	for (const char *c = line; *c; c++)
		n += *c == '\t';
	char **f = scuot_alloc((size_t)n, sizeof *f, 0, "set fields", e);
	if (!f)
		return e ? e->code : SCUOT_ENOMEM;
	int64_t k = 0;
	for (char *p = line;; p++) {
		f[k++] = p;
		if (!(p = strchr(p, '\t')))
			break;
		*p = 0;
	}
	*fields = f, *nf = k;
	return 0;
}

/* Field without surrounding blanks (in place). */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

/* 1 for a blank line or a comment. */
static int skip_line(const char *l)
{
	if (*l == '#')
		return 1;
	while (*l == ' ' || *l == '\t' || *l == '\r')
		l++;
	return !*l;
}

/* Start a new set (name, desc copied) at the end of out; NULL with e filled. */
static scuot_set *new_set(scuot_sets *out, const char *path, int64_t line, const char *name, const char *desc,
                          scuot_err *e)
{
	if (!*name) {
		scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: empty set name", path, (long long)line);
		return NULL;
	}
	if (scuot_sets_find(out, name)) {
		scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: set '%s' is defined twice", path,
		              (long long)line, name);
		return NULL;
	}
	if (out->n == out->m) {
		int nm = out->m ? 2 * out->m : 16;
		scuot_set *t = scuot_realloc(out->sets, (size_t)nm, sizeof *t, "sets", e);
		if (!t)
			return NULL;
		out->sets = t, out->m = nm;
	}
	scuot_set *s = &out->sets[out->n++];
	memset(s, 0, sizeof *s);
	if (!(s->name = scuot_strdup(name, e)) || !(s->desc = scuot_strdup(desc, e)))
		return NULL;
	return s;
}

/* Move the members collected in v into s. */
static void take_members(scuot_set *s, scuot_strv *v)
{
	s->members = scuot_strv_release(v, &s->n);
}

static int parse_gmt(const char *path, scuot_strv *lines, scuot_sets *out, scuot_err *e)
{
	scuot_strv v = { 0 };
	char **f = NULL;
	int64_t nf = 0;
	int ret = 0;
	for (int64_t l = 0; l < lines->n && !ret; l++) {
		char *line = lines->a[l];
		if (skip_line(line))
			continue;
		free(f), f = NULL;
		if ((ret = split_tabs(line, &f, &nf, e)))
			break;
		if (nf < 3) {
			ret = scuot_err_set(
			        e, SCUOT_EINPUT,
			        "%s: line %lld: a .gmt line needs a set name, a description and at least "
			        "one member, separated by tabs",
			        path, (long long)l + 1);
			break;
		}
		scuot_set *s = new_set(out, path, l + 1, trim(f[0]), f[1], e);
		if (!s) {
			ret = e ? e->code : SCUOT_ENOMEM;
			break;
		}
		for (int64_t k = 2; k < nf && !ret; k++)
			if (*trim(f[k]))
				ret = scuot_strv_push(&v, trim(f[k]), -1, e);
		if (!ret && v.n == 0)
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: set '%s' has no members", path,
			                    (long long)l + 1, s->name);
		take_members(s, &v);
	}
	free(f);
	scuot_strv_clear(&v);
	return ret;
}

static int parse_gmx(const char *path, scuot_strv *lines, scuot_sets *out, scuot_err *e)
{
	scuot_strv *col = NULL;
	char **names = NULL, **descs = NULL, **f = NULL;
	int64_t nn = 0, nd = 0, nf = 0, first = -1;
	int ret = 0;
	for (int64_t l = 0; l < lines->n && first < 0; l++)
		if (!skip_line(lines->a[l]))
			first = l;
	if (first < 0)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: no sets in the file", path);
	if ((ret = split_tabs(lines->a[first], &names, &nn, e)))
		return ret;
	while (nn > 0 && !*trim(names[nn - 1])) /* trailing tabs */
		nn--;
	if (first + 1 < lines->n && (ret = split_tabs(lines->a[first + 1], &descs, &nd, e)))
		goto done;
	if (!(col = scuot_alloc((size_t)(nn ? nn : 1), sizeof *col, 1, "gmx columns", e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int64_t l = first + 2; l < lines->n && !ret; l++) {
		free(f), f = NULL;
		if ((ret = split_tabs(lines->a[l], &f, &nf, e)))
			break;
		for (int64_t k = 0; k < nf && !ret; k++) {
			char *m = trim(f[k]);
			if (!*m)
				continue;
			if (k >= nn)
				ret = scuot_err_set(
				        e, SCUOT_EINPUT,
				        "%s: line %lld: member '%s' in column %lld, beyond the %lld set "
				        "names of line %lld",
				        path, (long long)l + 1, m, (long long)k + 1, (long long)nn,
				        (long long)first + 1);
			else
				ret = scuot_strv_push(&col[k], m, -1, e);
		}
	}
	for (int64_t k = 0; k < nn && !ret; k++) {
		scuot_set *s = new_set(out, path, first + 1, trim(names[k]), k < nd ? trim(descs[k]) : "", e);
		if (!s)
			ret = e ? e->code : SCUOT_ENOMEM;
		else if (col[k].n == 0)
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: column %lld: set '%s' has no members", path,
			                    (long long)k + 1, s->name);
		else
			take_members(s, &col[k]);
	}
	if (!ret && out->n == 0)
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no sets in the file", path);
done:
	for (int64_t k = 0; col && k < nn; k++)
		scuot_strv_clear(&col[k]);
	free(col);
	free(names);
	free(descs);
	free(f);
	return ret;
}

static int parse_grp(const char *path, scuot_strv *lines, scuot_sets *out, scuot_err *e)
{
	scuot_strv v = { 0 };
	int ret = 0;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = stem_len(base);
	for (size_t k = n; k > 1; k--) /* drop the extension, not a leading dot */
		if (base[k - 1] == '.') {
			n = k - 1;
			break;
		}
	char *name = scuot_alloc(n + 1, 1, 1, "set name", e);
	if (!name)
		return e ? e->code : SCUOT_ENOMEM;
	memcpy(name, base, n);
	for (int64_t l = 0; l < lines->n && !ret; l++)
		if (!skip_line(lines->a[l]))
			ret = scuot_strv_push(&v, trim(lines->a[l]), -1, e);
	if (!ret && v.n == 0)
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no members (a .grp file lists one per line)", path);
	if (!ret) {
		scuot_set *s = new_set(out, path, 1, name, "", e);
		if (!s)
			ret = e ? e->code : SCUOT_ENOMEM;
		else
			take_members(s, &v);
	}
	scuot_strv_clear(&v);
	free(name);
	return ret;
}

/* Format of a file whose name says nothing, from its lines (see sets.h). */
static int sniff(const scuot_strv *lines)
{
	int64_t first = -1, second = -1, tabs = 0, nf1 = 0, nf2 = 0, uneven = 0, more = 0;
	for (int64_t l = 0; l < lines->n; l++) {
		const char *s = lines->a[l];
		int64_t nf = 1, empty = 0;
		if (!*s || *s == '#')
			continue;
		for (const char *c = s; *c; c++)
			if (*c == '\t') {
				nf++, tabs++;
				empty += c == s || c[1] == '\t' || c[1] == 0;
			}
		if (first < 0) {
			first = l, nf1 = nf;
		} else if (second < 0) {
			second = l, nf2 = nf;
		} else {
			uneven |= nf < nf1 || empty;
			more |= nf > nf1;
		}
	}
	if (!tabs)
		return SCUOT_SETS_GRP;
	return nf1 == nf2 && uneven && !more ? SCUOT_SETS_GMX : SCUOT_SETS_GMT;
}

int scuot_sets_read(const char *path, int format, scuot_sets *out, scuot_err *e)
{
	scuot_strv lines = { 0 };
	scuot_stream *s = NULL;
	char *line;
	size_t len;
	int r, ret = 0;
	memset(out, 0, sizeof *out);
	if (!(s = scuot_stream_open(path, e)))
		return e ? e->code : SCUOT_EINPUT;
	while ((r = scuot_stream_getline(s, &line, &len, e)) == 1)
		if ((ret = scuot_strv_push(&lines, line, (int64_t)len, e)))
			goto done;
	if (r < 0) {
		ret = r;
		goto done;
	}
	if (format == SCUOT_SETS_AUTO && (format = scuot_sets_format_of(path)) == SCUOT_SETS_AUTO)
		format = sniff(&lines);
	switch (format) {
	case SCUOT_SETS_GMT: ret = parse_gmt(path, &lines, out, e); break;
	case SCUOT_SETS_GMX: ret = parse_gmx(path, &lines, out, e); break;
	case SCUOT_SETS_GRP: ret = parse_grp(path, &lines, out, e); break;
	default: ret = scuot_err_set(e, SCUOT_EUSAGE, "%s: unknown set format %d", path, format);
	}
	if (!ret && out->n == 0)
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no sets in the file", path);
	out->format = format;
done:
	scuot_stream_close(s);
	scuot_strv_clear(&lines);
	if (ret)
		scuot_sets_free(out);
	return ret;
}
