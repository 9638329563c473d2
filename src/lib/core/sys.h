/* sys.h -- facts about the running process and machine: memory, peak RSS, clocks.
 * Used for --max-memory defaults and the closing info line of each stage. */
#ifndef SCUOT_CORE_SYS_H
#define SCUOT_CORE_SYS_H

#include <stdint.h>

#include "core/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Physical memory in bytes (cgroup limit if lower), or 0 if unknown. */
SCUOT_EXPORT uint64_t scuot_sys_phys_mem(void);
/* Current resident set size of this process in bytes (0 if unknown). */
SCUOT_EXPORT uint64_t scuot_sys_rss(void);
/* Peak resident set size of this process in bytes. */
SCUOT_EXPORT uint64_t scuot_sys_peak_rss(void);
/* Monotonic wall-clock seconds and process CPU seconds. */
SCUOT_EXPORT double scuot_sys_wall(void);
SCUOT_EXPORT double scuot_sys_cpu(void);

#ifdef __cplusplus
}
#endif
#endif
