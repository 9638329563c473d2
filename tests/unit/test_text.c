/* test_text.c -- unit tests of src/lib/io/text.c: dense count tables in both orientations and id-keyed
 * tables. Inputs are small strings read from memory (plain and gzip); expected matrices are written out by
 * hand. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/text.h"

/* cells x genes: c1 = (0, 1.5, 0), c2 = (2, 0, 3) */
static const float want_x[] = { 0, 1.5f, 0, 2, 0, 3 };
static const char *want_cells[] = { "c1", "c2" }, *want_genes[] = { "G1", "G2", "G3" };

static scuot_stream *open_text(const char *text, int gz, const char *name, unsigned char *buf, size_t cap)
{
	scuot_err e = { 0 };
	size_t len = strlen(text);
	scuot_stream *s;
	if (gz) {
		z_stream z;
		memset(&z, 0, sizeof z);
		cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = (unsigned char *)(uintptr_t)text, z.avail_in = (uInt)len;
		z.next_out = buf, z.avail_out = (uInt)cap;
		cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
		s = scuot_stream_open_mem(buf, cap - z.avail_out, name, &e);
		deflateEnd(&z);
	} else {
		s = scuot_stream_open_mem(text, len, name, &e);
	}
	cr_assert_not_null(s, "%s", e.msg);
	return s;
}

static int read_counts(const char *text, int gz, int orient, scuot_adata **a, scuot_err *e)
{
	unsigned char buf[4096];
	scuot_stream *s = open_text(text, gz, "counts.txt", buf, sizeof buf);
	int r = scuot_text_read_counts(s, orient, a, e);
	scuot_stream_close(s);
	return r;
}

static void assert_small(const scuot_adata *a, const char *what)
{
	scuot_err e = { 0 };
	cr_assert_eq(a->n_obs, 2, "%s: %lld cells", what, (long long)a->n_obs);
	cr_assert_eq(a->n_var, 3, "%s: %lld genes", what, (long long)a->n_var);
	cr_assert_eq(scuot_adata_check(a, &e), 0, "%s: %s", what, e.msg);
	cr_assert_eq(scuot_csr_check(a->X, &e), 0, "%s: %s", what, e.msg);
	cr_assert_eq(a->X->nnz, 3, "%s: zeros must be dropped (nnz %lld)", what, (long long)a->X->nnz);
	scuot_mat *d = scuot_csr_to_dense(a->X, &e);
	for (int k = 0; k < 6; k++)
		cr_assert_eq(d->data[k], want_x[k], "%s: X[%d] = %g, expected %g", what, k, d->data[k],
		             want_x[k]);
	scuot_mat_free(d);
	int jn = scuot_df_find(&a->var, "gene_name");
	cr_assert(jn >= 0, "%s: no gene_name column", what);
	for (int k = 0; k < 2; k++)
		cr_assert_str_eq(a->obs.index[k], want_cells[k], "%s: cell %d", what, k);
	for (int k = 0; k < 3; k++) {
		cr_assert_str_eq(a->var.index[k], want_genes[k], "%s: gene %d", what, k);
		cr_assert_str_eq(a->var.cols[jn].s[k], want_genes[k]);
	}
}

Test(counts, both_orientations_and_delimiters)
{
	struct {
		const char *what, *text;
		int orient;
	} cases[] = {
		{ "WOT cells x genes, tab", "id\tG1\tG2\tG3\nc1\t0\t1.5\t0\nc2\t2\t0\t3\n", SCUOT_TEXT_AUTO },
		{ "cells x genes, comma, CRLF, no final newline", "ID,G1,G2,G3\r\nc1,0,1.5,0\r\nc2,2,0.0,3e0",
		  SCUOT_TEXT_AUTO },
		{ "GEO genes x cells, comma", "gene,c1,c2\nG1,0,2\nG2,1.5,0\nG3,0,3\n", SCUOT_TEXT_AUTO },
		{ "genes x cells, quoted, empty corner",
		  "\"\",\"c1\",\"c2\"\n\"G1\",0,2\n\"G2\",\"1.5\",0\n\"G3\",0,3\n", SCUOT_TEXT_AUTO },
		{ "genes x cells, R write.table header without corner",
		  "c1\tc2\nG1\t0\t2\nG2\t1.5\t0\nG3\t0\t3\n", SCUOT_TEXT_AUTO },
		{ "cells x genes forced, corner not 'id'", "cell\tG1\tG2\tG3\nc1\t0\t1.5\t0\nc2\t2\t0\t3\n",
		  SCUOT_TEXT_CELLS_BY_GENES },
		{ "genes x cells forced, corner 'id'", "id,c1,c2\nG1,0,2\nG2,1.5,0\nG3,0,3\n",
		  SCUOT_TEXT_GENES_BY_CELLS },
		{ "blank lines and padding", "id , G1,G2 ,G3\n\nc1, 0 ,1.5,0\n\n c2,2,0,3\n\n",
		  SCUOT_TEXT_AUTO },
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
		for (int gz = 0; gz < 2; gz++) {
			scuot_err e = { 0 };
			scuot_adata *a = NULL;
			cr_assert_eq(read_counts(cases[k].text, gz, cases[k].orient, &a, &e), 0, "%s: %s",
			             cases[k].what, e.msg);
			assert_small(a, cases[k].what);
			scuot_adata_free(a);
		}
}

Test(counts, quoted_names_with_delimiters)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	cr_assert_eq(read_counts("id,\"HLA,A\",\"say \"\"hi\"\"\"\n\"c,1\",1,0\n", 0, SCUOT_TEXT_AUTO, &a,
	                         &e),
	             0, "%s", e.msg);
	cr_assert_eq(a->n_var, 2);
	cr_assert_str_eq(a->var.index[0], "HLA,A");
	cr_assert_str_eq(a->var.index[1], "say \"hi\"");
	cr_assert_str_eq(a->obs.index[0], "c,1");
	cr_assert_eq(a->X->nnz, 1);
	cr_assert_eq(a->X->indices[0], 0);
	scuot_adata_free(a);
	/* a row of zeros is kept, with no entries */
	cr_assert_eq(read_counts("id\tG1\nc1\t0\nc2\t4\n", 0, SCUOT_TEXT_AUTO, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(a->X->indptr[1], 0);
	cr_assert_eq(a->X->indptr[2], 1);
	cr_assert_eq(a->X->data[0], 4.0f);
	scuot_adata_free(a);
}

static void expect_counts_error(const char *text, int orient, const char *frag1, const char *frag2)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	int r = read_counts(text, 0, orient, &a, &e);
	cr_assert_eq(r, SCUOT_EINPUT, "input '%s': returned %d (%s)", text, r, e.msg);
	cr_assert_null(a);
	cr_assert(strstr(e.msg, "counts.txt: "), "message does not name the file: %s", e.msg);
	cr_assert(strstr(e.msg, frag1), "message lacks '%s': %s", frag1, e.msg);
	if (frag2)
		cr_assert(strstr(e.msg, frag2), "message lacks '%s': %s", frag2, e.msg);
}

Test(counts, bad_inputs)
{
	expect_counts_error("", SCUOT_TEXT_AUTO, "the file is empty", NULL);
	expect_counts_error("id\tG1\tG2\n", SCUOT_TEXT_AUTO, "no data rows after the header (line 1)", NULL);
	expect_counts_error("id\tG1\tG2\nc1\t1\t2\nc2\t1\n", SCUOT_TEXT_AUTO,
	                    "line 3: ragged row: 2 fields, expected 3", NULL);
	expect_counts_error("id\tG1\tG2\nc1\t1\t2\nc2\t1\t2\t3\n", SCUOT_TEXT_AUTO,
	                    "line 3: ragged row: 4 fields", NULL);
	expect_counts_error("id,G1,G2\nc1,1,2\nc2,abc,1\n", SCUOT_TEXT_AUTO,
	                    "line 3, column 2 (gene 'G1'): non-numeric value 'abc'", NULL);
	expect_counts_error("gene,c1,c2\nG1,1,2x\n", SCUOT_TEXT_AUTO,
	                    "line 2, column 3 (cell 'c2'): non-numeric value '2x'", NULL);
	expect_counts_error("id,G1,G2\nc1,,1\n", SCUOT_TEXT_AUTO, "line 2, column 2", "empty value");
	expect_counts_error("id,G1,G2\nc1,1,-1\n", SCUOT_TEXT_AUTO, "line 2, column 3", "negative value");
	expect_counts_error("id,G1,G2\nc1,NaN,1\n", SCUOT_TEXT_AUTO, "line 2, column 2", "NaN value 'NaN'");
	expect_counts_error("id,G1,G2\nc1,1,inf\n", SCUOT_TEXT_AUTO, "line 2, column 3", "infinite value");
	expect_counts_error("id,G1,G2\nc1,1,1e40\n", SCUOT_TEXT_AUTO, "line 2, column 3", "too large");
	expect_counts_error("id,G1,G2\nc1,1,1\nc2,0,0\nc1,2,2\n", SCUOT_TEXT_AUTO,
	                    "duplicate cell id 'c1' (lines 2 and 4)", NULL);
	expect_counts_error("id,G1,G2,G1\nc1,1,1,1\n", SCUOT_TEXT_AUTO,
	                    "duplicate gene name 'G1' (line 1, columns 2 and 4)", NULL);
	expect_counts_error("gene,c1,c2\nG1,1,1\nG1,2,2\n", SCUOT_TEXT_AUTO,
	                    "duplicate gene name 'G1' (lines 2 and 3)", NULL);
	expect_counts_error("gene,c1,c1\nG1,1,1\n", SCUOT_TEXT_AUTO, "duplicate cell id 'c1'", NULL);
	expect_counts_error("id,G1\n\"c1\"x,1\n", SCUOT_TEXT_AUTO, "line 2: malformed quoting", NULL);
	expect_counts_error("id,G1\n,1\n", SCUOT_TEXT_AUTO, "line 2: empty cell name", NULL);
	expect_counts_error("id\nc1\n", SCUOT_TEXT_AUTO, "no value columns", NULL);
}

/* ---- tables ---- */

static int read_table(const char *text, int gz, const char *id_col, scuot_df *df, scuot_err *e)
{
	unsigned char buf[4096];
	scuot_stream *s = open_text(text, gz, "table.txt", buf, sizeof buf);
	memset(df, 0, sizeof *df);
	int r = scuot_text_read_table(s, id_col, df, e);
	scuot_stream_close(s);
	return r;
}

Test(table, numeric_and_string_columns)
{
	const char *text =
	    "id\tday\tgrowth\tlabel\tnote\nc1\t0\t1.5\tA\tx\nc2\t2.5\t\t\t3\nc3\t4\tNA\tB\tyes\n";
	for (int gz = 0; gz < 2; gz++) {
		scuot_err e = { 0 };
		scuot_df df;
		cr_assert_eq(read_table(text, gz, NULL, &df, &e), 0, "%s", e.msg);
		cr_assert_eq(df.n, 3);
		cr_assert_eq(df.ncol, 4, "columns: %d (the id column is the index)", df.ncol);
		const char *ids[] = { "c1", "c2", "c3" };
		for (int r = 0; r < 3; r++)
			cr_assert_str_eq(df.index[r], ids[r]);
		scuot_col *day = &df.cols[scuot_df_find(&df, "day")],
		          *gr = &df.cols[scuot_df_find(&df, "growth")];
		scuot_col *lab = &df.cols[scuot_df_find(&df, "label")],
		          *note = &df.cols[scuot_df_find(&df, "note")];
		cr_assert_eq(day->type, SCUOT_COL_FLOAT);
		cr_assert_eq(day->f[0], 0.0);
		cr_assert_eq(day->f[1], 2.5);
		cr_assert_eq(day->f[2], 4.0);
		cr_assert_eq(gr->type, SCUOT_COL_FLOAT);
		cr_assert_eq(gr->f[0], 1.5);
		cr_assert(isnan(gr->f[1]) && isnan(gr->f[2]), "empty and NA must be NaN");
		cr_assert_eq(lab->type, SCUOT_COL_STRING);
		cr_assert_str_eq(lab->s[0], "A");
		cr_assert_null(lab->s[1], "an empty string cell is missing (NULL)");
		cr_assert_str_eq(lab->s[2], "B");
		cr_assert_eq(note->type, SCUOT_COL_STRING, "one non-number makes the column STRING");
		cr_assert_str_eq(note->s[1], "3");
		scuot_df_clear(&df);
	}
}

Test(table, id_column_selection)
{
	scuot_err e = { 0 };
	scuot_df df;
	/* a column named id anywhere */
	cr_assert_eq(read_table("day,id\n0,c1\n1.5,c2\n", 0, NULL, &df, &e), 0, "%s", e.msg);
	cr_assert_str_eq(df.index[1], "c2");
	cr_assert_eq(df.ncol, 1);
	cr_assert_str_eq(df.cols[0].name, "day");
	cr_assert_eq(df.cols[0].f[1], 1.5);
	scuot_df_clear(&df);
	/* no id column: the first one (pandas writes an empty corner) */
	cr_assert_eq(read_table(",day,\nc1,3,x\nc2,4,y\n", 0, NULL, &df, &e), 0, "%s", e.msg);
	cr_assert_str_eq(df.index[0], "c1");
	cr_assert_str_eq(df.cols[0].name, "day");
	cr_assert_str_eq(df.cols[1].name, "Unnamed: 2");
	scuot_df_clear(&df);
	/* chosen by name */
	cr_assert_eq(read_table("id\tcell\tday\n1\tAAA\t2\n2\tCCC\t3\n", 0, "cell", &df, &e), 0, "%s", e.msg);
	cr_assert_str_eq(df.index[1], "CCC");
	cr_assert_eq(df.cols[0].type, SCUOT_COL_FLOAT, "the id column 'id' is an ordinary column here");
	cr_assert_eq(df.cols[0].f[1], 2.0);
	scuot_df_clear(&df);
	/* header only: an empty table */
	cr_assert_eq(read_table("id\tday\n", 0, NULL, &df, &e), 0, "%s", e.msg);
	cr_assert_eq(df.n, 0);
	scuot_df_clear(&df);
}

static void expect_table_error(const char *text, const char *id_col, const char *frag)
{
	scuot_err e = { 0 };
	scuot_df df;
	int r = read_table(text, 0, id_col, &df, &e);
	cr_assert_eq(r, SCUOT_EINPUT, "input '%s': returned %d (%s)", text, r, e.msg);
	cr_assert_eq(df.n, 0, "output must stay empty on error");
	cr_assert(strstr(e.msg, "table.txt: "), "message does not name the file: %s", e.msg);
	cr_assert(strstr(e.msg, frag), "message lacks '%s': %s", frag, e.msg);
}

Test(table, bad_inputs)
{
	expect_table_error("", NULL, "the file is empty");
	expect_table_error("id\tday\nc1\t1\nc2\t2\t3\n", NULL, "line 3: ragged row: 3 fields, expected 2");
	expect_table_error("id\tday\nc1\t1\nc2\n", NULL, "line 3: ragged row: 1 fields, expected 2");
	expect_table_error("id,day\nc1,1\nc2,2\n\nc1,3\n", NULL, "duplicate id 'c1' (lines 2 and 5)");
	expect_table_error("id,day\nc1,1\n,2\n", NULL, "line 3: empty id");
	expect_table_error("id,day,day\nc1,1,2\n", NULL,
	                   "duplicate column name 'day' (line 1, columns 2 and 3)");
	expect_table_error("cell,day\nc1,1\n", "barcode",
	                   "no column 'barcode' in the header (line 1); the columns are "
	                   "'cell', 'day'");
}
