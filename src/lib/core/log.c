/* log.c -- levelled logging to stderr (see log.h).
 * Colour is used only when stderr is a terminal and NO_COLOR is unset. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

static int log_level = SCUOT_LOG_INFO;
static char log_prog[64] = "scuot";

void scuot_log_set_prog(const char *prog)
{
	snprintf(log_prog, sizeof log_prog, "%s", prog ? prog : "scuot");
}

const char *scuot_log_prog(void) { return log_prog; }

void scuot_log_set_level(int level)
{
	log_level = level < SCUOT_LOG_OFF ? SCUOT_LOG_OFF : level > SCUOT_LOG_DEBUG ? SCUOT_LOG_DEBUG : level;
}

int scuot_log_level(void) { return log_level; }

void scuot_log(int level, const char *func, const char *fmt, ...)
{
	static const char *names[] = { "", "error", "warning", "info", "debug" };
	static const char *colours[] = { "", "\033[1;31m", "\033[0;33m", "", "\033[0;36m" };
	int saved = errno;
	va_list ap;
	if (level > log_level || level <= SCUOT_LOG_OFF)
		return;
	int colour = isatty(STDERR_FILENO) && !getenv("NO_COLOR") && level != SCUOT_LOG_INFO;
	fflush(stdout);
	if (level == SCUOT_LOG_INFO)
		fprintf(stderr, "%s: ", log_prog);
	else
		fprintf(stderr, "%s: %s%s%s: ", log_prog, colour ? colours[level] : "", names[level],
		        colour ? "\033[0m" : "");
	if (func && level == SCUOT_LOG_DEBUG)
		fprintf(stderr, "[%s] ", func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errno = saved;
}
