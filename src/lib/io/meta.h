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

/* Read an id-keyed table named by spec into out (zeroed by the call; free with scuot_df_clear):
 *  - "FILE.h5ad#COL": obs column COL of an AnnData file, indexed by its obs names;
 *  - "FILE.h5ad": every obs column of that file;
 *  - anything else: a delimited text table (plain or gzip), scuot_text_read_table with id_col.
 * *col is set to COL (pointing into spec) for the first form, else NULL.  *is_text says whether the
 * table came from text (its row r sits on line r + 2).  SCUOT_EINPUT naming the file: unreadable,
 * malformed, or no obs column COL (the message lists the columns). */
SCUOT_EXPORT int scuot_meta_read_table(const char *spec, const char *id_col, scuot_df *out, const char **col,
                                       int *is_text, scuot_err *e);

/* Join table onto a->obs keeping every cell: each table column is copied to obs (replacing a column of
 * the same name, which is counted in *replaced when not NULL); cells absent from the table get missing
 * values (NaN, empty string, masked integer or bool).  SCUOT_EINPUT when no id of the table names a cell.
 * Counts go to st as for scuot_meta_join (cells_without are kept, not dropped). */
SCUOT_EXPORT int scuot_meta_annotate(scuot_adata *a, const scuot_df *table, const char *table_name,
                                     scuot_join_stats *st, int *replaced, scuot_err *e);

/* Cell ids named by spec into ids (appended):
 *  - "FILE#SET": the members of set SET (case-insensitive) of a set file (.gmt, .gmx, .grp, io/sets.h);
 *  - a file named .gmt, .gmx or .grp (optionally .gz): the union of all its sets;
 *  - anything else: a list, the first field (up to a tab or comma) of each line; a first line "id" or
 *    "barcode" is a header and skipped.
 * *nsets is the number of sets read (0 for a list).  SCUOT_EINPUT naming the file: unreadable, no ids,
 * no set SET (the message lists the sets). */
SCUOT_EXPORT int scuot_meta_read_cell_ids(const char *spec, scuot_strv *ids, int *nsets, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
