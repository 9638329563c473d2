/* result.h -- transport result files: one HDF5 file per method and pair of days (schema in
 * data/FORMATS.md, "Transport results"), written atomically and read back by every later stage. */
#ifndef SCUOT_IO_RESULT_H
#define SCUOT_IO_RESULT_H

#include <stddef.h>

#include "core/defs.h"
#include "core/err.h"
#include "ot/ot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Format name in the root attribute "format" and its version ("format_version"). */
#define SCUOT_RESULT_FORMAT "scuot-transport-result"
#define SCUOT_RESULT_VERSION 1

/* Write r to path (temporary beside it, renamed when complete). */
SCUOT_EXPORT int scuot_result_write(const char *path, const scuot_ot_result *r, scuot_err *e);
/* Read a result.  SCUOT_EINPUT naming the file when it is not a scuot transport result, when its
 * format version is not this one, or when method is not NULL and the file holds another method. */
SCUOT_EXPORT int scuot_result_read(const char *path, const char *method, scuot_ot_result **out, scuot_err *e);

/* As scuot_result_read, from the file image buf[0..len); label names it in messages. */
SCUOT_EXPORT int scuot_result_read_mem(const void *buf, size_t len, const char *label, const char *method,
                                       scuot_ot_result **out, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
