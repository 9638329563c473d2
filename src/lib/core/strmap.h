/* strmap.h -- a string -> int64 hash map (open addressing, borrowed keys) for id lookups:
 * joining cell tables, finding duplicate barcodes.  Keys are not copied: they must outlive the map. */
#ifndef SCUOT_CORE_STRMAP_H
#define SCUOT_CORE_STRMAP_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct scuot_strmap scuot_strmap;

/* New map sized for about n keys; NULL with e filled.  Free with scuot_strmap_free. */
SCUOT_EXPORT scuot_strmap *scuot_strmap_new(int64_t n, scuot_err *e);
/* Free; NULL accepted. */
SCUOT_EXPORT void scuot_strmap_free(scuot_strmap *m);
/* Insert key -> value.  Returns 0 if inserted, 1 if the key was present (its value is put in
 * *old when old is not NULL, and kept), SCUOT_ENOMEM on failure. */
SCUOT_EXPORT int scuot_strmap_put(scuot_strmap *m, const char *key, int64_t value, int64_t *old, scuot_err *e);
/* Value of key, or -1 if absent. */
SCUOT_EXPORT int64_t scuot_strmap_get(const scuot_strmap *m, const char *key);
/* Build a map of labels[i] -> i; a duplicate label is SCUOT_EINPUT "what: duplicate 'X' at
 * positions i and j" (0-based).  NULL on error. */
SCUOT_EXPORT scuot_strmap *scuot_strmap_index(char *const *labels, int64_t n, const char *what, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
