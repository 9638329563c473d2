/* err.c -- error records and the mapping of error codes to exit statuses.
 * See err.h for the codes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

static int err_vset(scuot_err *e, int code, int sys, const char *fmt, va_list ap)
{
	int saved = errno;
	if (!e || (e->code != 0 && e->msg[0]))
		return code; /* keep the first, most specific error */
	e->code = code;
	int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	if (sys && n >= 0 && (size_t)n < sizeof e->msg)
		snprintf(e->msg + n, sizeof e->msg - n, ": %s", strerror(saved));
	errno = saved;
	return code;
}

int scuot_err_set(scuot_err *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

int scuot_err_sys(scuot_err *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, code, 1, fmt, ap);
	va_end(ap);
	return code;
}

void scuot_err_prefix(scuot_err *e, const char *fmt, ...)
{
	char pre[SCUOT_ERR_MSG_MAX], old[SCUOT_ERR_MSG_MAX];
	va_list ap;
	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	size_t n = strlen(pre);
	if (n >= sizeof e->msg)
		n = sizeof e->msg - 1;
	memcpy(e->msg, pre, n);
	size_t m = strlen(old);
	if (m > sizeof e->msg - 1 - n)
		m = sizeof e->msg - 1 - n;
	memcpy(e->msg + n, old, m);
	e->msg[n + m] = 0;
}

const char *scuot_err_str(int code)
{
	switch (code) {
	case SCUOT_OK: return "success";
	case SCUOT_EUSAGE: return "usage error";
	case SCUOT_EINPUT: return "invalid input";
	case SCUOT_EIO: return "output error";
	case SCUOT_ENOMEM: return "out of memory";
	case SCUOT_ELIMIT: return "resource limit";
	case SCUOT_ENUMERIC: return "numerical failure";
	case SCUOT_EINTR: return "interrupted";
	case SCUOT_EINTERNAL: return "internal error";
	}
	return "unknown error";
}

int scuot_err_exit_status(int code)
{
	switch (code) {
	case SCUOT_OK: return 0;
	case SCUOT_EUSAGE:
	case SCUOT_EINPUT: return 2;
	case SCUOT_EINTR: return 130;
	default: return 1;
	}
}
