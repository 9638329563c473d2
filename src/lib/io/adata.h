/* adata.h -- the in-memory AnnData object every reader fills and the h5ad writer writes.
 * X is cells x genes CSR; obs and var are dataframes; obsm/varm dense; layers CSR; uns a tree. */
#ifndef SCUOT_IO_ADATA_H
#define SCUOT_IO_ADATA_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"
#include "core/mat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Column types of a dataframe. */
enum scuot_col_type {
	SCUOT_COL_FLOAT = 1,  /* f: double, NaN = missing */
	SCUOT_COL_INT,        /* i: int64; mask optional (nullable-integer) */
	SCUOT_COL_BOOL,       /* b: 0/1; mask optional (nullable-boolean) */
	SCUOT_COL_STRING,     /* s: owned strings; NULL = missing */
	SCUOT_COL_CATEGORICAL /* codes into cats (-1 = missing), ordered flag */
};

/* One dataframe column of n values; only the arrays of its type are set. */
typedef struct scuot_col {
	char *name;
	int type;
	double *f;
	int64_t *i;
	uint8_t *b;
	char **s;
	int32_t *codes;
	char **cats;
	int64_t ncat;
	int ordered;
	uint8_t *mask; /* NULL, or n flags with 1 = missing (INT, BOOL, STRING) */
} scuot_col;

/* A dataframe: n rows with string labels (index) and ncol columns in order. */
typedef struct scuot_df {
	int64_t n;
	char *index_name; /* HDF5 name of the index dataset; NULL means "_index" */
	char **index;     /* n owned labels */
	int ncol, mcol;
	scuot_col *cols;
} scuot_df;

/* A node of the uns tree. */
enum scuot_uns_type {
	SCUOT_UNS_DICT = 1, /* children */
	SCUOT_UNS_NUM,      /* scalar num (is_int: written as int64) */
	SCUOT_UNS_STR,      /* scalar str */
	SCUOT_UNS_ARRAY,    /* numeric array, ndim/dims, values in arr (row-major), is_int as above */
	SCUOT_UNS_STRARRAY  /* 1-D array of nstr strings */
};

typedef struct scuot_uns {
	char *key;
	int type;
	int is_int;
	double num;
	char *str;
	int ndim;
	int64_t dims[8];
	double *arr;
	char **strs;
	int64_t nstr;
	int nchild, mchild;
	struct scuot_uns *child;
} scuot_uns;

/* A named dense matrix (obsm, varm) and a named sparse matrix (layers). */
typedef struct scuot_named_mat {
	char *key;
	scuot_mat *m;
} scuot_named_mat;

typedef struct scuot_named_csr {
	char *key;
	scuot_csr *c;
} scuot_named_csr;

typedef struct scuot_adata {
	int64_t n_obs, n_var;
	scuot_csr *X; /* n_obs x n_var, or NULL when absent or not read */
	scuot_df obs, var;
	int n_obsm, n_varm, n_layers;
	scuot_named_mat *obsm, *varm;
	scuot_named_csr *layers;
	scuot_uns uns; /* root, type SCUOT_UNS_DICT */
} scuot_adata;

/* New empty object with n_obs x n_var, empty obs/var (index unset), no X.  Free with
 * scuot_adata_free.  NULL with e filled. */
SCUOT_EXPORT scuot_adata *scuot_adata_new(int64_t n_obs, int64_t n_var, scuot_err *e);
/* Free everything a holds; NULL accepted. */
SCUOT_EXPORT void scuot_adata_free(scuot_adata *a);
/* Check shapes agree (X, obs, var, obsm, varm, layers) and indices are set. SCUOT_EINTERNAL if not. */
SCUOT_EXPORT int scuot_adata_check(const scuot_adata *a, scuot_err *e);
/* Keep only rows keep[0..nkeep) of obs, X, obsm and layers, in that order. */
SCUOT_EXPORT int scuot_adata_subset_obs(scuot_adata *a, const int64_t *keep, int64_t nkeep, scuot_err *e);
/* Keep only columns keep[0..nkeep) (increasing) of var, X, varm and layers. */
SCUOT_EXPORT int scuot_adata_subset_var(scuot_adata *a, const int64_t *keep, int64_t nkeep, scuot_err *e);
/* Add dense matrix m under key in obsm (n_obs rows) or varm (n_var rows), replacing an existing key.
 * On success a owns m; on failure (SCUOT_ENOMEM) m still belongs to the caller. */
SCUOT_EXPORT int scuot_adata_set_obsm(scuot_adata *a, const char *key, scuot_mat *m, scuot_err *e);
SCUOT_EXPORT int scuot_adata_set_varm(scuot_adata *a, const char *key, scuot_mat *m, scuot_err *e);
/* Dense obsm entry under key, or NULL. Borrowed. */
SCUOT_EXPORT scuot_mat *scuot_adata_get_obsm(const scuot_adata *a, const char *key);
/* Add sparse layer (takes ownership of c; replaces an existing key). */
SCUOT_EXPORT int scuot_adata_set_layer(scuot_adata *a, const char *key, scuot_csr *c, scuot_err *e);

/* Free a dataframe's contents (not df itself) and reset it to empty; NULL accepted. */
SCUOT_EXPORT void scuot_df_clear(scuot_df *df);
/* Set the index: takes ownership of labels[0..n) (array and strings); n must equal df->n
 * unless df has no columns yet, in which case df->n becomes n. */
SCUOT_EXPORT int scuot_df_set_index(scuot_df *df, char **labels, int64_t n, scuot_err *e);
/* Position of column name, or -1. */
SCUOT_EXPORT int scuot_df_find(const scuot_df *df, const char *name);
/* Append a new column of type with arrays allocated for df->n rows (zeroed; STRING entries NULL)
 * and return it (borrowed), or NULL with e filled.  An existing column of that name is replaced. */
SCUOT_EXPORT scuot_col *scuot_df_add(scuot_df *df, const char *name, int type, scuot_err *e);
/* Value of row r of a column as text into buf (categories and strings as-is, "" if missing). */
SCUOT_EXPORT const char *scuot_col_text(const scuot_col *c, int64_t r, char *buf, int len);
/* Value of row r as a number (NaN if missing or not numeric). */
SCUOT_EXPORT double scuot_col_num(const scuot_col *c, int64_t r);
/* Keep rows keep[0..nkeep) of every column and the index. */
SCUOT_EXPORT int scuot_df_subset(scuot_df *df, const int64_t *keep, int64_t nkeep, scuot_err *e);

/* Child of a dict node by key, or NULL. */
SCUOT_EXPORT scuot_uns *scuot_uns_get(const scuot_uns *dict, const char *key);
/* Add (or replace) a child of dict and return it, zeroed with key and type set; NULL with e. */
SCUOT_EXPORT scuot_uns *scuot_uns_add(scuot_uns *dict, const char *key, int type, scuot_err *e);
/* Convenience setters on a dict node. */
SCUOT_EXPORT int scuot_uns_set_str(scuot_uns *dict, const char *key, const char *value, scuot_err *e);
SCUOT_EXPORT int scuot_uns_set_num(scuot_uns *dict, const char *key, double value, int is_int, scuot_err *e);
/* Free a node's contents (not the node itself); NULL accepted. */
SCUOT_EXPORT void scuot_uns_clear(scuot_uns *u);

#ifdef __cplusplus
}
#endif
#endif
