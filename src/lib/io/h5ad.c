/* h5ad.c -- AnnData .h5ad files: read the layouts of anndata 0.7 to 0.11, write the anndata 0.8+ layout.
 * Every element is dispatched on its encoding-type / encoding-version attributes (anndata's file-format
 * documentation and specs module; data/FORMATS.md, section "h5ad written by scuot", for what is written). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/outfile.h"
#include "io/h5ad.h"
#include "io/h5util_internal.h"

#define MAX_DEPTH 32 /* nesting of uns dicts (also stops hard-link cycles) */
#define MEM_LABEL "(in-memory h5ad)"

/* ==== reading ==== */

/* encoding-type of obj into a new string, NULL when absent. */
static int enc_type(hid_t obj, char **type, scuot_err *e)
{
	return scuot_h5_attr_str(obj, "encoding-type", type, e);
}

static int is(const char *s, const char *t) { return s && strcmp(s, t) == 0; }

static int is_compound(hid_t d);

/* Open a dataframe group and name its index dataset (new string). */
static hid_t df_open(hid_t f, const char *name, char **idx, scuot_err *e)
{
	char *et = NULL;
	int t = scuot_h5_objtype(f, name);
	hid_t g;
	*idx = NULL;
	if (t == 0)
		return scuot_h5_err(e, SCUOT_EINPUT, f, name,
		                    "missing; an AnnData file holds obs and var dataframes");
	if ((g = scuot_h5_gopen(f, name, e)) < 0)
		return g;
	if (enc_type(g, &et, e))
		goto fail;
	if (et && !is(et, "dataframe")) {
		scuot_h5_err(e, SCUOT_EINPUT, g, NULL, "encoding-type is '%s', expected 'dataframe'", et);
		goto fail;
	}
	if (scuot_h5_attr_str(g, "_index", idx, e))
		goto fail;
	if (!*idx && !(*idx = scuot_strdup("_index", e)))
		goto fail;
	free(et);
	return g;
fail:
	free(et);
	free(*idx);
	*idx = NULL;
	H5Gclose(g);
	return e ? e->code : SCUOT_EINPUT;
}

/* Number of rows of dataframe name (length of its index, or records of an anndata < 0.7 compound
 * dataset; *legacy is then set). */
static int df_nrows(hid_t f, const char *name, int64_t *n, int *legacy, scuot_err *e)
{
	char *idx = NULL;
	hid_t g, d = -1;
	int ret;
	if (scuot_h5_objtype(f, name) == H5I_DATASET) {
		if ((d = scuot_h5_dopen(f, name, e)) < 0)
			return (int)d;
		if (!is_compound(d))
			ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
			                   "is a dataset but not a compound one (anndata < 0.7 "
			                   "layout) nor a dataframe group");
		else if (!(ret = scuot_h5_len(d, n, e)) && legacy)
			*legacy = 1;
		H5Dclose(d);
		return ret;
	}
	if ((g = df_open(f, name, &idx, e)) < 0)
		return (int)g;
	if ((d = scuot_h5_dopen(g, idx, e)) < 0)
		ret = (int)d;
	else
		ret = scuot_h5_len(d, n, e);
	scuot_h5_close(d);
	H5Gclose(g);
	free(idx);
	return ret;
}

static int check_len(hid_t d, int64_t n, scuot_err *e)
{
	int64_t len;
	int ret = scuot_h5_len(d, &len, e);
	if (!ret && len != n)
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "has %lld values, expected %lld (one per row)",
		                   (long long)len, (long long)n);
	return ret;
}

/* Optional mask dataset of group g into a new array of n flags (NULL when absent). */
static int read_mask(hid_t g, int64_t n, uint8_t **mask, scuot_err *e)
{
	hid_t d;
	int ret;
	*mask = NULL;
	if (!scuot_h5_exists(g, "mask"))
		return 0;
	if ((d = scuot_h5_dopen(g, "mask", e)) < 0)
		return (int)d;
	if (!(*mask = scuot_alloc((size_t)n, 1, 0, "mask", e)))
		ret = e ? e->code : SCUOT_ENOMEM;
	else if ((ret = scuot_h5_read_bool_into(d, *mask, n, e)))
		free(*mask), *mask = NULL;
	H5Dclose(d);
	return ret;
}

/* Codes (any integer width, -1 = missing) of dataset d into c->codes, checked against ncat. */
static int read_codes(hid_t d, scuot_col *c, int64_t n, scuot_err *e)
{
	int ret = check_len(d, n, e);
	if (ret)
		return ret;
	if (scuot_h5_kind(d) != SCUOT_H5_INT)
		return scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "categorical codes must be integers");
	if ((ret = scuot_h5_read_slab(d, H5T_NATIVE_INT32, 0, n, c->codes, e)))
		return ret;
	for (int64_t r = 0; r < n; r++)
		if (c->codes[r] < -1 || c->codes[r] >= c->ncat)
			return scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
			                    "row %lld: code %d outside [-1, %lld) (%lld categories)",
			                    (long long)r, c->codes[r], (long long)c->ncat,
			                    (long long)c->ncat);
	return 0;
}

/* Categorical column from codes dataset d and categories dataset cd. */
static int add_categorical(scuot_df *df, const char *name, hid_t d, hid_t cd, int ordered, scuot_err *e)
{
	char **cats = NULL;
	int64_t ncat = 0;
	int ret = scuot_h5_read_text(cd, &cats, &ncat, e);
	scuot_col *c;
	if (ret)
		return ret;
	if (ncat > INT32_MAX) {
		scuot_strs_free(cats, ncat);
		return scuot_h5_err(e, SCUOT_ELIMIT, cd, NULL, "%lld categories exceed 32-bit codes",
		                    (long long)ncat);
	}
	if (!(c = scuot_df_add(df, name, SCUOT_COL_CATEGORICAL, e))) {
		scuot_strs_free(cats, ncat);
		return e ? e->code : SCUOT_ENOMEM;
	}
	c->cats = cats, c->ncat = ncat, c->ordered = ordered;
	return read_codes(d, c, df->n, e);
}

/* anndata 0.7: codes dataset whose attribute "categories" references the categories dataset. */
static int read_legacy_categorical(hid_t g, hid_t d, const char *name, scuot_df *df, scuot_err *e)
{
	hid_t a = -1, at = -1, cd = -1;
	int ret = 0, ordered = 0;
	char *path = NULL;
	if ((a = H5Aopen(d, "categories", H5P_DEFAULT)) < 0 || (at = H5Aget_type(a)) < 0) {
		ret = scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "cannot read attribute categories");
		goto done;
	}
	if (H5Tget_class(at) == H5T_REFERENCE) {
		hobj_ref_t ref;
		if (H5Aread(a, H5T_STD_REF_OBJ, &ref) < 0 ||
		    (cd = H5Rdereference2(d, H5P_DEFAULT, H5R_OBJECT, &ref)) < 0 ||
		    H5Iget_type(cd) != H5I_DATASET) {
			ret = scuot_h5_errh(e, SCUOT_EINPUT, d, NULL,
			                    "attribute categories does not reference a dataset");
			goto done;
		}
	} else {
		if ((ret = scuot_h5_attr_str(d, "categories", &path, e)))
			goto done;
		if ((cd = scuot_h5_dopen(g, path, e)) < 0) {
			ret = (int)cd;
			goto done;
		}
	}
	if ((ret = scuot_h5_attr_bool(cd, "ordered", 0, &ordered, e)))
		goto done;
	ret = add_categorical(df, name, d, cd, ordered, e);
done:
	free(path);
	scuot_h5_close(cd);
	scuot_h5_close(at);
	scuot_h5_close(a);
	return ret;
}

/* A column stored as one dataset: array (numeric, bool), string-array, or unmarked (anndata 0.7). */
static int read_col_dataset(hid_t g, hid_t d, const char *name, scuot_df *df, scuot_err *e)
{
	char *et = NULL, **s = NULL;
	int64_t n = df->n, ns;
	int ret, kind;
	scuot_col *c;
	if ((ret = enc_type(d, &et, e)))
		return ret;
	if (et && !is(et, "array") && !is(et, "string-array")) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
		                   "unknown encoding-type '%s' for a dataframe column", et);
		goto done;
	}
	if ((ret = check_len(d, n, e)))
		goto done;
	if (!et && scuot_h5_attr_exists(d, "categories")) {
		ret = read_legacy_categorical(g, d, name, df, e);
		goto done;
	}
	switch ((kind = scuot_h5_kind(d))) {
	case SCUOT_H5_STR:
		if ((ret = scuot_h5_read_strs(d, &s, &ns, e)))
			goto done;
		if (!(c = scuot_df_add(df, name, SCUOT_COL_STRING, e))) {
			scuot_strs_free(s, ns);
			ret = e ? e->code : SCUOT_ENOMEM;
			goto done;
		}
		free(c->s);
		c->s = s;
		break;
	case SCUOT_H5_INT:
		if (!(c = scuot_df_add(df, name, SCUOT_COL_INT, e)))
			ret = e ? e->code : SCUOT_ENOMEM;
		else
			ret = scuot_h5_read_slab(d, H5T_NATIVE_INT64, 0, n, c->i, e);
		break;
	case SCUOT_H5_FLOAT:
		if (!(c = scuot_df_add(df, name, SCUOT_COL_FLOAT, e)))
			ret = e ? e->code : SCUOT_ENOMEM;
		else
			ret = scuot_h5_read_slab(d, H5T_NATIVE_DOUBLE, 0, n, c->f, e);
		break;
	case SCUOT_H5_BOOL:
		if (!(c = scuot_df_add(df, name, SCUOT_COL_BOOL, e)))
			ret = e ? e->code : SCUOT_ENOMEM;
		else
			ret = scuot_h5_read_bool_into(d, c->b, n, e);
		break;
	default:
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
		                   "unsupported column type (compound, enum or reference "
		                   "values); convert the column to numbers or strings");
	}
done:
	free(et);
	return ret;
}

/* A column stored as a group: categorical or one of the nullable encodings. */
static int read_col_group(hid_t cg, const char *name, scuot_df *df, scuot_err *e)
{
	char *et = NULL, **s = NULL;
	hid_t d = -1, cd = -1;
	int64_t n = df->n, ns;
	int ret, ordered = 0;
	scuot_col *c;
	if ((ret = enc_type(cg, &et, e)))
		return ret;
	if (is(et, "categorical")) {
		if ((d = scuot_h5_dopen(cg, "codes", e)) < 0 ||
		    (cd = scuot_h5_dopen(cg, "categories", e)) < 0)
			ret = e ? e->code : SCUOT_EINPUT;
		else if (!(ret = scuot_h5_attr_bool(cg, "ordered", 0, &ordered, e)))
			ret = add_categorical(df, name, d, cd, ordered, e);
		goto done;
	}
	if (!is(et, "nullable-integer") && !is(et, "nullable-boolean") && !is(et, "nullable-string-array")) {
		ret = scuot_h5_err(
		    e, SCUOT_EINPUT, cg, NULL,
		    "unknown encoding-type '%s' for a dataframe column "
		    "(known: array, string-array, categorical, nullable-integer, nullable-boolean, "
		    "nullable-string-array)",
		    et ? et : "(none)");
		goto done;
	}
	if ((d = scuot_h5_dopen(cg, "values", e)) < 0) {
		ret = (int)d;
		goto done;
	}
	if ((ret = check_len(d, n, e)))
		goto done;
	if (is(et, "nullable-integer")) {
		if (scuot_h5_kind(d) != SCUOT_H5_INT && scuot_h5_kind(d) != SCUOT_H5_BOOL) {
			ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
			                   "nullable-integer values must be integers");
			goto done;
		}
		if (!(c = scuot_df_add(df, name, SCUOT_COL_INT, e)))
			ret = e ? e->code : SCUOT_ENOMEM;
		else if (!(ret = scuot_h5_read_slab(d, H5T_NATIVE_INT64, 0, n, c->i, e)))
			ret = read_mask(cg, n, &c->mask, e);
	} else if (is(et, "nullable-boolean")) {
		if (!(c = scuot_df_add(df, name, SCUOT_COL_BOOL, e)))
			ret = e ? e->code : SCUOT_ENOMEM;
		else if (!(ret = scuot_h5_read_bool_into(d, c->b, n, e)))
			ret = read_mask(cg, n, &c->mask, e);
	} else {
		if ((ret = scuot_h5_read_strs(d, &s, &ns, e)))
			goto done;
		if (!(c = scuot_df_add(df, name, SCUOT_COL_STRING, e))) {
			scuot_strs_free(s, ns);
			ret = e ? e->code : SCUOT_ENOMEM;
			goto done;
		}
		free(c->s);
		c->s = s;
		if (!(ret = read_mask(cg, n, &c->mask, e)) && c->mask)
			for (int64_t r = 0; r < n; r++)
				if (c->mask[r])
					free(c->s[r]), c->s[r] = NULL;
	}
done:
	scuot_h5_close(d);
	scuot_h5_close(cd);
	free(et);
	return ret;
}

static int read_column(hid_t g, const char *name, scuot_df *df, scuot_err *e)
{
	int t = scuot_h5_objtype(g, name), ret;
	hid_t o;
	if (t == 0)
		return scuot_h5_err(e, SCUOT_EINPUT, g, name, "listed in column-order but missing");
	if (t == H5I_DATASET) {
		if ((o = H5Dopen2(g, name, H5P_DEFAULT)) < 0)
			return scuot_h5_errh(e, SCUOT_EINPUT, g, name, "cannot open");
		ret = read_col_dataset(g, o, name, df, e);
		H5Dclose(o);
		return ret;
	}
	if (t == H5I_GROUP) {
		if ((o = H5Gopen2(g, name, H5P_DEFAULT)) < 0)
			return scuot_h5_errh(e, SCUOT_EINPUT, g, name, "cannot open");
		ret = read_col_group(o, name, df, e);
		H5Gclose(o);
		return ret;
	}
	return scuot_h5_err(e, SCUOT_EINPUT, g, name, "is neither a dataset nor a group");
}

/* Dataframe obs or var with n rows into df. */
static int read_df(hid_t f, const char *name, int64_t n, scuot_df *df, scuot_err *e)
{
	char *idx = NULL, **cols = NULL, **labels = NULL;
	int64_t ncol = 0, nl = 0;
	hid_t g = df_open(f, name, &idx, e), d = -1;
	int ret = 0;
	if (g < 0)
		return (int)g;
	if ((d = scuot_h5_dopen(g, idx, e)) < 0 || (ret = scuot_h5_read_text(d, &labels, &nl, e))) {
		ret = e ? e->code : SCUOT_EINPUT;
		goto done;
	}
	if (nl != n) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "has %lld labels, expected %lld", (long long)nl,
		                   (long long)n);
		goto done;
	}
	scuot_df_clear(df);
	df->n = n;
	if ((ret = scuot_df_set_index(df, labels, nl, e)))
		goto done;
	labels = NULL;
	if (strcmp(idx, "_index") != 0)
		df->index_name = idx, idx = NULL;
	if (scuot_h5_attr_exists(g, "column-order")) {
		if ((ret = scuot_h5_attr_strs(g, "column-order", &cols, &ncol, e)))
			goto done;
	} else {
		/* no column order (hand-made files): every member but the index, in name order */
		int64_t nm = 0, k = 0;
		if ((ret = scuot_h5_list(g, &cols, &nm, e)))
			goto done;
		for (int64_t j = 0; j < nm; j++) {
			if (strcmp(cols[j], df->index_name ? df->index_name : "_index") == 0 ||
			    strcmp(cols[j], "__categories") == 0)
				free(cols[j]);
			else
				cols[k++] = cols[j];
		}
		ncol = k;
	}
	for (int64_t j = 0; j < ncol && !ret; j++)
		ret = read_column(g, cols[j], df, e);
done:
	scuot_strs_free(cols, ncol);
	scuot_strs_free(labels, nl);
	free(idx);
	scuot_h5_close(d);
	H5Gclose(g);
	return ret;
}

/* A matrix element (csr_matrix, csc_matrix, dense array; anndata < 0.7 h5sparse groups) as an
 * nr x nc CSR.  *unknown is set when the element has an encoding this reader does not know. */
static int read_matrix(hid_t loc, const char *name, int64_t nr, int64_t nc, scuot_csr **out, int *unknown,
                       scuot_err *e)
{
	char *et = NULL;
	int t = scuot_h5_objtype(loc, name), ret = 0, ns = 0;
	int64_t shape[2] = { -1, -1 };
	hid_t o = -1;
	scuot_csr *c = NULL;
	*out = NULL, *unknown = 0;
	if (t == H5I_DATASET) {
		if ((o = scuot_h5_dopen(loc, name, e)) < 0) {
			ret = (int)o;
			goto done;
		}
		if ((ret = enc_type(o, &et, e)))
			goto done;
		if (et && !is(et, "array")) {
			*unknown = 1;
			ret = scuot_h5_err(e, SCUOT_EINPUT, o, NULL,
			                   "unknown encoding-type '%s' for a matrix (known: "
			                   "csr_matrix, csc_matrix, array)",
			                   et);
			goto done;
		}
		if (!(ret = scuot_h5_read_dense_csr(o, 0, &c, e)) && (c->nrow != nr || c->ncol != nc))
			ret = scuot_h5_err(
			    e, SCUOT_EINPUT, o, NULL, "is %lld x %lld, expected %lld x %lld (obs x var)",
			    (long long)c->nrow, (long long)c->ncol, (long long)nr, (long long)nc);
		goto done;
	}
	if (t != H5I_GROUP) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, loc, name,
		                   t ? "is neither a dataset nor a group" : "missing");
		goto done;
	}
	if ((o = scuot_h5_gopen(loc, name, e)) < 0) {
		ret = (int)o;
		goto done;
	}
	if ((ret = enc_type(o, &et, e)))
		goto done;
	if (!et && scuot_h5_attr_exists(o, "h5sparse_format")) {
		char *fmt = NULL;
		if ((ret = scuot_h5_attr_str(o, "h5sparse_format", &fmt, e)))
			goto done;
		if (is(fmt, "csr") || is(fmt, "csc")) {
			size_t len = strlen(fmt) + 8;
			if ((et = scuot_alloc(len, 1, 0, "encoding", e)))
				snprintf(et, len, "%s_matrix", fmt);
		}
		free(fmt);
		if (et && scuot_h5_attr_exists(o, "h5sparse_shape") &&
		    (ret = scuot_h5_attr_i64s(o, "h5sparse_shape", shape, 2, &ns, e)))
			goto done;
	}
	if (!is(et, "csr_matrix") && !is(et, "csc_matrix")) {
		*unknown = 1;
		ret = scuot_h5_err(e, SCUOT_EINPUT, o, NULL,
		                   "unknown encoding-type '%s' for a matrix (known: csr_matrix, "
		                   "csc_matrix, array)",
		                   et ? et : "(none)");
		goto done;
	}
	if (scuot_h5_attr_exists(o, "shape") && (ret = scuot_h5_attr_i64s(o, "shape", shape, 2, &ns, e)))
		goto done;
	if (ns == 2 && (shape[0] != nr || shape[1] != nc)) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, o, NULL,
		                   "shape is %lld x %lld, expected %lld x %lld (obs x var)",
		                   (long long)shape[0], (long long)shape[1], (long long)nr, (long long)nc);
		goto done;
	}
	if (is(et, "csr_matrix")) {
		ret = scuot_h5_read_csr(o, nr, nc, 0, &c, e);
	} else if (!(ret = scuot_h5_read_csr(o, nc, nr, 0, &c, e))) {
		scuot_csr *t2 = scuot_csr_transpose(c, e);
		scuot_csr_free(c);
		if (!(c = t2))
			ret = e ? e->code : SCUOT_ENOMEM;
	}
done:
	if (!ret)
		*out = c, c = NULL;
	scuot_csr_free(c);
	scuot_h5_close(o);
	free(et);
	return ret;
}

static void warn_skip(hid_t loc, const char *name, const char *why)
{
	char file[512], path[512];
	scuot_log_warning("%s: %s: %s; skipped", scuot_h5_file(loc, file, sizeof file),
	                  scuot_h5_path(loc, name, path, sizeof path), why);
}

/* ---- anndata < 0.7: obs, var, obsm as compound datasets ---- */
/* One record per row; the first field is the index; strings are fixed-length (anndata 0.5/0.6
 * _to_dict_fixed_width_arrays, read back by anndata's read_dataframe_legacy).  Categorical columns hold
 * codes whose labels sit in uns/<column>_categories (anndata's _clean_uns). */

/* 1 if d is a dataset of compound type. */
static int is_compound(hid_t d)
{
	hid_t t = H5Dget_type(d);
	int r = t >= 0 && H5Tget_class(t) == H5T_COMPOUND;
	scuot_h5_close(t);
	return r;
}

/* Field idx of compound dataset d (n records) read in memory type mt into buf. */
static int read_field(hid_t d, const char *fname, hid_t mt, void *buf, scuot_err *e)
{
	hid_t ct = H5Tcreate(H5T_COMPOUND, H5Tget_size(mt));
	int ret = 0;
	if (ct < 0 || H5Tinsert(ct, fname, 0, mt) < 0 ||
	    H5Dread(d, ct, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
		ret = scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "cannot read field '%s'", fname);
	scuot_h5_close(ct);
	return ret;
}

/* String field (fixed-length, any padding, or variable-length) into n new strings. */
static int read_str_field(hid_t d, const char *fname, hid_t ft, int64_t n, char **out, scuot_err *e)
{
	int ret = 0;
	if (H5Tis_variable_str(ft) > 0) {
		hid_t mt = H5Tcopy(H5T_C_S1);
		char **p = scuot_alloc((size_t)(n ? n : 1), sizeof *p, 1, "strings", e);
		if (mt < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 || H5Tset_cset(mt, H5Tget_cset(ft)) < 0 ||
		    !p) {
			scuot_h5_close(mt);
			free(p);
			return p   ? scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "field '%s'", fname)
			       : e ? e->code
			           : SCUOT_ENOMEM;
		}
		if (!(ret = read_field(d, fname, mt, p, e)))
			for (int64_t r = 0; r < n && !ret; r++)
				if (!(out[r] = scuot_strdup(p[r] ? p[r] : "", e)))
					ret = e ? e->code : SCUOT_ENOMEM;
		if (!ret || p[0]) {
			hid_t sp = H5Screate_simple(1, (hsize_t[]){ (hsize_t)n }, NULL);
			H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, p);
			scuot_h5_close(sp);
		}
		free(p);
		H5Tclose(mt);
		return ret;
	}
	size_t w = H5Tget_size(ft);
	hid_t mt = H5Tcopy(ft);
	char *buf = scuot_alloc((size_t)(n ? n : 1), w, 0, "strings", e);
	if (mt < 0 || !buf) {
		scuot_h5_close(mt);
		free(buf);
		return buf ? scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "field '%s'", fname)
		       : e ? e->code
		           : SCUOT_ENOMEM;
	}
	if (!(ret = read_field(d, fname, mt, buf, e)))
		for (int64_t r = 0; r < n && !ret; r++) {
			const char *c = buf + (size_t)r * w;
			size_t len = strnlen(c, w);
			if (H5Tget_strpad(ft) == H5T_STR_SPACEPAD)
				while (len > 0 && c[len - 1] == ' ')
					len--;
			if (!(out[r] = scuot_alloc(len + 1, 1, 0, "string", e)))
				ret = e ? e->code : SCUOT_ENOMEM;
			else
				memcpy(out[r], c, len), out[r][len] = 0;
		}
	free(buf);
	H5Tclose(mt);
	return ret;
}

/* Categories of column name from uns/<name>_categories, when the file has them: new strings. */
static int legacy_categories(hid_t f, const char *name, char ***cats, int64_t *ncat, scuot_err *e)
{
	char path[1024];
	hid_t d;
	int ret;
	*cats = NULL, *ncat = 0;
	snprintf(path, sizeof path, "uns/%s_categories", name);
	if (strlen(name) > 900 || scuot_h5_objtype(f, path) != H5I_DATASET)
		return 0;
	if ((d = scuot_h5_dopen(f, path, e)) < 0)
		return (int)d;
	ret = scuot_h5_read_text(d, cats, ncat, e);
	H5Dclose(d);
	return ret;
}

/* Dataframe stored as the compound dataset d of n records (anndata < 0.7) into df. */
static int read_df_compound(hid_t f, hid_t d, int64_t n, scuot_df *df, scuot_err *e)
{
	hid_t ft = H5Dget_type(d), mt = -1;
	int nm = ft >= 0 ? H5Tget_nmembers(ft) : -1, ret = 0;
	char *fname = NULL, **labels = NULL, **cats = NULL;
	int64_t ncat = 0, len;
	if (nm < 1) {
		ret = scuot_h5_errh(e, SCUOT_EINPUT, d, NULL,
		                    "a compound dataframe needs at least the index field");
		goto done;
	}
	if ((ret = scuot_h5_len(d, &len, e)))
		goto done;
	if (len != n) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "has %lld records, expected %lld",
		                   (long long)len, (long long)n);
		goto done;
	}
	scuot_df_clear(df);
	df->n = n;
	for (int k = 0; k < nm && !ret; k++) {
		scuot_col *c = NULL;
		free(fname);
		scuot_h5_close(mt), mt = -1;
		if (!(fname = H5Tget_member_name(ft, (unsigned)k)) ||
		    (mt = H5Tget_member_type(ft, (unsigned)k)) < 0) {
			ret = scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "cannot read field %d", k);
			break;
		}
		int kind = scuot_h5_type_kind(mt);
		if (k == 0) { /* the index: any strings or numbers as text */
			if (!(labels = scuot_alloc((size_t)(n ? n : 1), sizeof *labels, 1, "index", e))) {
				ret = e ? e->code : SCUOT_ENOMEM;
			} else if (kind == SCUOT_H5_STR) {
				ret = read_str_field(d, fname, mt, n, labels, e);
			} else if (kind == SCUOT_H5_INT) {
				int64_t *v = scuot_alloc((size_t)(n ? n : 1), sizeof *v, 0, "index", e);
				if (!v || (ret = read_field(d, fname, H5T_NATIVE_INT64, v, e))) {
					ret = v ? ret : e ? e->code : SCUOT_ENOMEM;
				} else {
					char b[32];
					for (int64_t r = 0; r < n && !ret; r++) {
						snprintf(b, sizeof b, "%lld", (long long)v[r]);
						if (!(labels[r] = scuot_strdup(b, e)))
							ret = e ? e->code : SCUOT_ENOMEM;
					}
				}
				free(v);
			} else {
				ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
				                   "index field '%s' holds neither strings nor "
				                   "integers",
				                   fname);
			}
			if (!ret && !(ret = scuot_df_set_index(df, labels, n, e)))
				labels = NULL;
			/* the index keeps the field's name, as anndata's read_dataframe_legacy (set_index) */
			if (!ret && strcmp(fname, "_index") && !(df->index_name = scuot_strdup(fname, e)))
				ret = e ? e->code : SCUOT_ENOMEM;
			continue;
		}
		switch (kind) {
		case SCUOT_H5_STR:
			if ((c = scuot_df_add(df, fname, SCUOT_COL_STRING, e)))
				ret = read_str_field(d, fname, mt, n, c->s, e);
			break;
		case SCUOT_H5_INT:
			if ((ret = legacy_categories(f, fname, &cats, &ncat, e)))
				break;
			if (cats) {
				/* labels in uns: categorical when every code fits (anndata's _clean_uns) */
				int32_t *codes =
				        scuot_alloc((size_t)(n ? n : 1), sizeof *codes, 0, "codes", e);
				int fits = codes && !(ret = read_field(d, fname, H5T_NATIVE_INT32, codes, e)),
				    done = !fits;
				for (int64_t r = 0; fits && r < n; r++)
					fits = codes[r] >= -1 && codes[r] < ncat;
				if (fits) {
					done = 1;
					if ((c = scuot_df_add(df, fname, SCUOT_COL_CATEGORICAL, e))) {
						free(c->codes);
						c->codes = codes, codes = NULL;
						c->cats = cats, c->ncat = ncat, cats = NULL, ncat = 0;
					}
				}
				free(codes);
				scuot_strs_free(cats, ncat), cats = NULL, ncat = 0;
				if (done)
					break;
			}
			if ((c = scuot_df_add(df, fname, SCUOT_COL_INT, e)))
				ret = read_field(d, fname, H5T_NATIVE_INT64, c->i, e);
			break;
		case SCUOT_H5_FLOAT:
			if ((c = scuot_df_add(df, fname, SCUOT_COL_FLOAT, e)))
				ret = read_field(d, fname, H5T_NATIVE_DOUBLE, c->f, e);
			break;
		case SCUOT_H5_BOOL:
			if (H5Tget_size(mt) != 1) {
				ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
				                   "bool field '%s' is not one byte", fname);
			} else if ((c = scuot_df_add(df, fname, SCUOT_COL_BOOL, e)) &&
			           !(ret = read_field(d, fname, mt, c->b, e))) {
				for (int64_t r = 0; r < n; r++)
					c->b[r] = c->b[r] != 0;
			}
			break;
		default:
			ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
			                   "field '%s' is neither numbers, bools nor strings", fname);
			continue;
		}
		if (!c && !ret)
			ret = e ? e->code : SCUOT_ENOMEM;
	}
done:
	if (fname)
		H5free_memory(fname);
	scuot_strs_free(labels, labels ? n : 0);
	scuot_strs_free(cats, ncat);
	scuot_h5_close(mt);
	scuot_h5_close(ft);
	return ret;
}

/* obsm / varm stored as one compound dataset of rows records (anndata < 0.7): each numeric field (an array
 * of k values, or one value) becomes a rows x k entry. */
static int read_dense_map_compound(hid_t f, const char *gname, int64_t rows, scuot_named_mat **arr, int *cnt,
                                   scuot_err *e)
{
	hid_t d = scuot_h5_dopen(f, gname, e), ft = -1, mt = -1, bt = -1, at = -1;
	int nm, ret = 0;
	int64_t len;
	char *fname = NULL;
	if (d < 0)
		return (int)d;
	if ((ret = scuot_h5_len(d, &len, e)))
		goto done;
	if (len != rows) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "has %lld records, expected %lld",
		                   (long long)len, (long long)rows);
		goto done;
	}
	ft = H5Dget_type(d);
	nm = ft >= 0 ? H5Tget_nmembers(ft) : 0;
	for (int k = 0; k < nm && !ret; k++) {
		hsize_t dims[SCUOT_H5_MAXRANK];
		int64_t width = 1;
		if (fname)
			H5free_memory(fname);
		scuot_h5_close(mt), scuot_h5_close(bt), scuot_h5_close(at);
		mt = bt = at = -1;
		if (!(fname = H5Tget_member_name(ft, (unsigned)k)) ||
		    (mt = H5Tget_member_type(ft, (unsigned)k)) < 0) {
			ret = scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "cannot read field %d", k);
			break;
		}
		bt = H5Tget_class(mt) == H5T_ARRAY ? H5Tget_super(mt) : H5Tcopy(mt);
		int kind = scuot_h5_type_kind(bt), rank = 0;
		if (H5Tget_class(mt) == H5T_ARRAY) {
			rank = H5Tget_array_ndims(mt);
			if (rank != 1 || H5Tget_array_dims2(mt, dims) < 0)
				kind = SCUOT_H5_OTHER;
			else
				width = (int64_t)dims[0];
		}
		if (kind != SCUOT_H5_INT && kind != SCUOT_H5_FLOAT) {
			warn_skip(d, fname,
			          "not a numeric field (only numbers or 1-D arrays of numbers are read)");
			continue;
		}
		scuot_mat *m = scuot_mat_new(rows, width, e);
		if (!m) {
			ret = e ? e->code : SCUOT_ENOMEM;
			break;
		}
		if (rank)
			at = H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, dims);
		if ((rank && at < 0) ||
		    (ret = read_field(d, fname, rank ? at : H5T_NATIVE_DOUBLE, m->data, e))) {
			ret = ret ? ret : scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "field '%s'", fname);
			scuot_mat_free(m);
			break;
		}
		scuot_named_mat *t = scuot_realloc(*arr, (size_t)*cnt + 1, sizeof *t, gname, e);
		char *key = t ? scuot_strdup(fname, e) : NULL;
		if (t)
			*arr = t;
		if (!key) {
			scuot_mat_free(m);
			ret = e ? e->code : SCUOT_ENOMEM;
		} else {
			(*arr)[*cnt].key = key;
			(*arr)[(*cnt)++].m = m;
		}
	}
done:
	if (fname)
		H5free_memory(fname);
	scuot_h5_close(mt);
	scuot_h5_close(bt);
	scuot_h5_close(at);
	scuot_h5_close(ft);
	H5Dclose(d);
	return ret;
}

/* Dataframe name: a group (anndata >= 0.7) or a compound dataset (before). */
static int read_df_any(hid_t f, const char *name, int64_t n, scuot_df *df, scuot_err *e)
{
	hid_t d;
	int ret;
	if (scuot_h5_objtype(f, name) != H5I_DATASET)
		return read_df(f, name, n, df, e);
	if ((d = scuot_h5_dopen(f, name, e)) < 0)
		return (int)d;
	ret = read_df_compound(f, d, n, df, e);
	H5Dclose(d);
	return ret;
}

/* Drop uns/<col>_categories entries that became the categories of a column (anndata's _clean_uns). */
static void legacy_clean_uns(scuot_adata *a)
{
	const scuot_df *dfs[2] = { &a->obs, &a->var };
	scuot_uns *u = &a->uns;
	for (int k = 0; k < u->nchild;) {
		const char *key = u->child[k].key;
		size_t n = strlen(key), m = strlen("_categories");
		int used = 0;
		if (n > m && strcmp(key + n - m, "_categories") == 0)
			for (int t = 0; t < 2 && !used; t++)
				for (int j = 0; j < dfs[t]->ncol && !used; j++)
					used = dfs[t]->cols[j].type == SCUOT_COL_CATEGORICAL &&
					       strlen(dfs[t]->cols[j].name) == n - m &&
					       strncmp(dfs[t]->cols[j].name, key, n - m) == 0;
		if (!used) {
			k++;
			continue;
		}
		scuot_uns_clear(&u->child[k]);
		memmove(&u->child[k], &u->child[k + 1], (size_t)(u->nchild - k - 1) * sizeof *u->child);
		u->nchild--;
	}
}

/* Dense entries of obsm or varm (rows each) appended to *arr; other kinds are skipped with a warning. */
static int read_dense_map(hid_t f, const char *gname, int64_t rows, scuot_named_mat **arr, int *cnt,
                          scuot_err *e)
{
	if (scuot_h5_objtype(f, gname) == H5I_DATASET) {
		hid_t d = scuot_h5_dopen(f, gname, e);
		int c = d >= 0 && is_compound(d);
		scuot_h5_close(d);
		if (d < 0)
			return (int)d;
		if (c)
			return read_dense_map_compound(f, gname, rows, arr, cnt, e);
		warn_skip(f, gname, "a dataset where a group of arrays was expected");
		return 0;
	}
	char **keys = NULL, *et = NULL, why[256];
	int64_t nk = 0, dims[SCUOT_H5_MAXRANK];
	hid_t g = -1, d = -1;
	int ret = 0, rank, kind;
	if (!scuot_h5_exists(f, gname))
		return 0;
	if ((g = scuot_h5_gopen(f, gname, e)) < 0)
		return (int)g;
	if ((ret = scuot_h5_list(g, &keys, &nk, e)))
		goto done;
	for (int64_t k = 0; k < nk && !ret; k++) {
		scuot_mat *m = NULL;
		if (scuot_h5_objtype(g, keys[k]) != H5I_DATASET) {
			warn_skip(g, keys[k],
			          "sparse and dataframe entries are not read (only dense arrays)");
			continue;
		}
		if ((d = scuot_h5_dopen(g, keys[k], e)) < 0 || (ret = enc_type(d, &et, e)) ||
		    (ret = scuot_h5_shape(d, &rank, dims, e))) {
			ret = e ? e->code : SCUOT_EINPUT;
			break;
		}
		kind = scuot_h5_kind(d);
		if ((et && !is(et, "array")) || (rank != 1 && rank != 2) ||
		    (kind != SCUOT_H5_INT && kind != SCUOT_H5_FLOAT && kind != SCUOT_H5_BOOL)) {
			snprintf(why, sizeof why,
			         "not a 1-D or 2-D numeric array (encoding '%s', %d dimensions, %s)",
			         et ? et : "none", rank, kind == SCUOT_H5_STR ? "strings" : "numbers");
			warn_skip(g, keys[k], why);
		} else if (dims[0] != rows) {
			ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "has %lld rows, expected %lld",
			                   (long long)dims[0], (long long)rows);
		} else if (!(ret = scuot_h5_read_mat(d, &m, e))) {
			scuot_named_mat *t = scuot_realloc(*arr, (size_t)*cnt + 1, sizeof *t, gname, e);
			char *key = t ? scuot_strdup(keys[k], e) : NULL;
			if (t)
				*arr = t;
			if (!key) {
				scuot_mat_free(m);
				ret = e ? e->code : SCUOT_ENOMEM;
			} else {
				(*arr)[*cnt].key = key;
				(*arr)[(*cnt)++].m = m;
			}
		}
		free(et), et = NULL;
		scuot_h5_close(d), d = -1;
	}
done:
	free(et);
	scuot_h5_close(d);
	scuot_strs_free(keys, nk);
	H5Gclose(g);
	return ret;
}

static int read_layers(hid_t f, scuot_adata *a, scuot_err *e)
{
	char **keys = NULL;
	int64_t nk = 0;
	hid_t g;
	int ret, unknown;
	if (!scuot_h5_exists(f, "layers"))
		return 0;
	if ((g = scuot_h5_gopen(f, "layers", e)) < 0)
		return (int)g;
	ret = scuot_h5_list(g, &keys, &nk, e);
	for (int64_t k = 0; k < nk && !ret; k++) {
		scuot_csr *c = NULL;
		ret = read_matrix(g, keys[k], a->n_obs, a->n_var, &c, &unknown, e);
		if (ret && unknown) {
			scuot_log_warning("%s; skipped", e ? e->msg : "unknown layer encoding");
			ret = 0;
			if (e)
				e->code = 0, e->msg[0] = 0;
		} else if (!ret && (ret = scuot_adata_set_layer(a, keys[k], c, e))) {
			scuot_csr_free(c);
		}
	}
	scuot_strs_free(keys, nk);
	H5Gclose(g);
	return ret;
}

/* 1 if dataset d holds variable-length strings. */
static int is_vlen_str(hid_t d)
{
	hid_t t = H5Dget_type(d);
	int r = t >= 0 && H5Tis_variable_str(t) > 0;
	scuot_h5_close(t);
	return r;
}

/* One uns dataset into a new child of node (or a warning and nothing). */
static int read_uns_dataset(hid_t g, const char *key, scuot_uns *node, scuot_err *e)
{
	char *et = NULL, **s = NULL;
	int64_t dims[SCUOT_H5_MAXRANK], ns = 0, nv = 0;
	double *v = NULL;
	hid_t d = scuot_h5_dopen(g, key, e);
	int ret, rank = 0, kind;
	scuot_uns *u;
	char why[256];
	if (d < 0)
		return (int)d;
	if ((ret = enc_type(d, &et, e)))
		goto done;
	if (scuot_h5_shape(d, &rank, dims, e)) {
		/* a null dataspace is Python None (anndata >= 0.12 "null"): nothing to keep */
		if (e)
			e->code = 0, e->msg[0] = 0;
		warn_skip(g, key, "no value (null dataspace)");
		goto done;
	}
	kind = scuot_h5_kind(d);
	if (et && !is(et, "numeric-scalar") && !is(et, "string") && !is(et, "array") &&
	    !is(et, "string-array")) {
		snprintf(why, sizeof why, "encoding-type '%s' is not read into uns", et);
		warn_skip(g, key, why);
		goto done;
	}
	/* unmarked one-element arrays of fixed-length strings are strings (anndata < 0.8 read_dataset) */
	int old_str = !et && kind == SCUOT_H5_STR && rank == 1 && dims[0] == 1 && !is_vlen_str(d);
	if (kind == SCUOT_H5_STR && (rank == 0 || old_str)) {
		if ((ret = scuot_h5_read_strs(d, &s, &ns, e)))
			goto done;
		if (!(u = scuot_uns_add(node, key, SCUOT_UNS_STR, e)))
			ret = e ? e->code : SCUOT_ENOMEM;
		else
			u->str = s[0], s[0] = NULL;
	} else if (kind == SCUOT_H5_STR && rank == 1) {
		if ((ret = scuot_h5_read_strs(d, &s, &ns, e)))
			goto done;
		if (!(u = scuot_uns_add(node, key, SCUOT_UNS_STRARRAY, e)))
			ret = e ? e->code : SCUOT_ENOMEM;
		else
			u->strs = s, u->nstr = ns, s = NULL, ns = 0;
	} else if (kind == SCUOT_H5_INT || kind == SCUOT_H5_FLOAT || kind == SCUOT_H5_BOOL) {
		if ((ret = scuot_h5_read_f64(d, &v, &nv, e)))
			goto done;
		if (!(u = scuot_uns_add(node, key, rank == 0 ? SCUOT_UNS_NUM : SCUOT_UNS_ARRAY, e))) {
			ret = e ? e->code : SCUOT_ENOMEM;
			goto done;
		}
		u->is_int = kind != SCUOT_H5_FLOAT;
		if (rank == 0) {
			u->num = v[0];
		} else {
			u->ndim = rank;
			memcpy(u->dims, dims, (size_t)rank * sizeof *dims);
			u->arr = v, v = NULL;
		}
	} else {
		snprintf(why, sizeof why, "%s of %d dimensions are not read into uns",
		         kind == SCUOT_H5_STR ? "strings" : "compound, complex or enum values", rank);
		warn_skip(g, key, why);
	}
done:
	free(v);
	scuot_strs_free(s, ns);
	free(et);
	H5Dclose(d);
	return ret;
}

static int read_uns(hid_t g, scuot_uns *node, int depth, scuot_err *e)
{
	char **keys = NULL, *et = NULL, why[256];
	int64_t nk = 0;
	int ret = scuot_h5_list(g, &keys, &nk, e);
	for (int64_t k = 0; k < nk && !ret; k++) {
		int t = scuot_h5_objtype(g, keys[k]);
		if (t == H5I_DATASET) {
			ret = read_uns_dataset(g, keys[k], node, e);
		} else if (t == H5I_GROUP) {
			hid_t c = scuot_h5_gopen(g, keys[k], e);
			scuot_uns *u;
			if (c < 0 || (ret = enc_type(c, &et, e))) {
				ret = e ? e->code : SCUOT_EINPUT;
			} else if (et && !is(et, "dict")) {
				snprintf(why, sizeof why, "encoding-type '%s' is not read into uns", et);
				warn_skip(g, keys[k], why);
			} else if (depth >= MAX_DEPTH) {
				warn_skip(g, keys[k], "dicts nested deeper than 32 levels are not read");
			} else if (!(u = scuot_uns_add(node, keys[k], SCUOT_UNS_DICT, e))) {
				ret = e ? e->code : SCUOT_ENOMEM;
			} else {
				ret = read_uns(c, u, depth + 1, e);
			}
			free(et), et = NULL;
			scuot_h5_close(c);
		} else {
			warn_skip(g, keys[k], "neither a dataset nor a group");
		}
	}
	scuot_strs_free(keys, nk);
	return ret;
}

/* Say which elements a full read leaves out (scuot keeps no raw, obsp or varp), so nothing goes silently. */
static void note_unread(hid_t f)
{
	static const char *const groups[] = { "raw", "obsp", "varp", "raw.X", "raw.var", "raw.varm" };
	char file[512];
	for (size_t k = 0; k < sizeof groups / sizeof *groups; k++) {
		H5G_info_t info;
		hid_t g;
		if (k >= 3 && scuot_h5_objtype(f, groups[k])) /* anndata < 0.7 keeps raw at the root */
			scuot_log_info(
			        "%s: /%s is not read: scuot keeps X, layers, obs, var, obsm, varm and uns",
			        scuot_h5_file(f, file, sizeof file), groups[k]);
		if (scuot_h5_objtype(f, groups[k]) != H5I_GROUP || (g = H5Gopen2(f, groups[k], H5P_DEFAULT)) < 0)
			continue;
		if (k < 3 && H5Gget_info(g, &info) >= 0 && info.nlinks > 0)
			scuot_log_info("%s: /%s (%llu element%s) is not read: scuot keeps X, layers, obs, var, obsm, "
			               "varm and uns", scuot_h5_file(f, file, sizeof file), groups[k],
			               (unsigned long long)info.nlinks, info.nlinks == 1 ? "" : "s");
		H5Gclose(g);
	}
	H5Eclear2(H5E_DEFAULT);
}

static int read_file(hid_t f, unsigned parts, scuot_adata **out, scuot_err *e)
{
	char *et = NULL;
	int64_t n_obs, n_var;
	scuot_adata *a = NULL;
	int ret, unknown, legacy = 0;
	*out = NULL;
	if ((ret = enc_type(f, &et, e)))
		goto done;
	if (et && !is(et, "anndata")) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, f, NULL,
		                   "encoding-type is '%s', not 'anndata': not an h5ad file", et);
		goto done;
	}
	if ((ret = df_nrows(f, "obs", &n_obs, &legacy, e)) || (ret = df_nrows(f, "var", &n_var, &legacy, e)))
		goto done;
	if (legacy) {
		char file[512];
		scuot_log_info(
		        "%s: anndata < 0.7 layout (compound obs/var datasets): read as anndata reads it",
		        scuot_h5_file(f, file, sizeof file));
	}
	if (!(a = scuot_adata_new(n_obs, n_var, e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	if ((parts & SCUOT_H5AD_OBS) && (ret = read_df_any(f, "obs", n_obs, &a->obs, e)))
		goto done;
	if ((parts & SCUOT_H5AD_VAR) && (ret = read_df_any(f, "var", n_var, &a->var, e)))
		goto done;
	if ((parts & SCUOT_H5AD_X) && scuot_h5_exists(f, "X") &&
	    (ret = read_matrix(f, "X", n_obs, n_var, &a->X, &unknown, e)))
		goto done;
	if ((parts & SCUOT_H5AD_OBSM) && (ret = read_dense_map(f, "obsm", n_obs, &a->obsm, &a->n_obsm, e)))
		goto done;
	if ((parts & SCUOT_H5AD_VARM) && (ret = read_dense_map(f, "varm", n_var, &a->varm, &a->n_varm, e)))
		goto done;
	if ((parts & SCUOT_H5AD_LAYERS) && (ret = read_layers(f, a, e)))
		goto done;
	if ((parts & SCUOT_H5AD_UNS) && scuot_h5_exists(f, "uns")) {
		hid_t g = scuot_h5_gopen(f, "uns", e);
		if (g < 0) {
			ret = (int)g;
			goto done;
		}
		ret = read_uns(g, &a->uns, 0, e);
		H5Gclose(g);
		if (ret)
			goto done;
	}
	if (legacy && (parts & SCUOT_H5AD_UNS))
		legacy_clean_uns(a);
	if (parts == SCUOT_H5AD_ALL)
		note_unread(f);
	*out = a, a = NULL;
done:
	scuot_adata_free(a);
	free(et);
	return ret;
}

int scuot_h5ad_read(const char *path, unsigned parts, scuot_adata **out, scuot_err *e)
{
	hid_t f = scuot_h5_open(path, e);
	int ret;
	*out = NULL;
	if (f < 0)
		return (int)f;
	ret = read_file(f, parts, out, e);
	H5Fclose(f);
	return ret;
}

int scuot_h5ad_read_mem(const void *buf, size_t len, unsigned parts, scuot_adata **out, scuot_err *e)
{
	hid_t f = scuot_h5_open_mem(buf, len, MEM_LABEL, e);
	int ret;
	*out = NULL;
	if (f < 0)
		return (int)f;
	ret = read_file(f, parts, out, e);
	H5Fclose(f);
	return ret;
}

int scuot_h5ad_read_obsm(const char *path, const char *key, scuot_mat **out, scuot_err *e)
{
	char **keys = NULL, list[512] = "";
	int64_t n_obs, nk = 0;
	hid_t f = scuot_h5_open(path, e), g = -1, d = -1;
	int ret;
	*out = NULL;
	if (f < 0)
		return (int)f;
	if ((ret = df_nrows(f, "obs", &n_obs, NULL, e)))
		goto done;
	if (scuot_h5_exists(f, "obsm") && (g = scuot_h5_gopen(f, "obsm", e)) < 0) {
		ret = (int)g;
		goto done;
	}
	if (g < 0 || strchr(key, '/') || scuot_h5_objtype(g, key) != H5I_DATASET) {
		if (g >= 0 && (ret = scuot_h5_list(g, &keys, &nk, e)))
			goto done;
		for (int64_t k = 0; k < nk; k++)
			if (strlen(list) + strlen(keys[k]) + 3 < sizeof list)
				strcat(strcat(list, k ? ", " : ""), keys[k]);
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obsm/%s: no such dense array; obsm holds: %s",
		                    path, key, nk ? list : "nothing");
		goto done;
	}
	if ((d = scuot_h5_dopen(g, key, e)) < 0) {
		ret = (int)d;
		goto done;
	}
	if ((ret = scuot_h5_read_mat(d, out, e)))
		goto done;
	if ((*out)->nrow != n_obs) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "has %lld rows, expected %lld (one per cell)",
		                   (long long)(*out)->nrow, (long long)n_obs);
		scuot_mat_free(*out);
		*out = NULL;
	}
done:
	scuot_strs_free(keys, nk);
	scuot_h5_close(d);
	scuot_h5_close(g);
	H5Fclose(f);
	return ret;
}

/* ==== writing ==== */

/* A key or column name h5ad can store: not empty, no '/', not "." . */
static int check_key(const char *where, const char *key, scuot_err *e)
{
	if (!key || !*key || strchr(key, '/') || strcmp(key, ".") == 0)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: name '%s' cannot be stored in an h5ad file (empty, '.' or "
		                     "containing '/'); rename it",
		                     where, key ? key : "");
	return 0;
}

static int check_names(const scuot_adata *a, scuot_err *e)
{
	const scuot_df *dfs[2] = { &a->obs, &a->var };
	int ret = 0;
	for (int k = 0; k < 2 && !ret; k++) {
		const char *idx = dfs[k]->index_name ? dfs[k]->index_name : "_index";
		const char *where = k ? "var" : "obs";
		ret = check_key(where, idx, e);
		for (int j = 0; j < dfs[k]->ncol && !ret; j++) {
			if ((ret = check_key(where, dfs[k]->cols[j].name, e)))
				break;
			if (strcmp(dfs[k]->cols[j].name, idx) == 0 ||
			    strcmp(dfs[k]->cols[j].name, "_index") == 0)
				ret =
				    scuot_err_set(e, SCUOT_EINPUT,
				                  "%s: column '%s' has the name of the index dataset; rename "
				                  "it",
				                  where, dfs[k]->cols[j].name);
		}
	}
	for (int i = 0; i < a->n_obsm && !ret; i++)
		ret = check_key("obsm", a->obsm[i].key, e);
	for (int i = 0; i < a->n_varm && !ret; i++)
		ret = check_key("varm", a->varm[i].key, e);
	for (int i = 0; i < a->n_layers && !ret; i++)
		ret = check_key("layers", a->layers[i].key, e);
	return ret;
}

static int write_i64s(hid_t g, const char *name, const int64_t *v, int64_t n, scuot_err *e)
{
	return scuot_h5_write(g, name, H5T_NATIVE_INT64, H5T_STD_I64LE, 1, &n, v, "array", "0.2.0", e);
}

/* n flags (0/1) as a numpy-bool array; values other than 0 are written as TRUE. */
static int write_bools(hid_t g, const char *name, const uint8_t *v, const uint8_t *zero_where, int64_t n,
                       scuot_err *e)
{
	int8_t *t = scuot_alloc((size_t)n, 1, 0, "booleans", e);
	hid_t bt = scuot_h5_bool_type();
	int ret;
	if (!t || bt < 0) {
		free(t);
		scuot_h5_close(bt);
		return t   ? scuot_h5_errh(e, SCUOT_EIO, g, name, "cannot create the bool type")
		       : e ? e->code
		           : SCUOT_ENOMEM;
	}
	for (int64_t r = 0; r < n; r++)
		t[r] = (int8_t)(v[r] != 0 && !(zero_where && zero_where[r]));
	ret = scuot_h5_write(g, name, bt, bt, 1, &n, t, "array", "0.2.0", e);
	free(t);
	H5Tclose(bt);
	return ret;
}

static int write_categorical(hid_t g, const scuot_col *c, int64_t n, scuot_err *e)
{
	hid_t cg = scuot_h5_group(g, c->name, 0, e);
	void *codes = NULL;
	hid_t mt, ft;
	size_t w;
	int ret;
	if (cg < 0)
		return (int)cg;
	if ((ret = scuot_h5_set_encoding(cg, "categorical", "0.2.0", e)) ||
	    (ret = scuot_h5_attr_set_bool(cg, "ordered", c->ordered, e)))
		goto done;
	/* the smallest signed width holding every code and -1, as pandas picks it */
	if (c->ncat <= INT8_MAX + 1)
		w = 1, mt = H5T_NATIVE_INT8, ft = H5T_STD_I8LE;
	else if (c->ncat <= INT16_MAX + 1)
		w = 2, mt = H5T_NATIVE_INT16, ft = H5T_STD_I16LE;
	else
		w = 4, mt = H5T_NATIVE_INT32, ft = H5T_STD_I32LE;
	if (!(codes = scuot_alloc((size_t)n, w, 0, "codes", e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int64_t r = 0; r < n; r++) {
		int32_t k = c->codes[r];
		if (k < -1 || k >= c->ncat) {
			ret = scuot_h5_err(e, SCUOT_EINTERNAL, cg, "codes",
			                   "row %lld: code %d outside [-1, %lld)", (long long)r, k,
			                   (long long)c->ncat);
			goto done;
		}
		if (w == 1)
			((int8_t *)codes)[r] = (int8_t)k;
		else if (w == 2)
			((int16_t *)codes)[r] = (int16_t)k;
		else
			((int32_t *)codes)[r] = k;
	}
	if ((ret = scuot_h5_write(cg, "codes", mt, ft, 1, &n, codes, "array", "0.2.0", e)))
		goto done;
	ret = scuot_h5_write_strs(cg, "categories", c->cats, c->ncat, 1, "string-array", "0.2.0", e);
done:
	free(codes);
	H5Gclose(cg);
	return ret;
}

/* Group of a nullable encoding holding values (written by the caller) and mask. */
static hid_t nullable_group(hid_t g, const char *name, const char *enc, const uint8_t *mask, int64_t n,
                            scuot_err *e)
{
	hid_t cg = scuot_h5_group(g, name, 0, e);
	if (cg < 0)
		return cg;
	if (scuot_h5_set_encoding(cg, enc, "0.1.0", e) || write_bools(cg, "mask", mask, NULL, n, e)) {
		H5Gclose(cg);
		return e ? e->code : SCUOT_EIO;
	}
	return cg;
}

static int write_column(hid_t g, const scuot_col *c, int64_t n, scuot_err *e)
{
	hid_t cg = -1;
	int64_t *iv = NULL;
	uint8_t *mask = NULL;
	int ret = 0;
	switch (c->type) {
	case SCUOT_COL_FLOAT:
		return scuot_h5_write(g, c->name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, &n, c->f, "array",
		                      "0.2.0", e);
	case SCUOT_COL_INT:
		if (!c->mask)
			return write_i64s(g, c->name, c->i, n, e);
		if ((cg = nullable_group(g, c->name, "nullable-integer", c->mask, n, e)) < 0)
			return (int)cg;
		if (!(iv = scuot_alloc((size_t)n, sizeof *iv, 0, "values", e))) {
			ret = e ? e->code : SCUOT_ENOMEM;
			break;
		}
		for (int64_t r = 0; r < n; r++)
			iv[r] = c->mask[r] ? 0 : c->i[r];
		ret = write_i64s(cg, "values", iv, n, e);
		break;
	case SCUOT_COL_BOOL:
		if (!c->mask)
			return write_bools(g, c->name, c->b, NULL, n, e);
		if ((cg = nullable_group(g, c->name, "nullable-boolean", c->mask, n, e)) < 0)
			return (int)cg;
		ret = write_bools(cg, "values", c->b, c->mask, n, e);
		break;
	case SCUOT_COL_STRING: {
		int missing = 0;
		for (int64_t r = 0; r < n && !missing; r++)
			missing = !c->s[r] || (c->mask && c->mask[r]);
		if (!missing)
			return scuot_h5_write_strs(g, c->name, c->s, n, 1, "string-array", "0.2.0", e);
		char **v = scuot_alloc((size_t)n, sizeof *v, 0, "values", e);
		if (!v || !(mask = scuot_alloc((size_t)n, 1, 0, "mask", e))) {
			free(v);
			return e ? e->code : SCUOT_ENOMEM;
		}
		for (int64_t r = 0; r < n; r++) {
			mask[r] = !c->s[r] || (c->mask && c->mask[r]);
			v[r] = mask[r] ? NULL : c->s[r];
		}
		if ((cg = nullable_group(g, c->name, "nullable-string-array", mask, n, e)) < 0)
			ret = (int)cg;
		else
			ret = scuot_h5_write_strs(cg, "values", v, n, 1, "string-array", "0.2.0", e);
		free(v);
		break;
	}
	case SCUOT_COL_CATEGORICAL: return write_categorical(g, c, n, e);
	default: return scuot_h5_err(e, SCUOT_EINTERNAL, g, c->name, "unknown column type %d", c->type);
	}
	free(iv);
	free(mask);
	scuot_h5_close(cg);
	return ret;
}

static int write_df(hid_t f, const char *name, const scuot_df *df, scuot_err *e)
{
	const char *idx = df->index_name ? df->index_name : "_index";
	char **names = NULL;
	hid_t g = scuot_h5_group(f, name, 1, e);
	int ret;
	if (g < 0)
		return (int)g;
	if (!(names = scuot_alloc((size_t)df->ncol, sizeof *names, 0, "column names", e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int j = 0; j < df->ncol; j++)
		names[j] = df->cols[j].name;
	if ((ret = scuot_h5_set_encoding(g, "dataframe", "0.2.0", e)) ||
	    (ret = scuot_h5_attr_set_str(g, "_index", idx, e)) ||
	    (ret = scuot_h5_attr_set_strs(g, "column-order", names, df->ncol, e)) ||
	    (ret = scuot_h5_write_strs(g, idx, df->index, df->n, 1, "string-array", "0.2.0", e)))
		goto done;
	for (int j = 0; j < df->ncol && !ret; j++)
		ret = write_column(g, &df->cols[j], df->n, e);
done:
	free(names);
	H5Gclose(g);
	return ret;
}

static int write_csr(hid_t loc, const char *name, const scuot_csr *c, scuot_err *e)
{
	int64_t shape[2] = { c->nrow, c->ncol }, np = c->nrow + 1;
	hid_t g = scuot_h5_group(loc, name, 0, e);
	int ret;
	if (g < 0)
		return (int)g;
	if (!(ret = scuot_h5_set_encoding(g, "csr_matrix", "0.1.0", e)) &&
	    !(ret = scuot_h5_attr_set_i64s(g, "shape", shape, 2, e)) &&
	    !(ret = scuot_h5_write(g, "data", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, 1, &c->nnz, c->data, NULL,
	                           NULL, e)) &&
	    !(ret = scuot_h5_write(g, "indices", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, &c->nnz, c->indices,
	                           NULL, NULL, e)))
		ret = scuot_h5_write(g, "indptr", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, &np, c->indptr, NULL,
		                     NULL, e);
	H5Gclose(g);
	return ret;
}

static hid_t dict_group(hid_t loc, const char *name, scuot_err *e)
{
	hid_t g = scuot_h5_group(loc, name, 0, e);
	if (g >= 0 && scuot_h5_set_encoding(g, "dict", "0.1.0", e)) {
		H5Gclose(g);
		return e ? e->code : SCUOT_EIO;
	}
	return g;
}

static int write_dense_map(hid_t f, const char *name, const scuot_named_mat *arr, int cnt, scuot_err *e)
{
	hid_t g = dict_group(f, name, e);
	int ret = 0;
	if (g < 0)
		return (int)g;
	for (int i = 0; i < cnt && !ret; i++) {
		int64_t dims[2] = { arr[i].m->nrow, arr[i].m->ncol };
		ret = scuot_h5_write(g, arr[i].key, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, dims,
		                     arr[i].m->data, "array", "0.2.0", e);
	}
	H5Gclose(g);
	return ret;
}

static int write_uns(hid_t loc, const scuot_uns *u, int depth, scuot_err *e)
{
	const char *key = depth ? u->key : "uns";
	int ret = 0;
	if (depth && (ret = check_key("uns", key, e)))
		return ret;
	switch (u->type) {
	case SCUOT_UNS_DICT: {
		hid_t g = dict_group(loc, key, e);
		if (g < 0)
			return (int)g;
		for (int i = 0; i < u->nchild && !ret; i++)
			ret = write_uns(g, &u->child[i], depth + 1, e);
		H5Gclose(g);
		return ret;
	}
	case SCUOT_UNS_NUM:
		if (u->is_int) {
			int64_t v = (int64_t)llround(u->num);
			return scuot_h5_write(loc, key, H5T_NATIVE_INT64, H5T_STD_I64LE, 0, NULL, &v,
			                      "numeric-scalar", "0.2.0", e);
		}
		return scuot_h5_write(loc, key, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 0, NULL, &u->num,
		                      "numeric-scalar", "0.2.0", e);
	case SCUOT_UNS_STR: {
		char *s = u->str;
		return scuot_h5_write_strs(loc, key, &s, 1, 0, "string", "0.2.0", e);
	}
	case SCUOT_UNS_ARRAY: {
		int64_t n = 1;
		int64_t *iv = NULL;
		if (u->ndim < 1 || u->ndim > 8)
			return scuot_err_set(e, SCUOT_EINTERNAL, "uns/%s: array of %d dimensions", key,
			                     u->ndim);
		for (int k = 0; k < u->ndim; k++)
			n *= u->dims[k];
		if (!u->is_int)
			return scuot_h5_write(loc, key, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, u->ndim, u->dims,
			                      u->arr, "array", "0.2.0", e);
		if (!(iv = scuot_alloc((size_t)n, sizeof *iv, 0, "uns array", e)))
			return e ? e->code : SCUOT_ENOMEM;
		for (int64_t k = 0; k < n; k++)
			iv[k] = (int64_t)llround(u->arr[k]);
		ret = scuot_h5_write(loc, key, H5T_NATIVE_INT64, H5T_STD_I64LE, u->ndim, u->dims, iv, "array",
		                     "0.2.0", e);
		free(iv);
		return ret;
	}
	case SCUOT_UNS_STRARRAY:
		return scuot_h5_write_strs(loc, key, u->strs, u->nstr, 1, "string-array", "0.2.0", e);
	}
	return scuot_err_set(e, SCUOT_EINTERNAL, "uns/%s: unknown node type %d", key, u->type);
}

static int write_file(hid_t f, const scuot_adata *a, scuot_err *e)
{
	hid_t g = -1;
	int ret;
	if ((ret = scuot_h5_set_encoding(f, "anndata", "0.1.0", e)) ||
	    (ret = write_df(f, "obs", &a->obs, e)) || (ret = write_df(f, "var", &a->var, e)))
		return ret;
	if (a->X && (ret = write_csr(f, "X", a->X, e)))
		return ret;
	if ((g = dict_group(f, "layers", e)) < 0)
		return (int)g;
	for (int i = 0; i < a->n_layers && !ret; i++)
		ret = write_csr(g, a->layers[i].key, a->layers[i].c, e);
	H5Gclose(g);
	if (ret || (ret = write_dense_map(f, "obsm", a->obsm, a->n_obsm, e)) ||
	    (ret = write_dense_map(f, "varm", a->varm, a->n_varm, e)))
		return ret;
	if ((g = dict_group(f, "obsp", e)) < 0)
		return (int)g;
	H5Gclose(g);
	if ((g = dict_group(f, "varp", e)) < 0)
		return (int)g;
	H5Gclose(g);
	return write_uns(f, &a->uns, 0, e);
}

static int write_body(hid_t f, const void *ctx, scuot_err *e)
{
	return write_file(f, (const scuot_adata *)ctx, e);
}

int scuot_h5ad_write(const char *path, const scuot_adata *a, scuot_err *e)
{
	int ret;
	if ((ret = scuot_adata_check(a, e)) || (ret = check_names(a, e))) {
		scuot_err_prefix(e, "%s: ", path);
		return ret;
	}
	if (a->uns.type != SCUOT_UNS_DICT)
		return scuot_err_set(e, SCUOT_EINTERNAL, "%s: uns root is not a dict", path);
	return scuot_h5_write_file(path, write_body, a, e);
}
