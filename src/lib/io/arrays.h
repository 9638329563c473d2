/* arrays.h -- small HDF5 files of named double matrices and a list of labels, tagged with a kind and a
 * version: the trained models of scuot-uotgen (potential tensors, settings, whitening, column names). */
#ifndef SCUOT_IO_ARRAYS_H
#define SCUOT_IO_ARRAYS_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One r x c matrix (row-major); a scalar is 1 x 1. */
typedef struct scuot_array {
	char *name;
	int64_t r, c;
	double *v;
} scuot_array;

/* Named matrices in insertion order (names unique; letters, digits, '_', '.' and '-') and labels (e.g. the
 * column names of the data a model was trained on).  Zero-initialise; free with scuot_arrays_clear. */
typedef struct scuot_arrays {
	int n, m;
	scuot_array *a;
	char **labels;
	int64_t nlabels;
} scuot_arrays;

/* Append a copy of v (r x c) under name; SCUOT_EINTERNAL for a repeated or malformed name. */
SCUOT_EXPORT int scuot_arrays_add(scuot_arrays *s, const char *name, int64_t r, int64_t c, const double *v,
                                  scuot_err *e);
SCUOT_EXPORT int scuot_arrays_add_scalar(scuot_arrays *s, const char *name, double v, scuot_err *e);
/* Copy n labels into s (replacing any). */
SCUOT_EXPORT int scuot_arrays_set_labels(scuot_arrays *s, char *const *labels, int64_t n, scuot_err *e);
/* The matrix called name, or NULL. */
SCUOT_EXPORT const scuot_array *scuot_arrays_find(const scuot_arrays *s, const char *name);
/* The matrix called name checked to be r x c (r or c < 0: any); SCUOT_EINPUT naming path and the array when
 * it is missing, of another shape, or holds a NaN or an infinity. */
SCUOT_EXPORT int scuot_arrays_get(const scuot_arrays *s, const char *path, const char *name, int64_t r, int64_t c,
                                  const scuot_array **out, scuot_err *e);
/* The scalar called name, checked to lie in [lo, hi] (and to be an integer when integer is set). */
SCUOT_EXPORT int scuot_arrays_scalar(const scuot_arrays *s, const char *path, const char *name, double lo,
                                     double hi, int integer, double *out, scuot_err *e);
/* Write path atomically: root attributes format = kind and format_version = version; the
 * matrices as 2-D float64 datasets /arrays/NAME, the labels as /labels. */
SCUOT_EXPORT int scuot_arrays_write(const char *path, const char *kind, int version, const scuot_arrays *s,
                                    scuot_err *e);
/* Read a file written by scuot_arrays_write into out (zeroed; filled only on success).  SCUOT_EINPUT naming
 * path: not HDF5, another kind or version (the message names the writer, what_writes), a dataset that is not a
 * 2-D float array. */
SCUOT_EXPORT int scuot_arrays_read(const char *path, const char *kind, int version, const char *what_writes,
                                   scuot_arrays *out, scuot_err *e);
SCUOT_EXPORT void scuot_arrays_clear(scuot_arrays *s);

#ifdef __cplusplus
}
#endif

#endif
