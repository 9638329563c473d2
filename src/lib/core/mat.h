/* mat.h -- dense row-major matrices and CSR sparse matrices.
 * CSR row pointers are 64-bit so more than 2^31 nonzeros fit; column indices are 32-bit. */
#ifndef SCUOT_CORE_MAT_H
#define SCUOT_CORE_MAT_H

#include <stddef.h>
#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Dense nrow x ncol matrix of doubles, row-major: element (i, j) is data[i * ncol + j]. */
typedef struct scuot_mat {
	int64_t nrow, ncol;
	double *data;
} scuot_mat;

/* Zero-filled nrow x ncol matrix, or NULL with e filled (SCUOT_ENOMEM, SCUOT_ELIMIT).
 * Free with scuot_mat_free. */
SCUOT_EXPORT scuot_mat *scuot_mat_new(int64_t nrow, int64_t ncol, scuot_err *e);
/* Free m and its data; NULL is accepted. */
SCUOT_EXPORT void scuot_mat_free(scuot_mat *m);
/* Deep copy, or NULL with e filled. */
SCUOT_EXPORT scuot_mat *scuot_mat_dup(const scuot_mat *m, scuot_err *e);

/* CSR sparse matrix: row i holds indices[indptr[i] .. indptr[i+1]) (column numbers,
 * strictly increasing within a row once scuot_csr_check passes) and the matching data.
 * Values are float, as anndata writes counts and normalised expression. */
typedef struct scuot_csr {
	int64_t nrow, ncol, nnz;
	int64_t *indptr;  /* nrow + 1 entries, indptr[0] = 0, indptr[nrow] = nnz */
	int32_t *indices; /* nnz entries */
	float *data;      /* nnz entries */
} scuot_csr;

/* CSR with room for nnz entries and indptr zeroed; nnz is set to the argument.
 * Returns NULL with e filled. Free with scuot_csr_free. */
SCUOT_EXPORT scuot_csr *scuot_csr_new(int64_t nrow, int64_t ncol, int64_t nnz, scuot_err *e);
/* Free c and its arrays; NULL is accepted. */
SCUOT_EXPORT void scuot_csr_free(scuot_csr *c);
/* Deep copy, or NULL with e filled. */
SCUOT_EXPORT scuot_csr *scuot_csr_dup(const scuot_csr *c, scuot_err *e);
/* Validate structure: indptr monotone from 0 to nnz, indices in [0, ncol) and strictly
 * increasing per row, values finite.  SCUOT_EINPUT with the first offending row. */
SCUOT_EXPORT int scuot_csr_check(const scuot_csr *c, scuot_err *e);
/* Sort each row by column index (values follow).  Returns SCUOT_EINPUT naming the row and
 * column of the first duplicate entry, 0 otherwise. */
SCUOT_EXPORT int scuot_csr_sort_rows(scuot_csr *c, scuot_err *e);
/* Transpose into a new CSR (i.e. convert CSR <-> CSC), or NULL with e filled. */
SCUOT_EXPORT scuot_csr *scuot_csr_transpose(const scuot_csr *c, scuot_err *e);
/* New CSR keeping rows keep_rows[0..nkeep) in that order (row ids may not repeat). */
SCUOT_EXPORT scuot_csr *scuot_csr_select_rows(const scuot_csr *c, const int64_t *keep_rows,
                                              int64_t nkeep, scuot_err *e);
/* Keep rows keep[0..nkeep) (strictly increasing) in place, without a second copy of the matrix;
 * SCUOT_EINTERNAL if keep is not increasing or out of range. */
SCUOT_EXPORT int scuot_csr_keep_rows(scuot_csr *c, const int64_t *keep, int64_t nkeep, scuot_err *e);
/* Dense copy (nrow x ncol), or NULL with e filled (refused above the allocation cap). */
SCUOT_EXPORT scuot_mat *scuot_csr_to_dense(const scuot_csr *c, scuot_err *e);
/* Bytes held by c's arrays. */
SCUOT_EXPORT size_t scuot_csr_bytes(const scuot_csr *c);

/* Allocation with overflow and cap checks: n * size bytes (zeroed if zero != 0), or NULL with
 * e filled naming what (SCUOT_ELIMIT above the cap, SCUOT_ENOMEM on failure).  Free with free(). */
SCUOT_EXPORT void *scuot_alloc(size_t n, size_t size, int zero, const char *what, scuot_err *e);
/* Resize p to n * size bytes with the same checks; on failure p is untouched and NULL returned. */
SCUOT_EXPORT void *scuot_realloc(void *p, size_t n, size_t size, const char *what, scuot_err *e);
/* Largest single allocation allowed (default: unlimited, 1 GiB in fuzzing builds). */
SCUOT_EXPORT void scuot_set_alloc_cap(size_t bytes);
SCUOT_EXPORT size_t scuot_alloc_cap(void);

/* Growable array of owned strings (count, capacity, data, as kvec). */
typedef struct scuot_strv {
	int64_t n, m;
	char **a;
} scuot_strv;

/* Append a copy of the first len bytes of s (len < 0: strlen). 0 or SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_strv_push(scuot_strv *v, const char *s, int64_t len, scuot_err *e);
/* Free every string and the array; v is reset to empty.  NULL is accepted. */
SCUOT_EXPORT void scuot_strv_clear(scuot_strv *v);
/* Hand the array over: returns v->a (caller frees each string and the array), empties v. */
SCUOT_EXPORT char **scuot_strv_release(scuot_strv *v, int64_t *n);
/* Free an array of n owned strings (as released by scuot_strv_release); NULL accepted. */
SCUOT_EXPORT void scuot_strs_free(char **a, int64_t n);
/* Copy of s, or NULL with e filled. Free with free(). */
SCUOT_EXPORT char *scuot_strdup(const char *s, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
