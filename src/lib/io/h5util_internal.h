/* h5util_internal.h -- NOT PUBLIC: HDF5 helpers shared by the h5ad, 10x and loom readers and the h5ad writer.
 * Quiet opening (path or memory image), typed reads of any stored width, chunked deflate writes. */
#ifndef SCUOT_IO_H5UTIL_INTERNAL_H
#define SCUOT_IO_H5UTIL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "core/defs.h"
#include "core/err.h"
#include "core/mat.h"

/* HDF5 (serial build) is not thread-safe: these helpers are called from one thread at a time.  Inside,
 * the large reads and writes use OpenMP threads for pread/inflate/deflate and call HDF5 only inside the
 * critical section named scuot_hdf5. */

#define SCUOT_H5_MAXRANK 8

/* What a stored element type holds, as the readers see it. */
enum scuot_h5_kind {
	SCUOT_H5_OTHER = 0, /* compound, reference, opaque, array, non-bool enum... */
	SCUOT_H5_INT,       /* any integer width, signed or unsigned */
	SCUOT_H5_FLOAT,     /* float16/32/64 */
	SCUOT_H5_BOOL,      /* numpy bool: enum {FALSE = 0, TRUE = 1} over an integer */
	SCUOT_H5_STR        /* vlen or fixed-length string, any padding and character set */
};

/* ---- errors ---- */

/* Turn off HDF5's automatic error printing (the library prints only through core/log.h). */
void scuot_h5_quiet(void);
/* An error record keeps its first error (core/err.h), so the most specific message wins.
 * Fill e with "FILE: PATH: message", FILE from the file holding loc, PATH that of loc joined with
 * name (name may be NULL or absolute).  Returns code. */
int scuot_h5_err(scuot_err *e, int code, hid_t loc, const char *name, const char *fmt, ...)
    SCUOT_PRINTF(5, 6);
/* As scuot_h5_err, appending " (HDF5: <innermost message on HDF5's error stack>)" and clearing
 * the stack; for use right after an HDF5 call failed. */
int scuot_h5_errh(scuot_err *e, int code, hid_t loc, const char *name, const char *fmt, ...)
    SCUOT_PRINTF(5, 6);
/* Prefix the message already in e (set by a non-HDF5 function) with "FILE: PATH: " of loc/name. */
void scuot_h5_err_prefix(scuot_err *e, hid_t loc, const char *name);
/* Replace a leading "from" (e.g. a temporary file name) in e->msg by "to". */
void scuot_h5_err_rename(scuot_err *e, const char *from, const char *to);
/* Path of object loc inside its file ("/obs/day") into buf; "?" when unknown.  Returns buf. */
char *scuot_h5_path(hid_t loc, const char *name, char *buf, size_t len);
/* Display name of the file holding loc into buf.  Returns buf. */
char *scuot_h5_file(hid_t loc, char *buf, size_t len);

/* ---- files, objects ---- */

/* Open path read-only.  SCUOT_EINPUT "PATH: not an HDF5 file or truncated" (or the system error
 * when it cannot be opened at all).  Returns a file id (close with scuot_h5_close) or a negative
 * code with e filled. */
hid_t scuot_h5_open(const char *path, scuot_err *e);
/* Open the file image buf[0..len) read-only (core driver, no hdf5_hl); label names it in messages.
 * The image is copied; buf may be freed after the call. */
hid_t scuot_h5_open_mem(const void *buf, size_t len, const char *label, scuot_err *e);
/* Write the HDF5 file path atomically: create a temporary beside it (core/outfile.h), let body fill it,
 * close it and rename it into place; on any failure nothing is left at path and messages name path, not
 * the temporary. */
int scuot_h5_write_file(const char *path, int (*body)(hid_t f, const void *ctx, scuot_err *e), const void *ctx,
                        scuot_err *e);
/* Create path (truncating) for writing; H5Fclose on the id closes every object still open in it. */
hid_t scuot_h5_create(const char *path, scuot_err *e);
/* Close any HDF5 id (file, group, dataset, attribute, type, space, property list); < 0 ignored. */
void scuot_h5_close(hid_t id);
/* 1 if every component of path exists under loc as a link to an object, else 0. */
int scuot_h5_exists(hid_t loc, const char *path);
/* H5I_GROUP or H5I_DATASET for an existing object, 0 if absent, other H5I_* for others. */
int scuot_h5_objtype(hid_t loc, const char *path);
/* Open a group / dataset, with a message naming the path when it is missing or of another kind. */
hid_t scuot_h5_gopen(hid_t loc, const char *path, scuot_err *e);
hid_t scuot_h5_dopen(hid_t loc, const char *path, scuot_err *e);
/* Names of the links of group g in name order; free with scuot_strs_free(*names, *n). */
int scuot_h5_list(hid_t g, char ***names, int64_t *n, scuot_err *e);

/* ---- types, shapes ---- */

/* Kind of an HDF5 datatype (see enum scuot_h5_kind). */
int scuot_h5_type_kind(hid_t type);
/* Kind of dataset d's element type. */
int scuot_h5_kind(hid_t d);
/* Rank and dims of dataset d (rank 0 for scalars).  SCUOT_EINPUT for a null dataspace or rank >
 * SCUOT_H5_MAXRANK. */
int scuot_h5_shape(hid_t d, int *rank, int64_t dims[SCUOT_H5_MAXRANK], scuot_err *e);
/* Number of elements of a 1-D dataset; SCUOT_EINPUT naming d if it is not 1-D. */
int scuot_h5_len(hid_t d, int64_t *n, scuot_err *e);
/* New enum type of numpy bool (FALSE = 0, TRUE = 1 over int8), as h5py writes it; close it after use. */
hid_t scuot_h5_bool_type(void);

/* ---- attributes (read) ---- */

/* 1 if obj has attribute name. */
int scuot_h5_attr_exists(hid_t obj, const char *name);
/* Scalar or one-element string attribute into a new string (free()); *out NULL when absent. */
int scuot_h5_attr_str(hid_t obj, const char *name, char **out, scuot_err *e);
/* String attribute (scalar, 1-D of any string type, or an empty numeric array as h5py writes an
 * empty list) into n new strings (scuot_strs_free); *out NULL and *n 0 when absent. */
int scuot_h5_attr_strs(hid_t obj, const char *name, char ***out, int64_t *n, scuot_err *e);
/* Integer attribute (scalar or 1-D, any width, at most max values) into out[0..*n). */
int scuot_h5_attr_i64s(hid_t obj, const char *name, int64_t *out, int max, int *n, scuot_err *e);
/* Bool (numpy enum), integer or string ("True") attribute; *out = dflt when absent. */
int scuot_h5_attr_bool(hid_t obj, const char *name, int dflt, int *out, scuot_err *e);

/* ---- datasets (read) ---- */

/* Strings of a 1-D dataset (vlen or fixed length, any padding; a 2-D fixed-length array gives one
 * string per row), or of a scalar (n = 1).  New array of *n new strings (scuot_strs_free). */
int scuot_h5_read_strs(hid_t d, char ***out, int64_t *n, scuot_err *e);
/* As scuot_h5_read_strs, but numbers and bools are rendered as text (shortest round-trip form,
 * "True"/"False"), for index and category labels. */
int scuot_h5_read_text(hid_t d, char ***out, int64_t *n, scuot_err *e);
/* All elements of a numeric or bool dataset (any rank) converted to double / int64 into a new
 * array (free()); *n elements.  Integers are refused for read_f64 only if they overflow; floats
 * are refused by read_i64. */
int scuot_h5_read_f64(hid_t d, double **out, int64_t *n, scuot_err *e);
int scuot_h5_read_i64(hid_t d, int64_t **out, int64_t *n, scuot_err *e);
/* Bools (numpy enum or integers, non-zero = true) of a 1-D dataset into out[0..n). */
int scuot_h5_read_bool_into(hid_t d, uint8_t *out, int64_t n, scuot_err *e);
/* Elements [off, off + cnt) of a 1-D dataset (or rows of an N-D one: off/cnt count rows) converted
 * to memtype into buf.  Range overflows are errors, not clamps. */
int scuot_h5_read_slab(hid_t d, hid_t memtype, int64_t off, int64_t cnt, void *buf, scuot_err *e);
/* The 1-D integer dataset d of n elements into int32 out[0..n), reading int64/uint64 storage in
 * blocks; values outside [0, bound) are an error naming the position (bound < 0: only values that do
 * not fit int32 are). */
int scuot_h5_read_idx32(hid_t d, int32_t *out, int64_t n, int64_t bound, scuot_err *e);
/* A 2-D (or 1-D: n x 1) numeric dataset into a new dense matrix. */
int scuot_h5_read_mat(hid_t d, scuot_mat **out, scuot_err *e);
/* The sparse triple data/indices/indptr in group g as an nrow x ncol CSR (rows = indptr entries - 1):
 * lengths, indptr monotone from 0 to nnz, indices in [0, ncol), values finite and (nonneg) >= 0;
 * rows are sorted, duplicates refused.  Data are read straight into the result. */
int scuot_h5_read_csr(hid_t g, int64_t nrow, int64_t ncol, int nonneg, scuot_csr **out, scuot_err *e);
/* What is wrong with a matrix value (not finite, negative with nonneg, beyond float32), or NULL. */
const char *scuot_h5_bad_value(double v, int nonneg);
/* A dense 2-D numeric dataset as CSR, zeros dropped, read in row blocks. */
int scuot_h5_read_dense_csr(hid_t d, int nonneg, scuot_csr **out, scuot_err *e);

/* ---- writing ---- */

/* New group under loc; with dense_attrs, attributes go to dense storage (any size, e.g. 10,000
 * column names).  Returns the id or a negative code. */
hid_t scuot_h5_group(hid_t loc, const char *name, int dense_attrs, scuot_err *e);
/* Set the two string attributes encoding-type / encoding-version (anndata). */
int scuot_h5_set_encoding(hid_t obj, const char *type, const char *version, scuot_err *e);
/* Dataset name under loc of rank dims (rank 0: scalar) from buf in memtype, stored as filetype:
 * chunked (<= 1 MiB per chunk), shuffle + deflate level 4 unless scalar or empty; chunks are compressed
 * on all OpenMP threads when memtype equals filetype, and stored in order (same bytes for any thread
 * count).  enc_type / enc_version (may be NULL) become the encoding attributes. */
int scuot_h5_write(hid_t loc, const char *name, hid_t memtype, hid_t filetype, int rank, const int64_t *dims,
                   const void *buf, const char *enc_type, const char *enc_version, scuot_err *e);
/* 1-D vlen UTF-8 string dataset (rank 1) or scalar (rank 0, n must be 1); NULL entries as "". */
int scuot_h5_write_strs(hid_t loc, const char *name, char *const *s, int64_t n, int rank,
                        const char *enc_type, const char *enc_version, scuot_err *e);
/* Scalar vlen UTF-8 string attribute. */
int scuot_h5_attr_set_str(hid_t obj, const char *name, const char *value, scuot_err *e);
/* 1-D vlen UTF-8 string attribute; n = 0 writes an empty float64 array, as h5py writes []. */
int scuot_h5_attr_set_strs(hid_t obj, const char *name, char *const *s, int64_t n, scuot_err *e);
/* 1-D int64 attribute. */
int scuot_h5_attr_set_i64s(hid_t obj, const char *name, const int64_t *v, int n, scuot_err *e);
/* Scalar numpy-bool attribute. */
int scuot_h5_attr_set_bool(hid_t obj, const char *name, int value, scuot_err *e);

#endif
