/* sets.h -- named sets of gene or cell ids in Waddington-OT's set formats: .gmt (one set per line),
 * .gmx (one set per column) and .grp (one id per line, the file is the set); plain or gzip-compressed. */
#ifndef SCUOT_IO_SETS_H
#define SCUOT_IO_SETS_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

enum scuot_sets_format {
	SCUOT_SETS_AUTO = 0, /* by extension (.gmt, .gmx, .grp, each optionally .gz), else by content */
	SCUOT_SETS_GMT,      /* per line: NAME, DESCRIPTION, MEMBER... separated by tabs */
	SCUOT_SETS_GMX,      /* line 1: set names, line 2: descriptions, then members by column (tabs) */
	SCUOT_SETS_GRP /* one member per line; the set is named after the file (no directory, no extension) */
};

/* One set: members as listed (blanks trimmed, empty entries skipped, repeats kept). */
typedef struct scuot_set {
	char *name, *desc;
	int64_t n;
	char **members;
} scuot_set;

typedef struct scuot_sets {
	int n, m;
	scuot_set *sets;
	int format; /* the SCUOT_SETS_* format read */
} scuot_sets;

/* Read the sets of path into out (zeroed by the call; filled only on success; free with
 * scuot_sets_free).  format SCUOT_SETS_AUTO: the extension decides; for another name the content:
 * no tab anywhere is grp, an empty field after the first line (columns of unequal length) is gmx,
 * anything else gmt.  Lines starting with '#' and blank lines are skipped (gmt, grp).  SCUOT_EINPUT
 * naming the file and line: a gmt line with fewer than 3 fields, an empty or repeated set name
 * (names compare case-insensitively), a set without members, a file without sets. */
SCUOT_EXPORT int scuot_sets_read(const char *path, int format, scuot_sets *out, scuot_err *e);
/* Format a name would be read as by extension (SCUOT_SETS_AUTO when the extension says nothing). */
SCUOT_EXPORT int scuot_sets_format_of(const char *path);
/* Name of a SCUOT_SETS_* format ("gmt", "gmx", "grp", "auto"). */
SCUOT_EXPORT const char *scuot_sets_format_name(int format);
/* Set named name (case-insensitive), or NULL. */
SCUOT_EXPORT const scuot_set *scuot_sets_find(const scuot_sets *s, const char *name);
/* Free every set and reset s; NULL accepted. */
SCUOT_EXPORT void scuot_sets_free(scuot_sets *s);

#ifdef __cplusplus
}
#endif
#endif
