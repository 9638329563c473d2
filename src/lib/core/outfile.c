/* outfile.c -- atomic output files (temporary beside the target, fsync, rename) and the
 * signal handlers that remove temporaries when a stage is interrupted. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mat.h"
#include "core/outfile.h"

/* Temporaries alive now, for the signal handler: a fixed table of paths so the handler
 * needs no allocation; unlink() is async-signal-safe. */
#define MAX_TMP 64
static char *volatile tmp_table[MAX_TMP];

static void tmp_register(char *p)
{
	for (int i = 0; i < MAX_TMP; i++)
		if (!tmp_table[i]) {
			tmp_table[i] = p;
			return;
		}
}

static void tmp_unregister(const char *p)
{
	for (int i = 0; i < MAX_TMP; i++)
		if (tmp_table[i] == p)
			tmp_table[i] = NULL;
}

static void on_signal(int sig)
{
	for (int i = 0; i < MAX_TMP; i++)
		if (tmp_table[i])
			unlink(tmp_table[i]);
	signal(sig, SIG_DFL);
	_exit(128 + sig);
}

void scuot_signals_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		/* an inherited "ignore" (nohup, a background job of a non-interactive shell) is kept */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN && sigs[i] != SIGTERM)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

static void outfile_free(scuot_outfile *o)
{
	if (!o)
		return;
	tmp_unregister(o->tmp);
	free(o->path);
	free(o->tmp);
	free(o);
}

scuot_outfile *scuot_outfile_open(const char *path, int want_fp, scuot_err *e)
{
	scuot_outfile *o = scuot_alloc(1, sizeof *o, 1, "output file", e);
	if (!o)
		return NULL;
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path + 1) : 0;
	const char *base = slash ? slash + 1 : path;
	if (!*base) {
		scuot_err_set(e, SCUOT_EUSAGE, "%s: output path names a directory, not a file", path);
		free(o);
		return NULL;
	}
	size_t n = dlen + strlen(base) + 16;
	o->path = scuot_strdup(path, e);
	o->tmp = scuot_alloc(n, 1, 0, "output file name", e);
	if (!o->path || !o->tmp) {
		outfile_free(o);
		return NULL;
	}
	snprintf(o->tmp, n, "%.*s.%s.tmpXXXXXX", (int)dlen, path, base);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	int fd = mkstemp(o->tmp);
	if (fd >= 0)
		tmp_register(o->tmp);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (fd < 0) {
		scuot_err_sys(e, SCUOT_EIO, "%s: cannot create output in %s", path, dlen ? "its directory" : "the current directory");
		outfile_free(o);
		return NULL;
	}
	{
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if (want_fp) {
		if (!(o->fp = fdopen(fd, "w"))) {
			scuot_err_sys(e, SCUOT_EIO, "%s: cannot open output", path);
			close(fd);
			unlink(o->tmp);
			outfile_free(o);
			return NULL;
		}
	} else {
		close(fd);
	}
	return o;
}

int scuot_outfile_commit(scuot_outfile *o, scuot_err *e)
{
	int ret = 0;
	if (o->fp) {
		if (fflush(o->fp) != 0 || ferror(o->fp))
			ret = scuot_err_sys(e, SCUOT_EIO, "%s: write failed", o->path);
		else if (fsync(fileno(o->fp)) != 0 && errno != EINVAL)
			ret = scuot_err_sys(e, SCUOT_EIO, "%s: write failed", o->path);
		if (fclose(o->fp) != 0 && !ret)
			ret = scuot_err_sys(e, SCUOT_EIO, "%s: write failed", o->path);
		o->fp = NULL;
	} else {
		int fd = open(o->tmp, O_RDONLY);
		if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL))
			ret = scuot_err_sys(e, SCUOT_EIO, "%s: cannot sync output", o->path);
		if (fd >= 0)
			close(fd);
	}
	if (!ret && rename(o->tmp, o->path) != 0)
		ret = scuot_err_sys(e, SCUOT_EIO, "%s: cannot move output into place", o->path);
	if (ret)
		unlink(o->tmp);
	outfile_free(o);
	return ret;
}

void scuot_outfile_abort(scuot_outfile *o)
{
	if (!o)
		return;
	if (o->fp)
		fclose(o->fp);
	unlink(o->tmp);
	outfile_free(o);
}
