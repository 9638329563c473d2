/* meta.h -- cell metadata: joining an id-keyed table (cell days, annotations) onto obs,
 * and keeping listed cells or chosen days.  Every removal is counted for the caller to log. */
#ifndef SCUOT_IO_META_H
#define SCUOT_IO_META_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"
#include "io/adata.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a join found. */
typedef struct scuot_join_stats {
	int64_t matched;          /* cells of the matrix found in the table */
	int64_t cells_without;    /* cells of the matrix missing from the table (dropped unless strict) */
	int64_t table_only;       /* table rows naming no cell of the matrix */
	char first_without[128];  /* an example of each, for messages */
	char first_table_only[128];
} scuot_join_stats;

/* Join table (index = cell ids) onto a->obs: every table column is copied to obs (replacing a
 * column of the same name).  Cells absent from the table are dropped from a (strict == 0) or make
 * the call fail with SCUOT_EINPUT (strict != 0); counts go to st.  table_name is used in messages. */
SCUOT_EXPORT int scuot_meta_join(scuot_adata *a, const scuot_df *table, const char *table_name, int strict,
                                 scuot_join_stats *st, scuot_err *e);

/* Make obs column day_key the numeric column "day" (FLOAT).  A value that is not a number is
 * SCUOT_EINPUT naming the cell and value (line = row + line_offset when line_offset > 0, for a
 * table read from a file with a header).  Missing days (empty, NaN) drop the cell, counted in
 * *missing, or fail when strict. */
SCUOT_EXPORT int scuot_meta_set_day(scuot_adata *a, const char *day_key, const char *source_name, int strict,
                                    int64_t *missing, scuot_err *e);

/* Check that column col of a table read from file name (header on line 1, row r on line r + 2)
 * holds only numbers or empty cells: SCUOT_EINPUT "NAME: line N: COL 'VALUE' is not a number". */
SCUOT_EXPORT int scuot_meta_check_numeric(const scuot_df *table, const char *col, const char *name, scuot_err *e);

/* Keep only cells whose id is in ids[0..n); *dropped counts the others, *unknown the ids that
 * name no cell. */
SCUOT_EXPORT int scuot_meta_keep_cells(scuot_adata *a, char **ids, int64_t n, int64_t *dropped, int64_t *unknown,
                                       scuot_err *e);
/* Rows of the cells whose obs column day_key (numeric, or text holding numbers) equals one of
 * days[0..n) within 1e-9, in file order, into a new array *rows (free()) of *nrows.  SCUOT_EINPUT
 * "NAME: /obs/KEY: ..." when the column is missing or a day has no cells (the message lists the days
 * present).  opt names the option that asked for the days in messages ("--from"). */
SCUOT_EXPORT int scuot_meta_day_rows(const scuot_adata *a, const char *day_key, const double *days, int n,
                                     const char *name, const char *opt, int64_t **rows, int64_t *nrows,
                                     scuot_err *e);
/* Keep only cells whose obs "day" equals one of days[0..n) (within 1e-9); *dropped counts the rest.
 * A requested day with no cells is SCUOT_EINPUT. */
SCUOT_EXPORT int scuot_meta_keep_days(scuot_adata *a, const double *days, int n, int64_t *dropped, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
