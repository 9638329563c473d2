/* parse.h -- strict parsing of numbers and sizes from text (options, table cells).
 * Trailing characters, empty strings and out-of-range values are errors, never silently 0. */
#ifndef SCUOT_CORE_PARSE_H
#define SCUOT_CORE_PARSE_H

#include <stdint.h>

#include "core/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse a whole string as a base-10 integer in [lo, hi]. 0 on success, -1 otherwise. */
SCUOT_EXPORT int scuot_parse_int64(const char *s, int64_t lo, int64_t hi, int64_t *out);
/* Parse a whole string as a finite double (leading/trailing blanks allowed). 0 or -1. */
SCUOT_EXPORT int scuot_parse_double(const char *s, double *out);
/* Parse a size with optional suffix K, M, G, T (powers of 1024; a trailing B or iB allowed),
 * or a percentage of physical memory ("50%"). 0 or -1. */
SCUOT_EXPORT int scuot_parse_size(const char *s, uint64_t *out);

#ifdef __cplusplus
}
#endif
#endif
