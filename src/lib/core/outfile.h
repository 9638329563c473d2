/* outfile.h -- atomic output files: write to a temporary file beside the target, rename on commit.
 * A failed or killed stage never leaves a half-written output; SIGINT/SIGTERM remove temporaries. */
#ifndef SCUOT_CORE_OUTFILE_H
#define SCUOT_CORE_OUTFILE_H

#include <stdio.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An output in progress.  tmp is the temporary path to write (beside path, hidden name
 * ".NAME.tmpXXXXXX"); fp is open on it for "w" when opened with scuot_outfile_open. */
typedef struct scuot_outfile {
	char *path;
	char *tmp;
	FILE *fp;
} scuot_outfile;

/* Create the temporary file for path.  With want_fp the FILE* is kept open for writing,
 * otherwise it is closed and the caller writes tmp by name (e.g. H5Fcreate with H5F_ACC_TRUNC).
 * The temporary is registered for removal on SIGINT/SIGTERM.  Returns a new handle, or NULL
 * with e filled (SCUOT_EIO: directory missing or not writable).  Finish with commit or abort. */
SCUOT_EXPORT scuot_outfile *scuot_outfile_open(const char *path, int want_fp, scuot_err *e);
/* Flush, fsync and close the temporary, then rename it onto path.  On failure the temporary is
 * removed and SCUOT_EIO returned.  The handle is freed in every case. */
SCUOT_EXPORT int scuot_outfile_commit(scuot_outfile *o, scuot_err *e);
/* Close and remove the temporary; the target is untouched.  Frees o; NULL accepted. */
SCUOT_EXPORT void scuot_outfile_abort(scuot_outfile *o);

/* Install SIGINT/SIGTERM/SIGHUP handlers that remove registered temporaries and exit with
 * 128 + signal number (130 for SIGINT, 143 for SIGTERM).  SIGINT and SIGHUP stay ignored when
 * they were ignored at start (nohup, background jobs).  Called by every executable at start. */
SCUOT_EXPORT void scuot_signals_install(void);

#ifdef __cplusplus
}
#endif
#endif
