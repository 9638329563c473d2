/* arrays.c -- small HDF5 files of named double matrices and labels (arrays.h): written atomically, read back
 * with every shape and value checked. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "core/mat.h"
#include "io/arrays.h"
#include "io/h5util_internal.h"

static int name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.' || *s == '-'))
			return 0;
	return 1;
}

int scuot_arrays_add(scuot_arrays *s, const char *name, int64_t r, int64_t c, const double *v, scuot_err *e)
{
	if (!name_ok(name) || scuot_arrays_find(s, name) || r < 1 || c < 1)
		return scuot_err_set(e, SCUOT_EINTERNAL, "array '%s' (%lld x %lld): bad or repeated name or shape", name,
		                     (long long)r, (long long)c);
	if (s->n == s->m) {
		int m = s->m ? 2 * s->m : 16;
		scuot_array *a = realloc(s->a, sizeof(*a) * (size_t)m);
		if (!a)
			return scuot_err_set(e, SCUOT_ENOMEM, "out of memory for array '%s'", name);
		s->a = a, s->m = m;
	}
	scuot_array *a = &s->a[s->n];
	if (!(a->name = strdup(name)) ||
	    !(a->v = scuot_alloc((size_t)(r * c), sizeof(double), 0, "a model array", e))) {
		free(a->name);
		return e->code ? e->code : scuot_err_set(e, SCUOT_ENOMEM, "out of memory for array '%s'", name);
	}
	memcpy(a->v, v, sizeof(double) * (size_t)(r * c));
	a->r = r, a->c = c;
	s->n++;
	return 0;
}

int scuot_arrays_add_scalar(scuot_arrays *s, const char *name, double v, scuot_err *e)
{
	return scuot_arrays_add(s, name, 1, 1, &v, e);
}

int scuot_arrays_set_labels(scuot_arrays *s, char *const *labels, int64_t n, scuot_err *e)
{
	scuot_strs_free(s->labels, s->nlabels);
	s->labels = NULL, s->nlabels = 0;
	if (n <= 0)
		return 0;
	if (!(s->labels = calloc((size_t)n, sizeof(char *))))
		return scuot_err_set(e, SCUOT_ENOMEM, "out of memory for %lld labels", (long long)n);
	s->nlabels = n;
	for (int64_t i = 0; i < n; i++)
		if (!(s->labels[i] = strdup(labels[i] ? labels[i] : "")))
			return scuot_err_set(e, SCUOT_ENOMEM, "out of memory for %lld labels", (long long)n);
	return 0;
}

const scuot_array *scuot_arrays_find(const scuot_arrays *s, const char *name)
{
	for (int k = 0; k < s->n; k++)
		if (!strcmp(s->a[k].name, name))
			return &s->a[k];
	return NULL;
}

int scuot_arrays_get(const scuot_arrays *s, const char *path, const char *name, int64_t r, int64_t c,
                     const scuot_array **out, scuot_err *e)
{
	const scuot_array *a = scuot_arrays_find(s, name);
	if (!a)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: no array /arrays/%s", path, name);
	if ((r >= 0 && a->r != r) || (c >= 0 && a->c != c))
		return scuot_err_set(e, SCUOT_EINPUT, "%s: /arrays/%s is %lld x %lld, expected %lld x %lld", path, name,
		                     (long long)a->r, (long long)a->c, (long long)(r >= 0 ? r : a->r),
		                     (long long)(c >= 0 ? c : a->c));
	for (int64_t i = 0; i < a->r * a->c; i++)
		if (!isfinite(a->v[i]))
			return scuot_err_set(e, SCUOT_EINPUT, "%s: /arrays/%s holds %g at entry %lld", path, name, a->v[i],
			                     (long long)i);
	*out = a;
	return 0;
}

int scuot_arrays_scalar(const scuot_arrays *s, const char *path, const char *name, double lo, double hi,
                        int integer, double *out, scuot_err *e)
{
	const scuot_array *a;
	int ret = scuot_arrays_get(s, path, name, 1, 1, &a, e);
	if (ret)
		return ret;
	if (!(a->v[0] >= lo && a->v[0] <= hi) || (integer && a->v[0] != floor(a->v[0])))
		return scuot_err_set(e, SCUOT_EINPUT, "%s: /arrays/%s = %g is not %s in [%g, %g]", path, name, a->v[0],
		                     integer ? "an integer" : "a number", lo, hi);
	*out = a->v[0];
	return 0;
}

typedef struct {
	const char *kind;
	int version;
	const scuot_arrays *s;
} wctx;

static int write_body(hid_t f, const void *vctx, scuot_err *e)
{
	const wctx *w = vctx;
	int64_t ver = w->version;
	hid_t g = -1;
	int ret;
	if ((ret = scuot_h5_attr_set_str(f, "format", w->kind, e)) ||
	    (ret = scuot_h5_attr_set_i64s(f, "format_version", &ver, 1, e)))
		return ret;
	if ((g = scuot_h5_group(f, "arrays", 0, e)) < 0)
		return (int)g;
	for (int k = 0; k < w->s->n && !ret; k++) {
		const scuot_array *a = &w->s->a[k];
		int64_t dims[2] = { a->r, a->c };
		ret = scuot_h5_write(g, a->name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, dims, a->v, NULL, NULL, e);
	}
	scuot_h5_close(g);
	if (!ret && w->s->nlabels > 0)
		ret = scuot_h5_write_strs(f, "labels", w->s->labels, w->s->nlabels, 1, NULL, NULL, e);
	return ret;
}

int scuot_arrays_write(const char *path, const char *kind, int version, const scuot_arrays *s, scuot_err *e)
{
	wctx w = { kind, version, s };
	scuot_h5_quiet();
	return scuot_h5_write_file(path, write_body, &w, e);
}

static int read_body(hid_t f, const char *path, const char *kind, int version, const char *what_writes,
                     scuot_arrays *s, scuot_err *e)
{
	char *fmt = NULL, **names = NULL;
	int64_t ver[1] = { 0 }, nn = 0;
	int nver = 0, ret;
	hid_t g = -1;
	if ((ret = scuot_h5_attr_str(f, "format", &fmt, e)))
		return ret;
	if (!fmt || strcmp(fmt, kind)) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: not a %s file (its root attribute format is %s%s%s); give a "
		                    "file written by %s", path, kind, fmt ? "\"" : "", fmt ? fmt : "absent",
		                    fmt ? "\"" : "", what_writes);
		free(fmt);
		return ret;
	}
	free(fmt);
	if ((ret = scuot_h5_attr_i64s(f, "format_version", ver, 1, &nver, e)))
		return ret;
	if (nver != 1 || ver[0] != version)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: %s format version %lld, this scuot reads version %d; "
		                     "rewrite it with %s of this version", path, kind, nver ? (long long)ver[0] : -1LL,
		                     version, what_writes);
	if ((g = scuot_h5_gopen(f, "arrays", e)) < 0)
		return (int)g;
	if ((ret = scuot_h5_list(g, &names, &nn, e)))
		goto done;
	for (int64_t k = 0; k < nn; k++) {
		scuot_mat *m = NULL;
		hid_t d = scuot_h5_dopen(g, names[k], e);
		int rank;
		int64_t dims[SCUOT_H5_MAXRANK];
		if (d < 0) {
			ret = (int)d;
			goto done;
		}
		if (!(ret = scuot_h5_shape(d, &rank, dims, e)) && (rank != 2 || scuot_h5_kind(d) != SCUOT_H5_FLOAT))
			ret = scuot_h5_err(e, SCUOT_EINPUT, g, names[k], "is not a 2-D float array");
		if (!ret)
			ret = scuot_h5_read_mat(d, &m, e);
		scuot_h5_close(d);
		if (!ret && (m->nrow < 1 || m->ncol < 1))
			ret = scuot_h5_err(e, SCUOT_EINPUT, g, names[k], "is empty");
		if (!ret && (ret = scuot_arrays_add(s, names[k], m->nrow, m->ncol, m->data, e)) == SCUOT_EINTERNAL)
			ret = scuot_h5_err(e, SCUOT_EINPUT, g, names[k], "is not a valid array name");
		scuot_mat_free(m);
		if (ret)
			goto done;
	}
	if (scuot_h5_exists(f, "labels")) {
		hid_t d = scuot_h5_dopen(f, "labels", e);
		if (d < 0) {
			ret = (int)d;
			goto done;
		}
		ret = scuot_h5_read_strs(d, &s->labels, &s->nlabels, e);
		scuot_h5_close(d);
	}
done:
	scuot_strs_free(names, nn);
	scuot_h5_close(g);
	return ret;
}

int scuot_arrays_read(const char *path, const char *kind, int version, const char *what_writes, scuot_arrays *out,
                      scuot_err *e)
{
	scuot_arrays s = { 0 };
	scuot_h5_quiet();
	hid_t f = scuot_h5_open(path, e);
	if (f < 0)
		return (int)f;
	int ret = read_body(f, path, kind, version, what_writes, &s, e);
	scuot_h5_close(f);
	if (ret) {
		scuot_arrays_clear(&s);
		return ret;
	}
	*out = s;
	return 0;
}

void scuot_arrays_clear(scuot_arrays *s)
{
	if (!s)
		return;
	for (int k = 0; k < s->n; k++)
		free(s->a[k].name), free(s->a[k].v);
	free(s->a);
	scuot_strs_free(s->labels, s->nlabels);
	memset(s, 0, sizeof(*s));
}
