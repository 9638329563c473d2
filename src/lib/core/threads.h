/* threads.h -- thread-count handling for OpenMP and OpenBLAS.
 * Default: OMP_NUM_THREADS or OPENBLAS_NUM_THREADS when set (as workflow engines set them), else all cores. */
#ifndef SCUOT_CORE_THREADS_H
#define SCUOT_CORE_THREADS_H

#include "core/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default thread count: OMP_NUM_THREADS, else OPENBLAS_NUM_THREADS, else online cores (>= 1). */
SCUOT_EXPORT int scuot_threads_default(void);
/* Use n threads (n < 1: the default) in OpenMP regions and OpenBLAS; returns the count used. */
SCUOT_EXPORT int scuot_threads_set(int n);
/* Count set by the last scuot_threads_set (the default before any call). */
SCUOT_EXPORT int scuot_threads_get(void);
/* Whether the library was built with OpenMP. */
SCUOT_EXPORT int scuot_threads_have_openmp(void);

#ifdef __cplusplus
}
#endif
#endif
