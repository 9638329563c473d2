/* test_h5ad.c -- unit tests of the h5ad reader and writer and of the HDF5 helpers (src/lib/io/h5ad.c,
 * h5util.c). Round trips of every column type, uns tree, obsm/varm/layers, part selection, memory images and
 * bad files. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "io/h5ad.h"
#include "io/h5util_internal.h"

/* ---- scratch directory, error records ---- */

/* An error record keeps its first error: clear it before a call expected to fail. */
static scuot_err *fresh(scuot_err *e)
{
	memset(e, 0, sizeof *e);
	return e;
}

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/scuot_test_h5ad_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	scuot_log_set_level(SCUOT_LOG_ERROR);
}

static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			snprintf(p, sizeof p, "%s/%s", dir, de->d_name), unlink(p);
	if (d)
		closedir(d);
	rmdir(dir);
}

static const char *path_of(const char *name)
{
	static char p[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static int count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	while (d && (de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

/* ---- building objects ---- */

static char **strs(int64_t n, const char *fmt)
{
	char **a = calloc((size_t)n + 1, sizeof *a), buf[64];
	cr_assert_not_null(a);
	for (int64_t i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, fmt, (long long)i);
		a[i] = strdup(buf);
	}
	return a;
}

static scuot_csr *make_csr(int64_t nr, int64_t nc, int seed)
{
	scuot_err e = { 0 };
	scuot_csr *c = scuot_csr_new(nr, nc, nr * nc, &e);
	int64_t p = 0;
	cr_assert_not_null(c, "%s", e.msg);
	for (int64_t i = 0; i < nr; i++) {
		for (int64_t j = 0; j < nc; j++)
			if ((i * 7 + j * 3 + seed) % 4 == 0) {
				c->indices[p] = (int32_t)j;
				c->data[p++] = (float)((double)(i + 1) * 0.5 + (double)j * 0.25 + seed);
			}
		c->indptr[i + 1] = p;
	}
	c->nnz = p;
	return c;
}

/* n_obs x n_var object with every column type, obsm, varm, layers and a nested uns. */
static scuot_adata *make_sample(int64_t n, int64_t m)
{
	scuot_err e = { 0 };
	scuot_adata *a = scuot_adata_new(n, m, &e);
	scuot_col *c;
	scuot_uns *d, *u;
	cr_assert_not_null(a, "%s", e.msg);
	a->X = make_csr(n, m, 0);
	cr_assert_eq(scuot_df_set_index(&a->obs, strs(n, "cell-%lld"), n, &e), 0);
	cr_assert_eq(scuot_df_set_index(&a->var, strs(m, "gene%lld"), m, &e), 0);
	a->var.index_name = strdup("gene_ids");
	cr_assert_not_null(c = scuot_df_add(&a->obs, "day", SCUOT_COL_FLOAT, &e));
	for (int64_t r = 0; r < n; r++)
		c->f[r] = r == 1 ? NAN : (double)r / 3;
	cr_assert_not_null(c = scuot_df_add(&a->obs, "count", SCUOT_COL_INT, &e));
	for (int64_t r = 0; r < n; r++)
		c->i[r] = (r - 2) * 3000000000LL;
	cr_assert_not_null(c = scuot_df_add(&a->obs, "nint", SCUOT_COL_INT, &e));
	c->mask = calloc((size_t)n + 1, 1);
	for (int64_t r = 0; r < n; r++)
		c->i[r] = r + 100, c->mask[r] = r % 3 == 0;
	cr_assert_not_null(c = scuot_df_add(&a->obs, "flag", SCUOT_COL_BOOL, &e));
	for (int64_t r = 0; r < n; r++)
		c->b[r] = r % 2;
	cr_assert_not_null(c = scuot_df_add(&a->obs, "nbool", SCUOT_COL_BOOL, &e));
	c->mask = calloc((size_t)n + 1, 1);
	for (int64_t r = 0; r < n; r++)
		c->b[r] = r % 3 == 1, c->mask[r] = r == 2;
	cr_assert_not_null(c = scuot_df_add(&a->obs, "label", SCUOT_COL_STRING, &e));
	for (int64_t r = 0; r < n; r++)
		c->s[r] = strdup(r == 0 ? "" : r == 1 ? "caf\xc3\xa9" : "plain");
	cr_assert_not_null(c = scuot_df_add(&a->obs, "note", SCUOT_COL_STRING, &e));
	for (int64_t r = 0; r < n; r++)
		c->s[r] = r == 3 ? NULL : strdup("n");
	cr_assert_not_null(c = scuot_df_add(&a->obs, "cluster", SCUOT_COL_CATEGORICAL, &e));
	c->cats = strs(3, "c%lld"), c->ncat = 3;
	for (int64_t r = 0; r < n; r++)
		c->codes[r] = r == 2 ? -1 : (int32_t)(r % 3);
	cr_assert_not_null(c = scuot_df_add(&a->obs, "many", SCUOT_COL_CATEGORICAL, &e));
	c->cats = strs(300, "k%lld"), c->ncat = 300, c->ordered = 1; /* int16 codes */
	for (int64_t r = 0; r < n; r++)
		c->codes[r] = (int32_t)(r * 97 % 300);
	cr_assert_not_null(c = scuot_df_add(&a->var, "mean", SCUOT_COL_FLOAT, &e));
	for (int64_t r = 0; r < m; r++)
		c->f[r] = r * 1.5;
	scuot_mat *pca = scuot_mat_new(n, 2, &e), *pcs = scuot_mat_new(m, 3, &e);
	for (int64_t k = 0; k < n * 2; k++)
		pca->data[k] = k - 0.5;
	for (int64_t k = 0; k < m * 3; k++)
		pcs->data[k] = 1.0 / (double)(k + 1);
	cr_assert_eq(scuot_adata_set_obsm(a, "X_pca", pca, &e), 0);
	a->varm = calloc(1, sizeof *a->varm);
	a->varm[0].key = strdup("PCs"), a->varm[0].m = pcs, a->n_varm = 1;
	cr_assert_eq(scuot_adata_set_layer(a, "counts", make_csr(n, m, 1), &e), 0);
	cr_assert_eq(scuot_uns_set_str(&a->uns, "method", "sinkhorn", &e), 0);
	cr_assert_eq(scuot_uns_set_num(&a->uns, "seed", 7, 1, &e), 0);
	cr_assert_not_null(d = scuot_uns_add(&a->uns, "params", SCUOT_UNS_DICT, &e));
	cr_assert_eq(scuot_uns_set_num(d, "eps", 0.01, 0, &e), 0);
	cr_assert_not_null(u = scuot_uns_add(d, "grid", SCUOT_UNS_ARRAY, &e));
	u->ndim = 2, u->dims[0] = 2, u->dims[1] = 2, u->arr = calloc(4, sizeof *u->arr);
	for (int k = 0; k < 4; k++)
		u->arr[k] = k + 0.5;
	cr_assert_not_null(u = scuot_uns_add(d, "names", SCUOT_UNS_STRARRAY, &e));
	u->strs = strs(2, "name%lld"), u->nstr = 2;
	cr_assert_not_null(scuot_uns_add(d, "empty", SCUOT_UNS_DICT, &e));
	return a;
}

/* ---- comparing objects ---- */

static void csr_eq(const scuot_csr *x, const scuot_csr *y, const char *what)
{
	cr_assert(x && y, "%s: one side is missing", what);
	cr_assert(x->nrow == y->nrow && x->ncol == y->ncol && x->nnz == y->nnz,
	          "%s: %lldx%lld/%lld vs %lldx%lld/%lld", what, (long long)x->nrow, (long long)x->ncol,
	          (long long)x->nnz, (long long)y->nrow, (long long)y->ncol, (long long)y->nnz);
	for (int64_t i = 0; i <= x->nrow; i++)
		cr_assert_eq(x->indptr[i], y->indptr[i], "%s: indptr[%lld] %lld vs %lld", what, (long long)i,
		             (long long)x->indptr[i], (long long)y->indptr[i]);
	for (int64_t k = 0; k < x->nnz; k++) {
		cr_assert_eq(x->indices[k], y->indices[k], "%s: indices[%lld]", what, (long long)k);
		cr_assert_eq(x->data[k], y->data[k], "%s: data[%lld] %g vs %g", what, (long long)k,
		             x->data[k], y->data[k]);
	}
}

static void col_eq(const scuot_col *x, const scuot_col *y, int64_t n)
{
	cr_assert_str_eq(x->name, y->name);
	cr_assert_eq(x->type, y->type, "column %s: type %d vs %d", x->name, x->type, y->type);
	int str = x->type == SCUOT_COL_STRING;
	/* a STRING column with NULL entries comes back with a mask (nullable-string-array) */
	if (!str)
		cr_assert_eq(!x->mask, !y->mask, "column %s: mask presence differs", x->name);
	for (int64_t r = 0; r < n; r++) {
		int mx = (x->mask && x->mask[r]) || (str && !x->s[r]),
		    my = (y->mask && y->mask[r]) || (str && !y->s[r]);
		cr_assert_eq(mx, my, "column %s row %lld: mask %d vs %d", x->name, (long long)r, mx, my);
		if (mx)
			continue;
		switch (x->type) {
		case SCUOT_COL_FLOAT:
			cr_assert((isnan(x->f[r]) && isnan(y->f[r])) || x->f[r] == y->f[r],
			          "column %s row %lld: %g vs %g", x->name, (long long)r, x->f[r], y->f[r]);
			break;
		case SCUOT_COL_INT:
			cr_assert_eq(x->i[r], y->i[r], "column %s row %lld: %lld vs %lld", x->name,
			             (long long)r, (long long)x->i[r], (long long)y->i[r]);
			break;
		case SCUOT_COL_BOOL:
			cr_assert_eq(x->b[r], y->b[r], "column %s row %lld", x->name, (long long)r);
			break;
		case SCUOT_COL_STRING:
			cr_assert_eq(!x->s[r], !y->s[r], "column %s row %lld: NULL on one side", x->name,
			             (long long)r);
			if (x->s[r])
				cr_assert_str_eq(x->s[r], y->s[r], "column %s row %lld", x->name,
				                 (long long)r);
			break;
		case SCUOT_COL_CATEGORICAL:
			cr_assert_eq(x->codes[r], y->codes[r], "column %s row %lld: code %d vs %d", x->name,
			             (long long)r, x->codes[r], y->codes[r]);
			break;
		}
	}
	if (x->type == SCUOT_COL_CATEGORICAL) {
		cr_assert_eq(x->ncat, y->ncat);
		cr_assert_eq(x->ordered, y->ordered, "column %s: ordered flag", x->name);
		for (int64_t k = 0; k < x->ncat; k++)
			cr_assert_str_eq(x->cats[k], y->cats[k]);
	}
}

static void df_eq(const scuot_df *x, const scuot_df *y)
{
	cr_assert_eq(x->n, y->n);
	cr_assert_str_eq(x->index_name ? x->index_name : "_index", y->index_name ? y->index_name : "_index");
	for (int64_t r = 0; r < x->n; r++)
		cr_assert_str_eq(x->index[r], y->index[r]);
	cr_assert_eq(x->ncol, y->ncol, "%d vs %d columns", x->ncol, y->ncol);
	for (int j = 0; j < x->ncol; j++)
		col_eq(&x->cols[j], &y->cols[j], x->n);
}

static void uns_eq(const scuot_uns *x, const scuot_uns *y)
{
	cr_assert_eq(x->type, y->type, "uns %s: type %d vs %d", x->key ? x->key : "/", x->type, y->type);
	switch (x->type) {
	case SCUOT_UNS_DICT:
		cr_assert_eq(x->nchild, y->nchild, "uns %s: %d vs %d children", x->key ? x->key : "/",
		             x->nchild, y->nchild);
		for (int i = 0; i < x->nchild; i++) {
			const scuot_uns *c = scuot_uns_get(y, x->child[i].key);
			cr_assert_not_null(c, "uns: key %s missing after the round trip", x->child[i].key);
			uns_eq(&x->child[i], c);
		}
		break;
	case SCUOT_UNS_NUM:
		cr_assert_eq(x->is_int, y->is_int);
		cr_assert_eq(x->num, y->num, "uns %s: %g vs %g", x->key, x->num, y->num);
		break;
	case SCUOT_UNS_STR: cr_assert_str_eq(x->str, y->str); break;
	case SCUOT_UNS_ARRAY: {
		int64_t n = 1;
		cr_assert_eq(x->ndim, y->ndim);
		for (int k = 0; k < x->ndim; k++) {
			cr_assert_eq(x->dims[k], y->dims[k]);
			n *= x->dims[k];
		}
		for (int64_t k = 0; k < n; k++)
			cr_assert_eq(x->arr[k], y->arr[k]);
		break;
	}
	case SCUOT_UNS_STRARRAY:
		cr_assert_eq(x->nstr, y->nstr);
		for (int64_t k = 0; k < x->nstr; k++)
			cr_assert_str_eq(x->strs[k], y->strs[k]);
		break;
	}
}

static void mat_eq(const scuot_mat *x, const scuot_mat *y)
{
	cr_assert(x->nrow == y->nrow && x->ncol == y->ncol);
	for (int64_t k = 0; k < x->nrow * x->ncol; k++)
		cr_assert_eq(x->data[k], y->data[k], "element %lld: %g vs %g", (long long)k, x->data[k],
		             y->data[k]);
}

static void adata_eq(const scuot_adata *x, const scuot_adata *y)
{
	cr_assert_eq(x->n_obs, y->n_obs);
	cr_assert_eq(x->n_var, y->n_var);
	if (x->X || y->X)
		csr_eq(x->X, y->X, "X");
	df_eq(&x->obs, &y->obs);
	df_eq(&x->var, &y->var);
	cr_assert_eq(x->n_obsm, y->n_obsm);
	for (int i = 0; i < x->n_obsm; i++)
		mat_eq(x->obsm[i].m, scuot_adata_get_obsm(y, x->obsm[i].key));
	cr_assert_eq(x->n_varm, y->n_varm);
	for (int i = 0; i < x->n_varm; i++) {
		cr_assert_str_eq(x->varm[i].key, y->varm[i].key);
		mat_eq(x->varm[i].m, y->varm[i].m);
	}
	cr_assert_eq(x->n_layers, y->n_layers);
	for (int i = 0; i < x->n_layers; i++) {
		cr_assert_str_eq(x->layers[i].key, y->layers[i].key);
		csr_eq(x->layers[i].c, y->layers[i].c, "layer");
	}
	uns_eq(&x->uns, &y->uns);
}

static scuot_adata *roundtrip(const scuot_adata *a, const char *name)
{
	scuot_err e = { 0 };
	scuot_adata *b = NULL;
	cr_assert_eq(scuot_h5ad_write(path_of(name), a, &e), 0, "write: %s", e.msg);
	cr_assert_eq(scuot_h5ad_read(path_of(name), SCUOT_H5AD_ALL, &b, &e), 0, "read: %s", e.msg);
	return b;
}

/* ---- round trips ---- */

TestSuite(h5ad, .init = setup, .fini = teardown);

Test(h5ad, roundtrip_every_type)
{
	scuot_adata *a = make_sample(7, 5), *b = roundtrip(a, "rt.h5ad");
	adata_eq(a, b);
	/* the STRING column with a NULL came back through nullable-string-array with a mask */
	const scuot_col *c = &b->obs.cols[scuot_df_find(&b->obs, "note")];
	cr_assert_not_null(c->mask);
	cr_assert(c->mask[3] && !c->s[3]);
	scuot_adata_free(a);
	scuot_adata_free(b);
}

Test(h5ad, written_layout)
{
	scuot_err e = { 0 };
	scuot_adata *a = make_sample(4, 3);
	char *s = NULL;
	cr_assert_eq(scuot_h5ad_write(path_of("lay.h5ad"), a, &e), 0, "%s", e.msg);
	hid_t f = scuot_h5_open(path_of("lay.h5ad"), &e);
	cr_assert(f >= 0, "%s", e.msg);
	static const char *const enc[][2] = {
		{ "/", "anndata" },
		{ "obs", "dataframe" },
		{ "X", "csr_matrix" },
		{ "layers", "dict" },
		{ "obsm", "dict" },
		{ "varm", "dict" },
		{ "obsp", "dict" },
		{ "varp", "dict" },
		{ "uns", "dict" },
		{ "obs/cluster", "categorical" },
		{ "obs/nint", "nullable-integer" },
		{ "obs/nbool", "nullable-boolean" },
		{ "obs/note", "nullable-string-array" },
		{ "obs/label", "string-array" },
		{ "obs/day", "array" },
		{ "uns/seed", "numeric-scalar" },
		{ "uns/method", "string" },
		{ "var/gene_ids", "string-array" },
	};
	for (size_t k = 0; k < sizeof enc / sizeof *enc; k++) {
		hid_t o = H5Oopen(f, enc[k][0], H5P_DEFAULT);
		cr_assert(o >= 0, "%s missing", enc[k][0]);
		cr_assert_eq(scuot_h5_attr_str(o, "encoding-type", &s, &e), 0);
		cr_assert_str_eq(s, enc[k][1], "%s: encoding-type %s, expected %s", enc[k][0], s, enc[k][1]);
		free(s);
		H5Oclose(o);
	}
	/* dtypes: indptr int64, indices int32, data float32, codes int8 / int16 */
	static const char *const dt[][3] = { { "X/indptr", "8", "i" },
		                             { "X/indices", "4", "i" },
		                             { "X/data", "4", "f" },
		                             { "obs/cluster/codes", "1", "i" },
		                             { "obs/many/codes", "2", "i" } };
	for (size_t k = 0; k < sizeof dt / sizeof *dt; k++) {
		hid_t d = H5Dopen2(f, dt[k][0], H5P_DEFAULT), t = H5Dget_type(d),
		      dcpl = H5Dget_create_plist(d);
		cr_assert_eq(H5Tget_size(t), (size_t)atoi(dt[k][1]), "%s: size %zu", dt[k][0],
		             H5Tget_size(t));
		cr_assert_eq(H5Tget_class(t), dt[k][2][0] == 'i' ? H5T_INTEGER : H5T_FLOAT, "%s: class",
		             dt[k][0]);
		if (dt[k][2][0] == 'i')
			cr_assert_eq(H5Tget_sign(t), H5T_SGN_2, "%s must be signed", dt[k][0]);
		cr_assert_eq(H5Pget_layout(dcpl), H5D_CHUNKED, "%s must be chunked", dt[k][0]);
		cr_assert_geq(H5Pget_nfilters(dcpl), 1, "%s must be compressed", dt[k][0]);
		H5Pclose(dcpl), H5Tclose(t), H5Dclose(d);
	}
	int64_t shape[2];
	int ns;
	hid_t x = H5Gopen2(f, "X", H5P_DEFAULT);
	cr_assert_eq(scuot_h5_attr_i64s(x, "shape", shape, 2, &ns, &e), 0);
	cr_assert(ns == 2 && shape[0] == 4 && shape[1] == 3);
	H5Gclose(x);
	/* bools are the numpy-bool enum */
	hid_t d = H5Dopen2(f, "obs/flag", H5P_DEFAULT);
	cr_assert_eq(scuot_h5_kind(d), SCUOT_H5_BOOL);
	H5Dclose(d);
	H5Fclose(f);
	scuot_adata_free(a);
}

Test(h5ad, chunks_are_bounded)
{
	/* 600,000 float32 values: chunks of 256 Ki elements (1 MiB) */
	scuot_err e = { 0 };
	int64_t n = 600000;
	scuot_adata *a = scuot_adata_new(n, 1, &e);
	a->X = scuot_csr_new(n, 1, n, &e);
	for (int64_t i = 0; i < n; i++)
		a->X->indptr[i + 1] = i + 1, a->X->indices[i] = 0, a->X->data[i] = (float)(i % 17 + 1);
	cr_assert_eq(scuot_df_set_index(&a->obs, strs(n, "%lld"), n, &e), 0);
	cr_assert_eq(scuot_df_set_index(&a->var, strs(1, "g%lld"), 1, &e), 0);
	cr_assert_eq(scuot_h5ad_write(path_of("big.h5ad"), a, &e), 0, "%s", e.msg);
	hid_t f = scuot_h5_open(path_of("big.h5ad"), &e);
	hid_t d = H5Dopen2(f, "X/data", H5P_DEFAULT), dcpl = H5Dget_create_plist(d);
	hsize_t ch[1];
	cr_assert_eq(H5Pget_chunk(dcpl, 1, ch), 1);
	cr_assert_eq(ch[0], (hsize_t)1 << 18, "chunk of %llu elements, expected 262144",
	             (unsigned long long)ch[0]);
	H5Pclose(dcpl), H5Dclose(d);
	d = H5Dopen2(f, "X/indptr", H5P_DEFAULT), dcpl = H5Dget_create_plist(d);
	H5Pget_chunk(dcpl, 1, ch);
	cr_assert_eq(ch[0], (hsize_t)1 << 17, "indptr chunk of %llu int64, expected 131072",
	             (unsigned long long)ch[0]);
	H5Pclose(dcpl), H5Dclose(d), H5Fclose(f);
	scuot_adata *b = NULL;
	cr_assert_eq(scuot_h5ad_read(path_of("big.h5ad"), SCUOT_H5AD_X, &b, &e), 0, "%s", e.msg);
	csr_eq(a->X, b->X, "X");
	scuot_adata_free(a), scuot_adata_free(b);
}

Test(h5ad, empty_columns_and_rows)
{
	scuot_err e = { 0 };
	/* no obs columns: column-order is written as h5py writes [] (float64, length 0) */
	scuot_adata *a = scuot_adata_new(3, 2, &e), *b;
	cr_assert_eq(scuot_df_set_index(&a->obs, strs(3, "c%lld"), 3, &e), 0);
	cr_assert_eq(scuot_df_set_index(&a->var, strs(2, "g%lld"), 2, &e), 0);
	b = roundtrip(a, "empty.h5ad");
	adata_eq(a, b);
	cr_assert_null(b->X);
	hid_t f = scuot_h5_open(path_of("empty.h5ad"), &e), g = H5Gopen2(f, "obs", H5P_DEFAULT);
	hid_t at = H5Aopen(g, "column-order", H5P_DEFAULT), t = H5Aget_type(at), sp = H5Aget_space(at);
	cr_assert_eq(H5Tget_class(t), H5T_FLOAT);
	cr_assert_eq(H5Tget_size(t), 8u);
	cr_assert_eq(H5Sget_simple_extent_npoints(sp), 0);
	H5Sclose(sp), H5Tclose(t), H5Aclose(at), H5Gclose(g), H5Fclose(f);
	scuot_adata_free(a), scuot_adata_free(b);
	/* zero cells, with columns, X and obsm */
	a = make_sample(0, 3);
	b = roundtrip(a, "zero.h5ad");
	adata_eq(a, b);
	scuot_adata_free(a), scuot_adata_free(b);
}

Test(h5ad, ten_thousand_columns)
{
	scuot_err e = { 0 };
	char name[32];
	scuot_adata *a = scuot_adata_new(3, 1, &e), *b;
	cr_assert_eq(scuot_df_set_index(&a->obs, strs(3, "c%lld"), 3, &e), 0);
	cr_assert_eq(scuot_df_set_index(&a->var, strs(1, "g%lld"), 1, &e), 0);
	for (int j = 0; j < 10000; j++) {
		snprintf(name, sizeof name, "column_with_a_long_name_%05d", 9999 - j);
		scuot_col *c = scuot_df_add(&a->obs, name, SCUOT_COL_FLOAT, &e);
		cr_assert_not_null(c, "%s", e.msg);
		for (int r = 0; r < 3; r++)
			c->f[r] = j * 10 + r;
	}
	b = roundtrip(a, "wide.h5ad");
	cr_assert_eq(b->obs.ncol, 10000);
	df_eq(&a->obs, &b->obs); /* same order: column-order, not HDF5 name order */
	scuot_adata_free(a), scuot_adata_free(b);
}

/* ---- partial reads, memory images, obsm ---- */

Test(h5ad, parts)
{
	scuot_err e = { 0 };
	scuot_adata *a = make_sample(6, 4), *b = NULL;
	cr_assert_eq(scuot_h5ad_write(path_of("p.h5ad"), a, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_h5ad_read(path_of("p.h5ad"), SCUOT_H5AD_OBS, &b, &e), 0, "%s", e.msg);
	cr_assert(b->n_obs == 6 && b->n_var == 4);
	df_eq(&a->obs, &b->obs);
	cr_assert_null(b->var.index, "var read although not asked for");
	cr_assert_eq(b->var.n, 4);
	cr_assert_null(b->X);
	cr_assert(b->n_obsm == 0 && b->n_varm == 0 && b->n_layers == 0 && b->uns.nchild == 0);
	scuot_adata_free(b);
	cr_assert_eq(scuot_h5ad_read(path_of("p.h5ad"), SCUOT_H5AD_X | SCUOT_H5AD_UNS, &b, &e), 0, "%s",
	             e.msg);
	csr_eq(a->X, b->X, "X");
	uns_eq(&a->uns, &b->uns);
	cr_assert(!b->obs.index && !b->var.index && b->n_obsm == 0 && b->n_layers == 0);
	scuot_adata_free(b);
	cr_assert_eq(
	    scuot_h5ad_read(path_of("p.h5ad"), SCUOT_H5AD_OBSM | SCUOT_H5AD_VARM | SCUOT_H5AD_LAYERS, &b, &e),
	    0, "%s", e.msg);
	cr_assert(b->n_obsm == 1 && b->n_varm == 1 && b->n_layers == 1 && !b->X);
	scuot_adata_free(b);
	scuot_adata_free(a);
}

static void *slurp(const char *p, size_t *len)
{
	FILE *fp = fopen(p, "rb");
	cr_assert_not_null(fp);
	fseek(fp, 0, SEEK_END);
	*len = (size_t)ftell(fp);
	fseek(fp, 0, SEEK_SET);
	void *buf = malloc(*len ? *len : 1);
	cr_assert_eq(fread(buf, 1, *len, fp), *len);
	fclose(fp);
	return buf;
}

Test(h5ad, memory_image)
{
	scuot_err e = { 0 };
	scuot_adata *a = make_sample(5, 3), *b = NULL;
	size_t len;
	cr_assert_eq(scuot_h5ad_write(path_of("m.h5ad"), a, &e), 0, "%s", e.msg);
	void *buf = slurp(path_of("m.h5ad"), &len);
	cr_assert_eq(scuot_h5ad_read_mem(buf, len, SCUOT_H5AD_ALL, &b, &e), 0, "%s", e.msg);
	adata_eq(a, b);
	scuot_adata_free(b);
	/* half an image is refused */
	cr_assert_eq(scuot_h5ad_read_mem(buf, len / 2, SCUOT_H5AD_ALL, &b, fresh(&e)), SCUOT_EINPUT);
	cr_assert_null(b);
	cr_assert(strstr(e.msg, "not an HDF5 file or truncated"), "message: %s", e.msg);
	free(buf);
	scuot_adata_free(a);
}

Test(h5ad, read_obsm)
{
	scuot_err e = { 0 };
	scuot_adata *a = make_sample(5, 3);
	scuot_mat *m = NULL;
	cr_assert_eq(scuot_h5ad_write(path_of("o.h5ad"), a, &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_h5ad_read_obsm(path_of("o.h5ad"), "X_pca", &m, &e), 0, "%s", e.msg);
	mat_eq(a->obsm[0].m, m);
	scuot_mat_free(m);
	cr_assert_eq(scuot_h5ad_read_obsm(path_of("o.h5ad"), "X_umap", &m, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "/obsm/X_umap") && strstr(e.msg, "X_pca"),
	          "message should name the key and list "
	          "X_pca: %s",
	          e.msg);
	scuot_adata_free(a);
}

/* ---- files written by hand: other layouts and bad files ---- */

/* Minimal h5ad skeleton: root attrs, obs and var with n_obs / n_var labels. */
static hid_t skeleton(const char *name, int64_t n, int64_t m, int with_obs)
{
	scuot_err e = { 0 };
	hid_t f = scuot_h5_create(path_of(name), &e), g;
	cr_assert(f >= 0, "%s", e.msg);
	cr_assert_eq(scuot_h5_set_encoding(f, "anndata", "0.1.0", &e), 0);
	for (int k = with_obs ? 0 : 1; k < 2; k++) {
		int64_t cnt = k ? m : n;
		char **lab = strs(cnt, k ? "g%lld" : "c%lld");
		g = scuot_h5_group(f, k ? "var" : "obs", 1, &e);
		cr_assert(g >= 0);
		cr_assert_eq(scuot_h5_set_encoding(g, "dataframe", "0.2.0", &e), 0);
		cr_assert_eq(scuot_h5_attr_set_str(g, "_index", "_index", &e), 0);
		cr_assert_eq(scuot_h5_attr_set_strs(g, "column-order", NULL, 0, &e), 0);
		cr_assert_eq(scuot_h5_write_strs(g, "_index", lab, cnt, 1, "string-array", "0.2.0", &e), 0,
		             "%s", e.msg);
		scuot_strs_free(lab, cnt);
		H5Gclose(g);
	}
	return f;
}

/* Sparse group name under loc with the given arrays (indptr int32, indices int64 to exercise widths). */
static void sparse_group(hid_t loc, const char *name, const char *enc, int64_t nr, int64_t nc,
                         const int32_t *ip, int64_t np, const int64_t *ix, const double *v, int64_t nnz)
{
	scuot_err e = { 0 };
	int64_t shape[2] = { nr, nc };
	hid_t g = scuot_h5_group(loc, name, 0, &e);
	cr_assert(g >= 0);
	cr_assert_eq(scuot_h5_set_encoding(g, enc, "0.1.0", &e), 0);
	cr_assert_eq(scuot_h5_attr_set_i64s(g, "shape", shape, 2, &e), 0);
	cr_assert_eq(scuot_h5_write(g, "indptr", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, &np, ip, NULL, NULL, &e),
	             0);
	cr_assert_eq(
	    scuot_h5_write(g, "indices", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, &nnz, ix, NULL, NULL, &e), 0);
	cr_assert_eq(scuot_h5_write(g, "data", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, &nnz, v, NULL, NULL, &e),
	             0);
	H5Gclose(g);
}

Test(h5ad, csc_and_dense_x)
{
	scuot_err e = { 0 };
	scuot_adata *b = NULL;
	/* 3 x 4 matrix [[1 0 0 2], [0 0 3 0], [4 5 0 0]] as CSC (columns of 3 cells) */
	int32_t ip[] = { 0, 2, 3, 4, 5 };
	int64_t ix[] = { 0, 2, 2, 1, 0 };
	double v[] = { 1, 4, 5, 3, 2 };
	hid_t f = skeleton("csc.h5ad", 3, 4, 1);
	sparse_group(f, "X", "csc_matrix", 3, 4, ip, 5, ix, v, 5);
	/* the same as a dense uint16 layer */
	uint16_t dense[12] = { 1, 0, 0, 2, 0, 0, 3, 0, 4, 5, 0, 0 };
	int64_t dims[2] = { 3, 4 };
	hid_t lg = scuot_h5_group(f, "layers", 0, &e);
	cr_assert_eq(scuot_h5_write(lg, "dense", H5T_NATIVE_UINT16, H5T_STD_U16BE, 2, dims, dense, "array",
	                            "0.2.0", &e),
	             0);
	H5Gclose(lg);
	H5Fclose(f);
	cr_assert_eq(scuot_h5ad_read(path_of("csc.h5ad"), SCUOT_H5AD_ALL, &b, &e), 0, "%s", e.msg);
	int64_t eip[] = { 0, 2, 3, 5 };
	int32_t eix[] = { 0, 3, 2, 0, 1 };
	float ev[] = { 1, 2, 3, 4, 5 };
	for (int k = 0; k < 2; k++) {
		const scuot_csr *c = k ? b->layers[0].c : b->X;
		cr_assert_eq(c->nnz, 5);
		for (int i = 0; i < 4; i++)
			cr_assert_eq(c->indptr[i], eip[i], "%s indptr[%d] = %lld", k ? "layer" : "X", i,
			             (long long)c->indptr[i]);
		for (int q = 0; q < 5; q++)
			cr_assert(c->indices[q] == eix[q] && c->data[q] == ev[q], "%s entry %d: (%d, %g)",
			          k ? "layer" : "X", q, c->indices[q], c->data[q]);
	}
	scuot_adata_free(b);
}

Test(h5ad, unsorted_rows_sorted_duplicates_refused)
{
	scuot_err e = { 0 };
	scuot_adata *b = NULL;
	int32_t ip[] = { 0, 3, 3 };
	int64_t ix[] = { 2, 0, 1 };
	double v[] = { 3, 1, 2 };
	hid_t f = skeleton("uns.h5ad", 2, 3, 1);
	sparse_group(f, "X", "csr_matrix", 2, 3, ip, 3, ix, v, 3);
	H5Fclose(f);
	cr_assert_eq(scuot_h5ad_read(path_of("uns.h5ad"), SCUOT_H5AD_X, &b, &e), 0, "%s", e.msg);
	for (int k = 0; k < 3; k++)
		cr_assert(b->X->indices[k] == k && b->X->data[k] == k + 1, "entry %d: (%d, %g)", k,
		          b->X->indices[k], b->X->data[k]);
	scuot_adata_free(b);
	ix[1] = 2;
	f = skeleton("dup.h5ad", 2, 3, 1);
	sparse_group(f, "X", "csr_matrix", 2, 3, ip, 3, ix, v, 3);
	H5Fclose(f);
	cr_assert_eq(scuot_h5ad_read(path_of("dup.h5ad"), SCUOT_H5AD_X, &b, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "/X/indices") && strstr(e.msg, "duplicate"), "message: %s", e.msg);
}

Test(h5ad, bad_sparse_structure)
{
	scuot_err e = { 0 };
	scuot_adata *b = NULL;
	int32_t ip[] = { 0, 2, 1, 3 };
	int64_t ix[] = { 0, 1, 1 };
	double v[] = { 1, 2, 3 };
	hid_t f = skeleton("mono.h5ad", 3, 2, 1);
	sparse_group(f, "X", "csr_matrix", 3, 2, ip, 4, ix, v, 3);
	H5Fclose(f);
	cr_assert_eq(scuot_h5ad_read(path_of("mono.h5ad"), SCUOT_H5AD_ALL, &b, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "mono.h5ad: /X/indptr") && strstr(e.msg, "monotone"), "message: %s", e.msg);
	ip[2] = 2, ix[2] = 2;
	f = skeleton("range.h5ad", 3, 2, 1);
	sparse_group(f, "X", "csr_matrix", 3, 2, ip, 4, ix, v, 3);
	H5Fclose(f);
	cr_assert_eq(scuot_h5ad_read(path_of("range.h5ad"), SCUOT_H5AD_ALL, &b, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "/X/indices") && strstr(e.msg, "outside [0, 2)"), "message: %s", e.msg);
	/* shape attribute disagreeing with obs/var */
	ix[2] = 1;
	f = skeleton("shape.h5ad", 3, 3, 1);
	sparse_group(f, "X", "csr_matrix", 3, 2, ip, 4, ix, v, 3);
	H5Fclose(f);
	cr_assert_eq(scuot_h5ad_read(path_of("shape.h5ad"), SCUOT_H5AD_ALL, &b, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "/X") && strstr(e.msg, "shape is 3 x 2, expected 3 x 3"), "message: %s",
	          e.msg);
}

Test(h5ad, unknown_encodings)
{
	scuot_err e = { 0 };
	scuot_adata *b = NULL;
	hid_t f = skeleton("enc.h5ad", 2, 2, 1), g;
	g = scuot_h5_group(f, "X", 0, &e);
	cr_assert_eq(scuot_h5_set_encoding(g, "awkward-array", "0.1.0", &e), 0);
	H5Gclose(g);
	H5Fclose(f);
	cr_assert_eq(scuot_h5ad_read(path_of("enc.h5ad"), SCUOT_H5AD_ALL, &b, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "enc.h5ad: /X: unknown encoding-type 'awkward-array'"), "message: %s", e.msg);
	cr_assert_null(b);
	/* X is not read when not asked for */
	cr_assert_eq(scuot_h5ad_read(path_of("enc.h5ad"), SCUOT_H5AD_OBS, &b, &e), 0, "%s", e.msg);
	scuot_adata_free(b);

	/* unknown column encoding in obs: an error naming the column */
	f = skeleton("col.h5ad", 2, 2, 1);
	g = H5Gopen2(f, "obs", H5P_DEFAULT);
	char *order[] = { "weird" };
	cr_assert_eq(scuot_h5_attr_set_strs(g, "column-order", order, 1, &e), 0);
	hid_t c = scuot_h5_group(g, "weird", 0, &e);
	cr_assert_eq(scuot_h5_set_encoding(c, "sparse-column", "9.9.9", &e), 0);
	H5Gclose(c), H5Gclose(g), H5Fclose(f);
	cr_assert_eq(scuot_h5ad_read(path_of("col.h5ad"), SCUOT_H5AD_OBS, &b, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "/obs/weird") && strstr(e.msg, "sparse-column"), "message: %s", e.msg);

	/* unknown element in uns: skipped (warning), the rest is read */
	f = skeleton("u.h5ad", 2, 2, 1);
	g = scuot_h5_group(f, "uns", 0, &e);
	cr_assert_eq(scuot_h5_set_encoding(g, "dict", "0.1.0", &e), 0);
	c = scuot_h5_group(g, "rank_genes", 0, &e);
	cr_assert_eq(scuot_h5_set_encoding(c, "awkward-array", "0.1.0", &e), 0);
	H5Gclose(c);
	double x = 2.5;
	cr_assert_eq(scuot_h5_write(g, "x", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 0, NULL, &x, "numeric-scalar",
	                            "0.2.0", &e),
	             0);
	H5Gclose(g), H5Fclose(f);
	cr_assert_eq(scuot_h5ad_read(path_of("u.h5ad"), SCUOT_H5AD_ALL, &b, &e), 0, "%s", e.msg);
	cr_assert_eq(b->uns.nchild, 1);
	cr_assert(scuot_uns_get(&b->uns, "x") && scuot_uns_get(&b->uns, "x")->num == 2.5);
	scuot_adata_free(b);
}

Test(h5ad, anndata07_categorical_reference)
{
	scuot_err e = { 0 };
	scuot_adata *b = NULL;
	hid_t f = skeleton("old.h5ad", 3, 1, 1), g = H5Gopen2(f, "obs", H5P_DEFAULT), cg;
	char *order[] = { "louvain" }, *cats[] = { "x", "y" };
	int8_t codes[] = { 1, 0, 1 };
	int64_t n = 3;
	H5Adelete(g, "encoding-version");
	cr_assert_eq(scuot_h5_attr_set_str(g, "encoding-version", "0.1.0", &e), 0);
	cr_assert_eq(scuot_h5_attr_set_strs(g, "column-order", order, 1, &e), 0);
	cg = scuot_h5_group(g, "__categories", 0, &e);
	cr_assert_eq(scuot_h5_write_strs(cg, "louvain", cats, 2, 1, NULL, NULL, &e), 0);
	hid_t cd = H5Dopen2(cg, "louvain", H5P_DEFAULT);
	cr_assert_eq(scuot_h5_attr_set_bool(cd, "ordered", 1, &e), 0);
	H5Dclose(cd);
	cr_assert_eq(
	    scuot_h5_write(g, "louvain", H5T_NATIVE_INT8, H5T_STD_I8LE, 1, &n, codes, NULL, NULL, &e), 0);
	hid_t d = H5Dopen2(g, "louvain", H5P_DEFAULT), sp = H5Screate(H5S_SCALAR);
	hobj_ref_t ref;
	cr_assert(H5Rcreate(&ref, g, "__categories/louvain", H5R_OBJECT, -1) >= 0);
	hid_t a = H5Acreate2(d, "categories", H5T_STD_REF_OBJ, sp, H5P_DEFAULT, H5P_DEFAULT);
	cr_assert(H5Awrite(a, H5T_STD_REF_OBJ, &ref) >= 0);
	H5Aclose(a), H5Sclose(sp), H5Dclose(d), H5Gclose(cg), H5Gclose(g), H5Fclose(f);
	cr_assert_eq(scuot_h5ad_read(path_of("old.h5ad"), SCUOT_H5AD_OBS, &b, &e), 0, "%s", e.msg);
	cr_assert_eq(b->obs.ncol, 1);
	const scuot_col *c = &b->obs.cols[0];
	cr_assert(c->type == SCUOT_COL_CATEGORICAL && c->ncat == 2 && c->ordered);
	cr_assert(!strcmp(c->cats[0], "x") && !strcmp(c->cats[1], "y"));
	cr_assert(c->codes[0] == 1 && c->codes[1] == 0 && c->codes[2] == 1);
	scuot_adata_free(b);
}

Test(h5ad, not_hdf5_truncated_missing)
{
	scuot_err e = { 0 };
	scuot_adata *a = make_sample(50, 20), *b = NULL;
	FILE *fp = fopen(path_of("text.h5ad"), "w");
	fputs("cell\tday\nA\t1\n", fp);
	fclose(fp);
	cr_assert_eq(scuot_h5ad_read(path_of("text.h5ad"), SCUOT_H5AD_ALL, &b, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "text.h5ad: not an HDF5 file or truncated"), "message: %s", e.msg);
	/* a valid file cut in half */
	size_t len;
	cr_assert_eq(scuot_h5ad_write(path_of("full.h5ad"), a, &e), 0, "%s", e.msg);
	void *buf = slurp(path_of("full.h5ad"), &len);
	fp = fopen(path_of("half.h5ad"), "wb");
	fwrite(buf, 1, len / 2, fp);
	fclose(fp);
	free(buf);
	cr_assert_eq(scuot_h5ad_read(path_of("half.h5ad"), SCUOT_H5AD_ALL, &b, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "half.h5ad: not an HDF5 file or truncated"), "message: %s", e.msg);
	cr_assert_null(b);
	cr_assert_eq(scuot_h5ad_read(path_of("absent.h5ad"), SCUOT_H5AD_ALL, &b, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "absent.h5ad: cannot open"), "message: %s", e.msg);
	/* an HDF5 file without obs */
	hid_t f = skeleton("noobs.h5ad", 2, 2, 0);
	H5Fclose(f);
	cr_assert_eq(scuot_h5ad_read(path_of("noobs.h5ad"), SCUOT_H5AD_ALL, &b, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "noobs.h5ad: /obs: missing"), "message: %s", e.msg);
	scuot_adata_free(a);
}

Test(h5ad, failed_write_leaves_nothing)
{
	scuot_err e = { 0 };
	scuot_adata *a = make_sample(4, 3);
	/* an invalid categorical code is found in the middle of writing obs */
	a->obs.cols[scuot_df_find(&a->obs, "cluster")].codes[1] = 7;
	int before = count_files();
	cr_assert_eq(scuot_h5ad_write(path_of("bad.h5ad"), a, fresh(&e)), SCUOT_EINTERNAL);
	cr_assert(strstr(e.msg, "bad.h5ad: /obs/cluster/codes") && !strstr(e.msg, ".tmp"), "message: %s",
	          e.msg);
	cr_assert_eq(count_files(), before, "a file was left behind");
	a->obs.cols[scuot_df_find(&a->obs, "cluster")].codes[1] = 0;
	/* a column name h5ad cannot store */
	free(a->obs.cols[0].name);
	a->obs.cols[0].name = strdup("a/b");
	cr_assert_eq(scuot_h5ad_write(path_of("bad.h5ad"), a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "'a/b'"), "message: %s", e.msg);
	cr_assert_eq(count_files(), before);
	/* a directory that does not exist */
	scuot_adata *one = make_sample(1, 1);
	cr_assert_eq(scuot_h5ad_write(path_of("no/such/dir.h5ad"), one, fresh(&e)), SCUOT_EIO);
	scuot_adata_free(one);
	scuot_adata_free(a);
}

/* ---- helpers: string types ---- */

static void write_fixed(hid_t loc, const char *name, const char *const *s, int n, size_t width, H5T_str_t pad,
                        int rank2)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	hsize_t d[2] = { (hsize_t)n, 2 };
	H5Tset_size(t, rank2 ? width / 2 : width);
	H5Tset_strpad(t, pad);
	char *buf = calloc((size_t)n, width);
	for (int i = 0; i < n; i++) {
		memcpy(buf + (size_t)i * width, s[i], strlen(s[i]));
		if (pad == H5T_STR_SPACEPAD)
			memset(buf + (size_t)i * width + strlen(s[i]), ' ', width - strlen(s[i]));
	}
	hid_t sp = H5Screate_simple(rank2 ? 2 : 1, d, NULL);
	hid_t ds = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	cr_assert(ds >= 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
	H5Dclose(ds), H5Sclose(sp), H5Tclose(t);
	free(buf);
}

Test(h5util, string_types)
{
	scuot_err e = { 0 };
	const char *s[] = { "ab", "", "caf\xc3\xa9" };
	hid_t f = scuot_h5_create(path_of("s.h5"), &e);
	write_fixed(f, "nullpad", s, 3, 6, H5T_STR_NULLPAD, 0);
	write_fixed(f, "nullterm", s, 3, 7, H5T_STR_NULLTERM, 0);
	write_fixed(f, "spacepad", s, 3, 8, H5T_STR_SPACEPAD, 0);
	write_fixed(f, "twod", s, 3, 6, H5T_STR_NULLPAD, 1);
	cr_assert_eq(scuot_h5_write_strs(f, "vlen", (char **)s, 3, 1, NULL, NULL, &e), 0);
	int64_t ten = 3;
	int32_t iv[] = { 5, -1, 70000 };
	cr_assert_eq(scuot_h5_write(f, "ints", H5T_NATIVE_INT32, H5T_STD_I32BE, 1, &ten, iv, NULL, NULL, &e),
	             0);
	double fv[] = { 0.1, 1, 1e-7 };
	cr_assert_eq(
	    scuot_h5_write(f, "floats", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, &ten, fv, NULL, NULL, &e), 0);
	const char *names[] = { "nullpad", "nullterm", "spacepad", "twod", "vlen" };
	for (int k = 0; k < 5; k++) {
		char **out = NULL;
		int64_t n = 0;
		hid_t d = H5Dopen2(f, names[k], H5P_DEFAULT);
		cr_assert_eq(scuot_h5_read_strs(d, &out, &n, &e), 0, "%s: %s", names[k], e.msg);
		cr_assert_eq(n, 3);
		for (int i = 0; i < 3; i++)
			cr_assert_str_eq(out[i], s[i], "%s[%d] = '%s', expected '%s'", names[k], i, out[i],
			                 s[i]);
		scuot_strs_free(out, n);
		H5Dclose(d);
	}
	const char *texts[][3] = { { "5", "-1", "70000" }, { "0.1", "1.0", "1e-07" } };
	for (int k = 0; k < 2; k++) {
		char **out = NULL;
		int64_t n = 0;
		hid_t d = H5Dopen2(f, k ? "floats" : "ints", H5P_DEFAULT);
		cr_assert_eq(scuot_h5_read_text(d, &out, &n, &e), 0, "%s", e.msg);
		for (int i = 0; i < 3; i++)
			cr_assert_str_eq(out[i], texts[k][i]);
		scuot_strs_free(out, n);
		H5Dclose(d);
	}
	/* floats are not integers; int32 -> int8 overflow is an error, not a clamp */
	int64_t *i64 = NULL, n;
	hid_t d = H5Dopen2(f, "floats", H5P_DEFAULT);
	cr_assert_eq(scuot_h5_read_i64(d, &i64, &n, fresh(&e)), SCUOT_EINPUT);
	H5Dclose(d);
	int8_t small[3];
	d = H5Dopen2(f, "ints", H5P_DEFAULT);
	cr_assert_eq(scuot_h5_read_slab(d, H5T_NATIVE_INT8, 0, 3, small, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "s.h5: /ints"), "message: %s", e.msg);
	H5Dclose(d);
	H5Fclose(f);
}

Test(h5util, attributes)
{
	scuot_err e = { 0 };
	hid_t f = scuot_h5_create(path_of("a.h5"), &e), sp = H5Screate(H5S_SCALAR), t = H5Tcopy(H5T_C_S1);
	char **v = NULL, *s = NULL;
	int64_t n;
	int b;
	/* a fixed-length scalar string attribute, as Julia's HDF5.jl writes */
	H5Tset_size(t, 9);
	hid_t a = H5Acreate2(f, "fixed", t, sp, H5P_DEFAULT, H5P_DEFAULT);
	H5Awrite(a, t, "dataframe");
	H5Aclose(a), H5Tclose(t), H5Sclose(sp);
	cr_assert_eq(scuot_h5_attr_str(f, "fixed", &s, &e), 0, "%s", e.msg);
	cr_assert_str_eq(s, "dataframe");
	free(s);
	cr_assert_eq(scuot_h5_attr_str(f, "absent", &s, &e), 0);
	cr_assert_null(s);
	char *list[] = { "x", "y\xc3\xbf" };
	cr_assert_eq(scuot_h5_attr_set_strs(f, "list", list, 2, &e), 0);
	cr_assert_eq(scuot_h5_attr_strs(f, "list", &v, &n, &e), 0);
	cr_assert(n == 2 && !strcmp(v[0], "x") && !strcmp(v[1], "y\xc3\xbf"));
	scuot_strs_free(v, n);
	cr_assert_eq(scuot_h5_attr_set_strs(f, "empty", NULL, 0, &e), 0);
	cr_assert_eq(scuot_h5_attr_strs(f, "empty", &v, &n, &e), 0);
	cr_assert(v && n == 0);
	free(v);
	cr_assert_eq(scuot_h5_attr_set_bool(f, "yes", 1, &e), 0);
	cr_assert_eq(scuot_h5_attr_bool(f, "yes", 0, &b, &e), 0);
	cr_assert_eq(b, 1);
	cr_assert_eq(scuot_h5_attr_bool(f, "nope", 1, &b, &e), 0);
	cr_assert_eq(b, 1, "absent attribute gives the default");
	H5Fclose(f);
}
