/* err.h -- error codes and error records of libscuot.
 * Library functions return 0 or a negative SCUOT_E* code and fill a scuot_err. */
#ifndef SCUOT_CORE_ERR_H
#define SCUOT_CORE_ERR_H

#include "core/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes.  The executables map each to an exit status with
 * scuot_err_exit_status(): invalid input or usage is 2, everything else 1. */
enum {
	SCUOT_OK = 0,
	SCUOT_EUSAGE = -1,   /* bad option or argument (exit 2) */
	SCUOT_EINPUT = -2,   /* input file missing, unreadable or malformed (exit 2) */
	SCUOT_EIO = -3,      /* writing output failed: disk full, permissions (exit 1) */
	SCUOT_ENOMEM = -4,   /* allocation failed (exit 1) */
	SCUOT_ELIMIT = -5,   /* a resource limit (--max-memory, size cap) refused the job (exit 1) */
	SCUOT_ENUMERIC = -6, /* numerical failure: no convergence, singular system (exit 1) */
	SCUOT_EINTR = -7,    /* interrupted by a signal (exit 130/143) */
	SCUOT_EINTERNAL = -8 /* a bug: an invariant did not hold (exit 1) */
};

#define SCUOT_ERR_MSG_MAX 1024

/* An error record: the code of the first error and its message.  Zero-initialise
 * it (scuot_err e = {0};) before the first call that may fill it. */
typedef struct scuot_err {
	int code;
	char msg[SCUOT_ERR_MSG_MAX];
} scuot_err;

/* Fill e (may be NULL) with code and a printf-style message; returns code. */
SCUOT_EXPORT int scuot_err_set(scuot_err *e, int code, const char *fmt, ...)
	SCUOT_PRINTF(3, 4);

/* As scuot_err_set, appending ": strerror(errno)"; errno is preserved. Returns code. */
SCUOT_EXPORT int scuot_err_sys(scuot_err *e, int code, const char *fmt, ...)
	SCUOT_PRINTF(3, 4);

/* Prefix the message already in e with a printf-style context ("file.h5ad: "). */
SCUOT_EXPORT void scuot_err_prefix(scuot_err *e, const char *fmt, ...)
	SCUOT_PRINTF(2, 3);

/* Short static name of an error code ("invalid input", ...). */
SCUOT_EXPORT const char *scuot_err_str(int code);

/* Exit status for a code: 0 for SCUOT_OK, 2 for SCUOT_EUSAGE and SCUOT_EINPUT,
 * 130 for SCUOT_EINTR, 1 otherwise. */
SCUOT_EXPORT int scuot_err_exit_status(int code);

#ifdef __cplusplus
}
#endif
#endif
