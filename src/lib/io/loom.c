/* loom.c -- loom files (loompy format specification 3.0.0 and earlier): /matrix or /layers/NAME (genes x
 * cells), col_attrs, row_attrs and global attributes, read into cells x genes CSR with obs, var, obsm, varm
 * and uns.
 *
 * Mapping (FORMATS-REFERENCE section 6):
 *   obs index   col_attrs/CellID, else col_attrs/obs_names, else "0".."M-1"
 *   var index   row_attrs/Accession when present (then row_attrs/Gene becomes the var column gene_name),
 *               else row_attrs/Gene, else row_attrs/var_names, else "0".."N-1"
 *   other 1-D attributes of length M (N) -> obs (var) columns; 2-D numeric ones -> obsm (varm) entries
 *   /attrs/NAME datasets (3.0) and root HDF5 attributes (before 3.0) -> uns entries
 * Strings may be vlen UTF-8 (3.0) or fixed-length ASCII with XML character references (before 3.0, decoded
 * as loompy does with html.unescape).  The dense matrix is read in blocks of genes, twice: once to count the
 * nonzeros of each cell, once to fill the CSR, so memory stays at the result plus one block. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "io/h5util_internal.h"
#include "io/loom.h"

#define MEM_LABEL "(in-memory loom)"
#define BLOCK_DOUBLES ((int64_t)1 << 19) /* 4 MiB of doubles per block of genes */

/* UTF-8 encoding of code point cp at w; returns the end. */
static char *put_utf8(char *w, unsigned long cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xC0 | cp >> 6);
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xE0 | cp >> 12);
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*w++ = (char)(0xF0 | cp >> 18);
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	}
	return w;
}

/* Decode XML character references (&#NNN; &#xHH;) and the five named entities in place; a reference is
 * never shorter than its UTF-8 encoding. */
static void unescape(char *s)
{
	static const struct {
		const char *name;
		char c;
	} named[] = { { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' }, { "apos;", '\'' } };
	char *w = s, *r = s;
	while (*r) {
		if (*r == '&') {
			unsigned long cp = 0;
			int len = 0;
			if (r[1] == '#') {
				int hex = r[2] == 'x' || r[2] == 'X';
				char *end;
				const char *p = r + 2 + hex;
				if ((hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)) != 0) {
					cp = strtoul(p, &end, hex ? 16 : 10);
					if (*end == ';' && cp > 0 && cp <= 0x10FFFF &&
					    (cp < 0xD800 || cp > 0xDFFF))
						len = (int)(end + 1 - r);
				}
			} else {
				for (size_t k = 0; k < sizeof named / sizeof *named; k++)
					if (strncmp(r + 1, named[k].name, strlen(named[k].name)) == 0) {
						cp = (unsigned char)named[k].c;
						len = 1 + (int)strlen(named[k].name);
					}
			}
			if (len) {
				w = put_utf8(w, cp);
				r += len;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = 0;
}

static void unescape_all(char **s, int64_t n, int legacy)
{
	if (legacy)
		for (int64_t i = 0; i < n; i++)
			unescape(s[i]);
}

static void warn_skip(hid_t loc, const char *name, const char *why)
{
	char file[512], path[512];
	scuot_log_warning("%s: %s: %s; skipped", scuot_h5_file(loc, file, sizeof file),
	                  scuot_h5_path(loc, name, path, sizeof path), why);
}

/* The genes x cells dataset d (ng x nc) as a cells x genes CSR. */
static int read_transposed(hid_t d, int64_t ng, int64_t nc, scuot_csr **out, scuot_err *e)
{
	int64_t rows, *next = NULL;
	double *blk = NULL;
	scuot_csr *X = NULL;
	int kind = scuot_h5_kind(d), ret = 0;
	*out = NULL;
	if (kind != SCUOT_H5_INT && kind != SCUOT_H5_FLOAT)
		return scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "expected numbers (integers or floats)");
	if (ng > INT32_MAX)
		return scuot_h5_err(e, SCUOT_ELIMIT, d, NULL, "%lld genes exceed 32-bit column indices",
		                    (long long)ng);
	rows = nc ? BLOCK_DOUBLES / nc : ng;
	if (rows >= 64)
		rows -= rows % 64; /* whole loompy chunks (64 x 64) */
	if (rows < 1)
		rows = 1;
	if (rows > ng)
		rows = ng;
	if (!(blk = scuot_alloc((size_t)(rows * nc), sizeof *blk, 0, "matrix block", e)) ||
	    !(next = scuot_alloc((size_t)nc + 1, sizeof *next, 1, "cell counts", e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (int64_t g0 = 0; g0 < ng; g0 += rows) {
			int64_t cnt = ng - g0 < rows ? ng - g0 : rows;
			if ((ret = scuot_h5_read_slab(d, H5T_NATIVE_DOUBLE, g0, cnt, blk, e)))
				goto done;
			for (int64_t i = 0; i < cnt; i++) {
				const double *row = blk + i * nc;
				for (int64_t j = 0; j < nc; j++) {
					double v = row[j];
					if (v == 0)
						continue;
					if (pass == 0) {
						const char *why = scuot_h5_bad_value(v, 1);
						if (why) {
							ret = scuot_h5_err(
							    e, SCUOT_EINPUT, d, NULL,
							    "gene %lld, cell %lld: value %g is %s",
							    (long long)(g0 + i), (long long)j, v, why);
							goto done;
						}
						next[j]++;
						continue;
					}
					int64_t p = next[j]++;
					if (p >= X->indptr[j + 1]) {
						ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
						                   "values changed between two reads");
						goto done;
					}
					X->indices[p] = (int32_t)(g0 + i);
					X->data[p] = (float)v;
				}
			}
		}
		if (pass == 0) {
			int64_t nnz = 0;
			for (int64_t j = 0; j < nc; j++)
				nnz += next[j];
			if (!(X = scuot_csr_new(nc, ng, nnz, e))) {
				ret = e ? e->code : SCUOT_ENOMEM;
				goto done;
			}
			for (int64_t j = 0; j < nc; j++) {
				X->indptr[j + 1] = X->indptr[j] + next[j];
				next[j] = X->indptr[j];
			}
		}
	}
	*out = X, X = NULL;
done:
	free(blk);
	free(next);
	scuot_csr_free(X);
	return ret;
}

/* Labels "0".."n-1". */
static int number_labels(int64_t n, char ***out, scuot_err *e)
{
	char buf[32], **a = scuot_alloc((size_t)n, sizeof *a, 1, "labels", e);
	*out = NULL;
	if (!a)
		return e ? e->code : SCUOT_ENOMEM;
	for (int64_t i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "%lld", (long long)i);
		if (!(a[i] = scuot_strdup(buf, e))) {
			scuot_strs_free(a, n);
			return e ? e->code : SCUOT_ENOMEM;
		}
	}
	*out = a;
	return 0;
}

/* A 1-D attribute of n values as column name of df. */
static int add_column(scuot_df *df, hid_t d, const char *name, int legacy, scuot_err *e)
{
	char **s = NULL;
	int64_t ns = 0;
	scuot_col *c;
	int ret;
	switch (scuot_h5_kind(d)) {
	case SCUOT_H5_STR:
		if ((ret = scuot_h5_read_strs(d, &s, &ns, e)))
			return ret;
		unescape_all(s, ns, legacy);
		if (!(c = scuot_df_add(df, name, SCUOT_COL_STRING, e))) {
			scuot_strs_free(s, ns);
			return e ? e->code : SCUOT_ENOMEM;
		}
		free(c->s);
		c->s = s;
		return 0;
	case SCUOT_H5_INT:
		if (!(c = scuot_df_add(df, name, SCUOT_COL_INT, e)))
			return e ? e->code : SCUOT_ENOMEM;
		return scuot_h5_read_slab(d, H5T_NATIVE_INT64, 0, df->n, c->i, e);
	case SCUOT_H5_FLOAT:
		if (!(c = scuot_df_add(df, name, SCUOT_COL_FLOAT, e)))
			return e ? e->code : SCUOT_ENOMEM;
		return scuot_h5_read_slab(d, H5T_NATIVE_DOUBLE, 0, df->n, c->f, e);
	case SCUOT_H5_BOOL:
		if (!(c = scuot_df_add(df, name, SCUOT_COL_BOOL, e)))
			return e ? e->code : SCUOT_ENOMEM;
		return scuot_h5_read_bool_into(d, c->b, df->n, e);
	}
	warn_skip(d, NULL, "values are neither numbers nor strings");
	return 0;
}

/* Length of the 1-D dataset name under g, or -1 if it is absent or not 1-D. */
static int64_t attr_len(hid_t g, const char *name)
{
	int64_t dims[SCUOT_H5_MAXRANK];
	int rank;
	hid_t d;
	if (g < 0 || scuot_h5_objtype(g, name) != H5I_DATASET || (d = H5Dopen2(g, name, H5P_DEFAULT)) < 0)
		return -1;
	int bad = scuot_h5_shape(d, &rank, dims, NULL) || rank != 1;
	H5Dclose(d);
	return bad ? -1 : dims[0];
}

/* col_attrs (rows = 0, n cells) or row_attrs (rows = 1, n genes) into obs or var and obsm or varm. */
static int read_attrs(hid_t f, int rows, int64_t n, int legacy, scuot_adata *a, scuot_err *e)
{
	static const char *const cand[2][3] = { { "CellID", "obs_names", NULL },
		                                { "Accession", "Gene", "var_names" } };
	const char *gname = rows ? "row_attrs" : "col_attrs", *index = NULL;
	scuot_df *df = rows ? &a->var : &a->obs;
	char **names = NULL, **labels = NULL, why[256];
	int64_t nn = 0, nl = 0, dims[SCUOT_H5_MAXRANK];
	hid_t g = -1, d = -1;
	int ret = 0, rank;
	if (scuot_h5_exists(f, gname) && (g = scuot_h5_gopen(f, gname, e)) < 0)
		return (int)g;
	for (int k = 0; k < 3 && !index; k++)
		if (cand[rows][k] && attr_len(g, cand[rows][k]) == n)
			index = cand[rows][k];
	if (index) {
		if ((d = scuot_h5_dopen(g, index, e)) < 0 || (ret = scuot_h5_read_text(d, &labels, &nl, e))) {
			ret = e ? e->code : SCUOT_EINPUT;
			goto done;
		}
		unescape_all(labels, nl, legacy);
		scuot_h5_close(d), d = -1;
	} else if ((ret = number_labels(n, &labels, e))) {
		goto done;
	}
	if ((ret = scuot_df_set_index(df, labels, n, e)))
		goto done;
	labels = NULL;
	if (g < 0)
		goto done;
	if ((ret = scuot_h5_list(g, &names, &nn, e)))
		goto done;
	for (int64_t k = 0; k < nn && !ret; k++) {
		const char *col = names[k];
		if (index && strcmp(col, index) == 0)
			continue;
		if (scuot_h5_objtype(g, col) != H5I_DATASET) {
			warn_skip(g, col, "not a dataset");
			continue;
		}
		if ((d = scuot_h5_dopen(g, col, e)) < 0 || (ret = scuot_h5_shape(d, &rank, dims, e))) {
			ret = e ? e->code : SCUOT_EINPUT;
			break;
		}
		if (rows && index && strcmp(index, "Accession") == 0 && strcmp(col, "Gene") == 0)
			col = "gene_name";
		if (rank == 1 && dims[0] == n) {
			ret = add_column(df, d, col, legacy, e);
		} else if (rank == 2 && dims[0] == n &&
		           (scuot_h5_kind(d) == SCUOT_H5_INT || scuot_h5_kind(d) == SCUOT_H5_FLOAT)) {
			scuot_mat *m = NULL;
			if (!(ret = scuot_h5_read_mat(d, &m, e))) {
				if (rows) {
					scuot_named_mat *t = scuot_realloc(a->varm, (size_t)a->n_varm + 1,
					                                   sizeof *t, "varm", e);
					char *key = t ? scuot_strdup(col, e) : NULL;
					if (t)
						a->varm = t;
					if (!key) {
						ret = e ? e->code : SCUOT_ENOMEM;
						scuot_mat_free(m);
					} else {
						a->varm[a->n_varm].key = key;
						a->varm[a->n_varm++].m = m;
					}
				} else if ((ret = scuot_adata_set_obsm(a, col, m, e))) {
					scuot_mat_free(m);
				}
			}
		} else {
			snprintf(why, sizeof why, "%d dimensions, first of length %lld; expected %lld values",
			         rank, (long long)(rank ? dims[0] : 0), (long long)n);
			warn_skip(g, col, why);
		}
		scuot_h5_close(d), d = -1;
	}
done:
	scuot_strs_free(names, nn);
	scuot_strs_free(labels, nl);
	scuot_h5_close(d);
	scuot_h5_close(g);
	return ret;
}

/* One global attribute (dataset under /attrs) as an uns entry. */
static int read_global_dataset(hid_t g, const char *key, int legacy, scuot_uns *uns, scuot_err *e)
{
	int64_t dims[SCUOT_H5_MAXRANK], n = 0;
	char **s = NULL;
	double *v = NULL;
	int rank, ret, kind;
	scuot_uns *u;
	hid_t d = scuot_h5_dopen(g, key, e);
	if (d < 0)
		return (int)d;
	if ((ret = scuot_h5_shape(d, &rank, dims, e)))
		goto done;
	kind = scuot_h5_kind(d);
	if (kind == SCUOT_H5_STR && rank <= 1) {
		if ((ret = scuot_h5_read_strs(d, &s, &n, e)))
			goto done;
		unescape_all(s, n, legacy);
		if (!(u = scuot_uns_add(uns, key, rank ? SCUOT_UNS_STRARRAY : SCUOT_UNS_STR, e))) {
			ret = e ? e->code : SCUOT_ENOMEM;
		} else if (rank) {
			u->strs = s, u->nstr = n, s = NULL, n = 0;
		} else {
			u->str = s[0], s[0] = NULL;
		}
	} else if (kind == SCUOT_H5_INT || kind == SCUOT_H5_FLOAT || kind == SCUOT_H5_BOOL) {
		int64_t nv;
		if ((ret = scuot_h5_read_f64(d, &v, &nv, e)))
			goto done;
		if (!(u = scuot_uns_add(uns, key, rank ? SCUOT_UNS_ARRAY : SCUOT_UNS_NUM, e))) {
			ret = e ? e->code : SCUOT_ENOMEM;
			goto done;
		}
		u->is_int = kind != SCUOT_H5_FLOAT;
		if (rank) {
			u->ndim = rank;
			memcpy(u->dims, dims, (size_t)rank * sizeof *dims);
			u->arr = v, v = NULL;
		} else {
			u->num = v[0];
		}
	} else {
		warn_skip(g, key, "neither numbers nor strings");
	}
done:
	free(v);
	scuot_strs_free(s, n);
	H5Dclose(d);
	return ret;
}

static herr_t collect_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
	return scuot_strv_push(data, name, -1, NULL) ? -1 : 0;
}

/* Root HDF5 attributes (loom < 3.0) as uns entries: strings and numbers. */
static int read_root_attrs(hid_t f, int legacy, scuot_uns *uns, scuot_err *e)
{
	scuot_strv names = { 0 };
	int ret = 0;
	if (H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_attr, &names) < 0) {
		scuot_strv_clear(&names);
		return scuot_h5_errh(e, SCUOT_EINPUT, f, NULL, "cannot list the root attributes");
	}
	for (int64_t k = 0; k < names.n && !ret; k++) {
		const char *key = names.a[k];
		hid_t a = -1, t = -1, sp = -1;
		int64_t cnt = 1;
		int rank = 0, kind;
		scuot_uns *u;
		if (!*key || strchr(key, '/'))
			continue;
		if ((a = H5Aopen(f, key, H5P_DEFAULT)) < 0 || (t = H5Aget_type(a)) < 0 ||
		    (sp = H5Aget_space(a)) < 0) {
			ret = scuot_h5_errh(e, SCUOT_EINPUT, f, NULL, "cannot read attribute %s", key);
		} else if (H5Sget_simple_extent_type(sp) != H5S_SIMPLE &&
		           H5Sget_simple_extent_type(sp) != H5S_SCALAR) {
			warn_skip(f, key, "attribute without a value");
		} else if ((rank = H5Sget_simple_extent_ndims(sp)) > 1) {
			warn_skip(f, key, "attribute of more than one dimension");
		} else if ((kind = scuot_h5_type_kind(t)) == SCUOT_H5_STR) {
			char **s = NULL;
			int64_t n = 0;
			if (!(ret = scuot_h5_attr_strs(f, key, &s, &n, e))) {
				unescape_all(s, n, legacy);
				if (!(u = scuot_uns_add(uns, key, rank ? SCUOT_UNS_STRARRAY : SCUOT_UNS_STR,
				                        e)))
					ret = e ? e->code : SCUOT_ENOMEM;
				else if (rank)
					u->strs = s, u->nstr = n, s = NULL, n = 0;
				else
					u->str = s[0], s[0] = NULL;
			}
			scuot_strs_free(s, n);
		} else if (kind == SCUOT_H5_INT || kind == SCUOT_H5_FLOAT) {
			hsize_t hd[1] = { 1 };
			if (rank == 1)
				H5Sget_simple_extent_dims(sp, hd, NULL);
			cnt = (int64_t)hd[0];
			double *v = scuot_alloc((size_t)cnt, sizeof *v, 0, "attribute values", e);
			if (!v)
				ret = e ? e->code : SCUOT_ENOMEM;
			else if (cnt && H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0)
				ret =
				    scuot_h5_errh(e, SCUOT_EINPUT, f, NULL, "cannot read attribute %s", key);
			else if (!(u = scuot_uns_add(uns, key, rank ? SCUOT_UNS_ARRAY : SCUOT_UNS_NUM, e)))
				ret = e ? e->code : SCUOT_ENOMEM;
			else {
				u->is_int = kind == SCUOT_H5_INT;
				if (rank)
					u->ndim = 1, u->dims[0] = cnt, u->arr = v, v = NULL;
				else
					u->num = v[0];
			}
			free(v);
		} else {
			warn_skip(f, key, "attribute is neither numbers nor strings");
		}
		scuot_h5_close(sp);
		scuot_h5_close(t);
		scuot_h5_close(a);
	}
	scuot_strv_clear(&names);
	return ret;
}

static int read_globals(hid_t f, int legacy, scuot_uns *uns, scuot_err *e)
{
	char **keys = NULL;
	int64_t nk = 0;
	hid_t g;
	int ret = 0;
	if (scuot_h5_objtype(f, "attrs") == H5I_GROUP) {
		if ((g = scuot_h5_gopen(f, "attrs", e)) < 0)
			return (int)g;
		ret = scuot_h5_list(g, &keys, &nk, e);
		for (int64_t k = 0; k < nk && !ret; k++) {
			if (scuot_h5_objtype(g, keys[k]) == H5I_DATASET)
				ret = read_global_dataset(g, keys[k], legacy, uns, e);
			else
				warn_skip(g, keys[k], "not a dataset");
		}
		scuot_strs_free(keys, nk);
		H5Gclose(g);
	}
	return ret ? ret : read_root_attrs(f, legacy, uns, e);
}

/* Spec version of the file: /attrs/LOOM_SPEC_VERSION (3.0) or the root attribute of that name; 0 if absent.
 */
static int spec_major(hid_t f)
{
	char **s = NULL, *v = NULL;
	int64_t n = 0;
	int major = 0;
	if (scuot_h5_objtype(f, "attrs/LOOM_SPEC_VERSION") == H5I_DATASET) {
		hid_t d = H5Dopen2(f, "attrs/LOOM_SPEC_VERSION", H5P_DEFAULT);
		if (d >= 0 && scuot_h5_read_strs(d, &s, &n, NULL) == 0 && n == 1)
			major = atoi(s[0]);
		scuot_h5_close(d);
		scuot_strs_free(s, n);
	} else if (scuot_h5_attr_str(f, "LOOM_SPEC_VERSION", &v, NULL) == 0 && v) {
		major = atoi(v);
	}
	free(v);
	return major;
}

static int read_file(hid_t f, const char *layer, scuot_adata **out, scuot_err *e)
{
	char path[1024], file[512], **names = NULL, list[512] = "";
	int64_t dims[SCUOT_H5_MAXRANK], mdims[SCUOT_H5_MAXRANK], nn = 0;
	hid_t d = -1, m = -1, lg = -1;
	scuot_adata *a = NULL;
	scuot_csr *X = NULL;
	int ret, rank, legacy;
	*out = NULL;
	if (scuot_h5_objtype(f, "matrix") != H5I_DATASET)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: not a loom file: expected a /matrix dataset (genes x cells)",
		                     scuot_h5_file(f, file, sizeof file));
	legacy = spec_major(f) < 3;
	if ((m = scuot_h5_dopen(f, "matrix", e)) < 0)
		return (int)m;
	if ((ret = scuot_h5_shape(m, &rank, mdims, e)))
		goto done;
	if (rank != 2) {
		ret =
		    scuot_h5_err(e, SCUOT_EINPUT, m, NULL, "has %d dimensions, expected genes x cells", rank);
		goto done;
	}
	if (layer && *layer) {
		snprintf(path, sizeof path, "layers/%s", layer);
		if (strchr(layer, '/') || scuot_h5_objtype(f, path) != H5I_DATASET) {
			if (scuot_h5_objtype(f, "layers") == H5I_GROUP &&
			    (lg = scuot_h5_gopen(f, "layers", e)) >= 0 &&
			    scuot_h5_list(lg, &names, &nn, e) == 0)
				for (int64_t k = 0; k < nn; k++)
					if (strlen(list) + strlen(names[k]) + 3 < sizeof list)
						strcat(strcat(list, k ? ", " : ""), names[k]);
			ret = scuot_err_set(
			    e, SCUOT_EINPUT, "%s: /layers/%s: no such layer; layers present: %s",
			    scuot_h5_file(f, file, sizeof file), layer, *list ? list : "none");
			goto done;
		}
		if ((d = scuot_h5_dopen(f, path, e)) < 0) {
			ret = (int)d;
			goto done;
		}
		if ((ret = scuot_h5_shape(d, &rank, dims, e)))
			goto done;
		if (rank != 2 || dims[0] != mdims[0] || dims[1] != mdims[1]) {
			ret =
			    scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "shape differs from /matrix (%lld x %lld)",
			                 (long long)mdims[0], (long long)mdims[1]);
			goto done;
		}
	}
	if ((ret = read_transposed(d >= 0 ? d : m, mdims[0], mdims[1], &X, e)))
		goto done;
	if (!(a = scuot_adata_new(mdims[1], mdims[0], e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	a->X = X, X = NULL;
	if ((ret = read_attrs(f, 0, a->n_obs, legacy, a, e)) ||
	    (ret = read_attrs(f, 1, a->n_var, legacy, a, e)) || (ret = read_globals(f, legacy, &a->uns, e)))
		goto done;
	*out = a, a = NULL;
done:
	scuot_strs_free(names, nn);
	scuot_adata_free(a);
	scuot_csr_free(X);
	scuot_h5_close(lg);
	scuot_h5_close(d);
	scuot_h5_close(m);
	return ret;
}

int scuot_loom_read(const char *path, const char *layer, scuot_adata **out, scuot_err *e)
{
	hid_t f = scuot_h5_open(path, e);
	int ret;
	*out = NULL;
	if (f < 0)
		return (int)f;
	ret = read_file(f, layer, out, e);
	H5Fclose(f);
	return ret;
}

int scuot_loom_read_mem(const void *buf, size_t len, const char *layer, scuot_adata **out, scuot_err *e)
{
	hid_t f = scuot_h5_open_mem(buf, len, MEM_LABEL, e);
	int ret;
	*out = NULL;
	if (f < 0)
		return (int)f;
	ret = read_file(f, layer, out, e);
	H5Fclose(f);
	return ret;
}
