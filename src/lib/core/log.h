/* log.h -- levelled logging to stderr, the library's only way to print.
 * Messages are prefixed with the program name; colour only when stderr is a terminal. */
#ifndef SCUOT_CORE_LOG_H
#define SCUOT_CORE_LOG_H

#include "core/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

enum scuot_log_level {
	SCUOT_LOG_OFF = 0,
	SCUOT_LOG_ERROR = 1,
	SCUOT_LOG_WARNING = 2,
	SCUOT_LOG_INFO = 3,  /* default */
	SCUOT_LOG_DEBUG = 4
};

/* Set the program name used as message prefix (string is copied). */
SCUOT_EXPORT void scuot_log_set_prog(const char *prog);
/* Program name set by scuot_log_set_prog ("scuot" before). */
SCUOT_EXPORT const char *scuot_log_prog(void);
/* Set / get the level; messages above it are dropped. */
SCUOT_EXPORT void scuot_log_set_level(int level);
SCUOT_EXPORT int scuot_log_level(void);

/* Write one message at level; func is the context (may be NULL). errno is preserved. */
SCUOT_EXPORT void scuot_log(int level, const char *func, const char *fmt, ...)
	SCUOT_PRINTF(3, 4);

#define scuot_log_error(...) scuot_log(SCUOT_LOG_ERROR, __func__, __VA_ARGS__)
#define scuot_log_warning(...) scuot_log(SCUOT_LOG_WARNING, __func__, __VA_ARGS__)
#define scuot_log_info(...) scuot_log(SCUOT_LOG_INFO, NULL, __VA_ARGS__)
#define scuot_log_debug(...) scuot_log(SCUOT_LOG_DEBUG, __func__, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
