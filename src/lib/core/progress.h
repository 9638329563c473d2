/* progress.h -- progress reporting for long loops on stderr.
 * A bar redrawn in place on a terminal; otherwise one line every ~10%. Silent below info level. */
#ifndef SCUOT_CORE_PROGRESS_H
#define SCUOT_CORE_PROGRESS_H

#include <stdint.h>

#include "core/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct scuot_progress scuot_progress;

/* Start reporting label over total units (total <= 0: unknown, counts only).  Free with
 * scuot_progress_finish.  Returns NULL only when out of memory (reporting is then skipped). */
SCUOT_EXPORT scuot_progress *scuot_progress_new(const char *label, int64_t total);
/* Record that done units are complete (absolute, not an increment). NULL accepted. */
SCUOT_EXPORT void scuot_progress_update(scuot_progress *p, int64_t done);
/* Print the final state with elapsed time and free p. NULL accepted. */
SCUOT_EXPORT void scuot_progress_finish(scuot_progress *p);

#ifdef __cplusplus
}
#endif
#endif
