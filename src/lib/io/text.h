/* text.h -- delimited text: dense count tables (CSV/TSV, parsed with libcsv, streaming) and
 * id-keyed annotation tables such as Waddington-OT's cell_days.txt. */
#ifndef SCUOT_IO_TEXT_H
#define SCUOT_IO_TEXT_H

#include "core/defs.h"
#include "core/err.h"
#include "io/adata.h"
#include "io/stream.h"

#ifdef __cplusplus
extern "C" {
#endif

enum scuot_text_orient {
	SCUOT_TEXT_AUTO = 0,       /* cells x genes if the header's first cell is "id", else genes x cells */
	SCUOT_TEXT_CELLS_BY_GENES, /* header: id, gene...; one row per cell (WOT's expression txt) */
	SCUOT_TEXT_GENES_BY_CELLS  /* header: gene, cell...; one row per gene */
};

/* Read a dense delimited count table from s (delimiter: tab if the header line has one, else
 * comma; quoting as RFC 4180) into a new scuot_adata with sparse X (zeros dropped), obs index =
 * cell ids, var index = gene names and var STRING column gene_name (the same names).  A header one
 * field shorter than the rows (R's write.table, no corner field) is accepted.  Errors (SCUOT_EINPUT,
 * with line and column): ragged rows, empty, non-numeric, negative, NaN or Inf values, duplicate
 * cell or gene ids, malformed quoting, an empty file or a header without data rows. */
SCUOT_EXPORT int scuot_text_read_counts(scuot_stream *s, int orient, scuot_adata **out, scuot_err *e);

/* Read an id-keyed table with a header line (tab or comma) into out, which must be empty
 * (zeroed); it is filled only on success (free with scuot_df_clear).  The column named id_col
 * (SCUOT_EINPUT listing the header if absent; NULL: the column "id", else the first column) becomes
 * the index; other columns become FLOAT columns when every value parses as a finite number (empty,
 * NA, NaN, nan = NaN), else STRING columns (empty = NULL).  Empty header names become "Unnamed: J"
 * (J the 0-based position, as pandas).  SCUOT_EINPUT with line numbers: ragged rows, empty or
 * duplicate ids, duplicate column names, an empty file. */
SCUOT_EXPORT int scuot_text_read_table(scuot_stream *s, const char *id_col, scuot_df *out, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
