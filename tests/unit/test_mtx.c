/* test_mtx.c -- unit tests of src/lib/io/mtx.c: Matrix Market parsing, 10x directories, round trips.
 * Fixtures are small text generated into a temporary directory; expected matrices are written out by hand. */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io/mtx.h"

static char tmpdir[256];

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/scuot-mtx-XXXXXX", t && *t ? t : "/tmp");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static void teardown(void) { nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

TestSuite(mtx, .init = setup, .fini = teardown);

static const char *path_of(const char *name)
{
	static char p[4][512];
	static int k;
	k = (k + 1) & 3;
	snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
	return p[k];
}

/* Write text to tmpdir/name, gzip-compressed when the name ends in .gz. */
static void write_text(const char *name, const char *text)
{
	const char *path = path_of(name);
	size_t n = strlen(name);
	if (n > 3 && strcmp(name + n - 3, ".gz") == 0) {
		gzFile g = gzopen(path, "wb");
		cr_assert_not_null(g, "%s", path);
		cr_assert_eq(gzwrite(g, text, (unsigned)strlen(text)), (int)strlen(text));
		gzclose(g);
	} else {
		FILE *f = fopen(path, "w");
		cr_assert_not_null(f, "%s: %s", path, strerror(errno));
		fputs(text, f);
		fclose(f);
	}
}

/* Parse text saved as tmpdir/name. */
static int read_text(const char *name, const char *text, scuot_csr **out, scuot_err *e)
{
	write_text(name, text);
	scuot_stream *s = scuot_stream_open(path_of(name), e);
	cr_assert_not_null(s, "%s", e->msg);
	int r = scuot_mtx_read(s, out, e);
	scuot_stream_close(s);
	return r;
}

/* c equals the dense nrow x ncol matrix want (row-major). */
static void assert_csr(const scuot_csr *c, int64_t nrow, int64_t ncol, const float *want, const char *what)
{
	scuot_err e = { 0 };
	cr_assert_eq(c->nrow, nrow, "%s: %lld rows, expected %lld", what, (long long)c->nrow,
	             (long long)nrow);
	cr_assert_eq(c->ncol, ncol, "%s: %lld columns, expected %lld", what, (long long)c->ncol,
	             (long long)ncol);
	cr_assert_eq(scuot_csr_check(c, &e), 0, "%s: %s", what, e.msg);
	int64_t nz = 0;
	for (int64_t k = 0; k < nrow * ncol; k++)
		nz += want[k] != 0;
	cr_assert_eq(c->nnz, nz, "%s: nnz %lld, expected %lld", what, (long long)c->nnz, (long long)nz);
	for (int64_t i = 0; i < nrow; i++) {
		int64_t k = c->indptr[i];
		for (int64_t j = 0; j < ncol; j++) {
			float got = 0;
			if (k < c->indptr[i + 1] && c->indices[k] == j)
				got = c->data[k++];
			cr_assert_eq(got, want[i * ncol + j], "%s: (%lld, %lld) = %g, expected %g", what,
			             (long long)i, (long long)j, got, want[i * ncol + j]);
		}
	}
}

static int csr_equal(const scuot_csr *a, const scuot_csr *b)
{
	return a->nrow == b->nrow && a->ncol == b->ncol && a->nnz == b->nnz &&
	       !memcmp(a->indptr, b->indptr, (size_t)(a->nrow + 1) * sizeof *a->indptr) &&
	       !memcmp(a->indices, b->indices, (size_t)a->nnz * sizeof *a->indices) &&
	       !memcmp(a->data, b->data, (size_t)a->nnz * sizeof *a->data);
}

/* A 4 genes x 3 cells matrix; as cells x genes (the CSR the reader returns):
 *   cell 1: gene1 = 1, gene3 = 5
 *   cell 2: (empty)
 *   cell 3: gene2 = 2, gene3 = 7, gene4 = 3 */
static const float small_want[] = { 1, 0, 5, 0, 0, 0, 0, 0, 0, 2, 7, 3 };
#define BANNER "%%MatrixMarket matrix coordinate integer general\n"
static const char *small_sorted = BANNER "%metadata_json: {\"software_version\": \"cellranger-7\"}\n"
                                         "4 3 5\n1 1 1\n3 1 5\n2 3 2\n3 3 7\n4 3 3\n";
static const char *small_unsorted = BANNER "% entries in no particular order\n"
                                           "4 3 5\n3 3 7\n1 1 1\n4 3 3\n3 1 5\n2 3 2\n";
/* sorted by cell at first, then a lower cell: the entries before the switch must be moved */
static const char *small_late = BANNER "4  3  5\n1\t1\t1\n2 3 2\n4 3 3\n3 1 5\n3 3 7\n";

Test(mtx, sorted_and_unsorted_give_the_same_csr)
{
	scuot_err e = { 0 };
	scuot_csr *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	cr_assert_eq(read_text("sorted.mtx", small_sorted, &a, &e), 0, "%s", e.msg);
	assert_csr(a, 3, 4, small_want, "sorted");
	cr_assert_eq(read_text("unsorted.mtx", small_unsorted, &b, &e), 0, "%s", e.msg);
	assert_csr(b, 3, 4, small_want, "unsorted");
	cr_assert_eq(read_text("late.mtx.gz", small_late, &c, &e), 0, "%s", e.msg);
	assert_csr(c, 3, 4, small_want, "late switch, gzip");
	cr_assert(csr_equal(a, b) && csr_equal(a, c), "the three inputs give different CSR arrays");
	/* from memory, plain and gzip */
	scuot_stream *s = scuot_stream_open_mem(small_unsorted, strlen(small_unsorted), "mem.mtx", &e);
	cr_assert_eq(scuot_mtx_read(s, &d, &e), 0, "%s", e.msg);
	cr_assert(csr_equal(a, d));
	scuot_stream_close(s);
	scuot_csr_free(d);
	z_stream z;
	unsigned char gz[1024];
	memset(&z, 0, sizeof z);
	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)(uintptr_t)small_late, z.avail_in = (uInt)strlen(small_late);
	z.next_out = gz, z.avail_out = sizeof gz;
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	s = scuot_stream_open_mem(gz, sizeof gz - z.avail_out, "mem.mtx.gz", &e);
	deflateEnd(&z);
	cr_assert_eq(scuot_mtx_read(s, &d, &e), 0, "%s", e.msg);
	cr_assert(csr_equal(a, d), "gzip memory input differs");
	scuot_stream_close(s);
	scuot_csr_free(a), scuot_csr_free(b), scuot_csr_free(c), scuot_csr_free(d);
}

Test(mtx, larger_unsorted_matches_sorted)
{
	/* 40 genes x 300 cells, every third (gene, cell) set; written sorted and in a scrambled order */
	int ng = 40, nc = 300, n = 0;
	int *gi = malloc(sizeof(int) * ng * nc), *ci = malloc(sizeof(int) * ng * nc);
	for (int c = 0; c < nc; c++)
		for (int g = 0; g < ng; g++)
			if ((g * 7 + c * 3) % 3 == 0 && (g + c) % 5)
				gi[n] = g, ci[n++] = c;
	size_t cap = (size_t)n * 32 + 256;
	char *t1 = malloc(cap), *t2 = malloc(cap);
	int l1 = snprintf(t1, cap, "%s%d %d %d\n", BANNER, ng, nc, n);
	int l2 = snprintf(t2, cap, "%s%d %d %d\n", BANNER, ng, nc, n);
	for (int k = 0; k < n; k++)
		l1 += snprintf(t1 + l1, cap - (size_t)l1, "%d %d %d\n", gi[k] + 1, ci[k] + 1,
		               gi[k] * 1000 + ci[k] + 1);
	for (int k = 0; k < n; k++) {
		int p = (int)(((long long)k * 7919) %
		              n); /* a permutation since 7919 is prime and n is not a multiple */
		l2 += snprintf(t2 + l2, cap - (size_t)l2, "%d %d %d\n", gi[p] + 1, ci[p] + 1,
		               gi[p] * 1000 + ci[p] + 1);
	}
	scuot_err e = { 0 };
	scuot_csr *a = NULL, *b = NULL;
	cr_assert_eq(read_text("big-sorted.mtx", t1, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(read_text("big-perm.mtx.gz", t2, &b, &e), 0, "%s", e.msg);
	cr_assert_eq(a->nnz, n);
	cr_assert(csr_equal(a, b), "permuted input gives a different CSR");
	for (int64_t r = 0; r < a->nrow; r++)
		for (int64_t k = a->indptr[r]; k < a->indptr[r + 1]; k++)
			cr_assert_eq(a->data[k], (float)(a->indices[k] * 1000 + r + 1));
	scuot_csr_free(a), scuot_csr_free(b);
	free(gi), free(ci), free(t1), free(t2);
}

Test(mtx, fields_zeros_and_empty)
{
	scuot_err e = { 0 };
	scuot_csr *c = NULL;
	const float pat[] = { 1, 0, 1, 0, 0, 0, 0, 1, 1, 1 };
	cr_assert_eq(read_text("p.mtx",
	                       "%%matrixmarket MATRIX Coordinate PATTERN General\n5 2 5\n1 1\n3 1\n"
	                       "3 2\n4 2\n5 2\n",
	                       &c, &e),
	             0, "%s", e.msg);
	assert_csr(c, 2, 5, pat, "pattern");
	scuot_csr_free(c);
	const float real[] = { 0.5f, 0, 1e-3f, 0, 0, 2.25f, 123456.789f, 0, 0, 0, 0, 0 };
	cr_assert_eq(read_text("r.mtx",
	                       "%%MatrixMarket matrix coordinate real general\n\n4 3 5\n"
	                       "1 1 0.5\n3 1 1e-3\n3 2 123456.789\n2 2 +2.25E0\n4 3 0.0\n",
	                       &c, &e),
	             0, "%s", e.msg);
	assert_csr(c, 3, 4, real, "real (explicit zero dropped)");
	scuot_csr_free(c);
	const float dbl[] = { 0, 3, 1.5f, 0 };
	cr_assert_eq(read_text("d.mtx",
	                       "%%MatrixMarket matrix coordinate double general\n2 2 2\n2 1 3\n1 2 1.5\n", &c,
	                       &e),
	             0, "%s", e.msg);
	assert_csr(c, 2, 2, dbl, "double");
	scuot_csr_free(c);
	const float big[] = { 16777216, 0, 0, 0 };
	cr_assert_eq(read_text("i.mtx", BANNER "2 2 2\n1 1 16777216\n2 2 0\n", &c, &e), 0, "%s", e.msg);
	assert_csr(c, 2, 2, big, "integer (explicit zero dropped)");
	scuot_csr_free(c);
	const float none[6] = { 0 };
	cr_assert_eq(read_text("z.mtx", BANNER "3 2 0\n", &c, &e), 0, "%s", e.msg);
	assert_csr(c, 2, 3, none, "no entries");
	scuot_csr_free(c);
}

/* Each bad input: the code is SCUOT_EINPUT and the message names the file and holds every fragment. */
static void expect_error(const char *name, const char *text, const char *frag1, const char *frag2)
{
	scuot_err e = { 0 };
	scuot_csr *c = NULL;
	int r = read_text(name, text, &c, &e);
	cr_assert_eq(r, SCUOT_EINPUT, "%s: returned %d (%s), expected SCUOT_EINPUT", name, r, e.msg);
	cr_assert_null(c);
	cr_assert(strstr(e.msg, path_of(name)), "%s: message does not name the file: %s", name, e.msg);
	cr_assert(strstr(e.msg, frag1), "%s: message lacks '%s': %s", name, frag1, e.msg);
	if (frag2)
		cr_assert(strstr(e.msg, frag2), "%s: message lacks '%s': %s", name, frag2, e.msg);
}

Test(mtx, bad_headers)
{
	expect_error("empty.mtx", "", "file is empty", NULL);
	expect_error("nobanner.mtx", "4 3 5\n1 1 1\n", "line 1: not a Matrix Market file", NULL);
	expect_error("short-banner.mtx", "%%MatrixMarket matrix coordinate\n", "line 1: incomplete banner",
	             NULL);
	expect_error("sym.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 1 1\n",
	             "line 1: 'symmetric' matrices are not supported",
	             "coordinate (integer|real|double|pattern) general");
	expect_error("cplx.mtx", "%%MatrixMarket matrix coordinate complex general\n",
	             "line 1: complex values", "(integer|real|double|pattern)");
	expect_error("array.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n",
	             "line 1: dense 'array'", "coordinate");
	expect_error("vector.mtx", "%%MatrixMarket vector coordinate real general\n",
	             "line 1: Matrix Market object "
	             "'vector'",
	             NULL);
	expect_error("nosize.mtx", BANNER "% only comments\n", "ends before the size line", NULL);
	expect_error("badsize.mtx", BANNER "%c\n4 x 5\n", "line 3: bad size line '4 x 5'", NULL);
	expect_error("size2.mtx", BANNER "4 3\n", "line 2: bad size line", NULL);
	expect_error("size4.mtx", BANNER "4 3 2 1\n", "line 2: bad size line", NULL);
	expect_error("negsize.mtx", BANNER "-4 3 2\n", "line 2: bad size line", NULL);
	expect_error("toomany.mtx", BANNER "2 3 7\n", "line 2: 7 entries cannot fit a 2 x 3 matrix", NULL);
	expect_error("huge.mtx", BANNER "3000000000 3 1\n", "line 2", "not supported");
	/* 10^12 entries on a 10^6 x 10^6 matrix: refused before any allocation by the size bound */
	expect_error("claim.mtx", BANNER "1000000 1000000 1000000000000\n1 1 1\n",
	             "line 2: the size line declares "
	             "1000000000000 entries",
	             "truncated");
	expect_error("claim.mtx.gz", BANNER "1000000 1000000 1000000000000\n1 1 1\n",
	             "line 2: the size line "
	             "declares",
	             NULL);
}

Test(mtx, bad_entries)
{
	expect_error("fewer.mtx", BANNER "4 3 3\n1 1 1\n2 2 2\n", "line 4: the file ends after 2 entries",
	             "declares 3");
	expect_error("more.mtx", BANNER "4 3 1\n1 1 1\n2 2 2\n", "line 4: more entries than the 1 declared",
	             NULL);
	expect_error("row0.mtx", BANNER "4 3 1\n0 1 1\n", "line 3: row index 0 is out of range", "1..4");
	expect_error("row5.mtx", BANNER "4 3 2\n1 1 1\n5 1 1\n", "line 4: row index 5 is out of range",
	             "1..4");
	expect_error("col4.mtx", BANNER "4 3 1\n1 4 1\n", "line 3: column index 4 is out of range", "1..3");
	expect_error("dup.mtx", BANNER "4 3 3\n1 2 1\n3 2 1\n1 2 5\n",
	             "line 5: duplicate entry for row 1, column 2 (first at line 3)", NULL);
	expect_error("dup-unsorted.mtx.gz", BANNER "4 3 4\n1 3 1\n4 2 1\n2 1 1\n4 2 5\n",
	             "line 6: duplicate entry for row 4, column 2 (first at line 4)", NULL);
	expect_error("neg.mtx", BANNER "4 3 1\n1 1 -2\n", "line 3: bad entry '1 1 -2': negative value", NULL);
	expect_error("negr.mtx", "%%MatrixMarket matrix coordinate real general\n4 3 1\n1 1 -0.5\n", "line 3",
	             "negative value");
	expect_error("nan.mtx", "%%MatrixMarket matrix coordinate real general\n4 3 1\n1 1 nan\n", "line 3",
	             "NaN");
	expect_error("inf.mtx", "%%MatrixMarket matrix coordinate real general\n4 3 2\n1 1 1\n1 2 inf\n",
	             "line 4", "infinite");
	expect_error("bigf.mtx", "%%MatrixMarket matrix coordinate real general\n4 3 1\n1 1 1e39\n", "line 3",
	             "too large");
	expect_error("text.mtx", BANNER "4 3 1\n1 1 abc\n",
	             "line 3: bad entry '1 1 abc': the value is not a number", NULL);
	expect_error("texti.mtx", BANNER "4 3 1\nx 1 2\n", "line 3", "row index is not a positive integer");
	expect_error("textj.mtx", BANNER "4 3 1\n1 1.0 2\n", "line 3",
	             "column index is not a positive integer");
	expect_error("trail.mtx", BANNER "4 3 1\n1 1 1 x\n", "line 3: bad entry '1 1 1 x': unexpected text",
	             NULL);
	expect_error("trailp.mtx", "%%MatrixMarket matrix coordinate pattern general\n4 3 1\n1 1 1\n",
	             "line 3", "unexpected text");
	expect_error("notint.mtx", BANNER "4 3 1\n1 1 1.5\n", "line 3", "not an integer");
	expect_error("short.mtx", BANNER "4 3 1\n1 1\n", "line 3: entry '1 1' is incomplete", NULL);
	expect_error("short2.mtx", BANNER "4 3 1\n1\n", "line 3", "incomplete");
}

/* ---- 10x directories ---- */

/* A 3 cells x 4 genes object with a real value, gene names and feature types. */
static scuot_adata *small_adata(int real)
{
	scuot_err e = { 0 };
	scuot_adata *a = scuot_adata_new(3, 4, &e);
	scuot_csr *c = scuot_csr_new(3, 4, 5, &e);
	int64_t ip[] = { 0, 2, 2, 5 };
	int32_t ix[] = { 0, 2, 1, 2, 3 };
	float v[] = { 1, 5, 2, 7, 3 };
	if (real)
		v[3] = 0.1f, v[4] = 1234567.5f;
	memcpy(c->indptr, ip, sizeof ip);
	memcpy(c->indices, ix, sizeof ix);
	memcpy(c->data, v, sizeof v);
	a->X = c;
	const char *bc[] = { "AAAC-1", "AAAG-1", "TTTT-1" }, *id[] = { "ENSG1", "ENSG2", "ENSG3", "AB_CD4" };
	const char *nm[] = { "Actb", "Gapdh", "Malat1", "CD4" },
	           *ty[] = { "Gene Expression", "Gene Expression", "Gene Expression", "Antibody Capture" };
	char **ob = calloc(3, sizeof *ob), **va = calloc(4, sizeof *va);
	for (int k = 0; k < 3; k++)
		ob[k] = strdup(bc[k]);
	for (int k = 0; k < 4; k++)
		va[k] = strdup(id[k]);
	scuot_df_set_index(&a->obs, ob, 3, &e);
	scuot_df_set_index(&a->var, va, 4, &e);
	scuot_col *cn = scuot_df_add(&a->var, "gene_name", SCUOT_COL_STRING, &e);
	scuot_col *ct = scuot_df_add(&a->var, "feature_type", SCUOT_COL_STRING, &e);
	for (int k = 0; k < 4; k++)
		cn->s[k] = strdup(nm[k]), ct->s[k] = strdup(ty[k]);
	return a;
}

static void assert_same_adata(const scuot_adata *a, const scuot_adata *b)
{
	cr_assert_eq(b->n_obs, a->n_obs);
	cr_assert_eq(b->n_var, a->n_var);
	cr_assert(csr_equal(a->X, b->X), "X differs after the round trip");
	for (int64_t k = 0; k < a->n_obs; k++)
		cr_assert_str_eq(b->obs.index[k], a->obs.index[k]);
	for (int64_t k = 0; k < a->n_var; k++)
		cr_assert_str_eq(b->var.index[k], a->var.index[k]);
	const char *cols[] = { "gene_name", "feature_type" };
	for (int j = 0; j < 2; j++) {
		int ja = scuot_df_find(&a->var, cols[j]), jb = scuot_df_find(&b->var, cols[j]);
		cr_assert(ja >= 0 && jb >= 0, "column %s missing", cols[j]);
		cr_assert_eq(b->var.cols[jb].type, SCUOT_COL_STRING);
		for (int64_t k = 0; k < a->n_var; k++)
			cr_assert_str_eq(b->var.cols[jb].s[k], a->var.cols[ja].s[k]);
	}
}

static char *first_line_gz(const char *path)
{
	static char buf[256];
	gzFile g = gzopen(path, "rb");
	cr_assert_not_null(g, "%s", path);
	cr_assert_not_null(gzgets(g, buf, sizeof buf));
	gzclose(g);
	return buf;
}

Test(mtx, write_then_read_round_trip)
{
	for (int gz = 0; gz < 2; gz++)
		for (int real = 0; real < 2; real++) {
			scuot_err e = { 0 };
			scuot_adata *a = small_adata(real), *b = NULL;
			char dir[64];
			snprintf(dir, sizeof dir, "out-%d-%d", gz, real);
			const char *d = path_of(dir);
			cr_assert_eq(scuot_mtx_write_dir(d, a, gz, &e), 0, "%s", e.msg);
			char f[600];
			snprintf(f, sizeof f, "%s/matrix.mtx%s", d, gz ? ".gz" : "");
			cr_assert_eq(access(f, R_OK), 0, "%s missing", f);
			const char *banner = first_line_gz(f); /* gzread passes plain files through */
			cr_assert_str_eq(banner, real ? "%%MatrixMarket matrix coordinate real general\n"
			                              : "%%MatrixMarket matrix coordinate integer general\n");
			snprintf(f, sizeof f, "%s/features.tsv%s", d, gz ? ".gz" : "");
			cr_assert_str_eq(first_line_gz(f), "ENSG1\tActb\tGene Expression\n");
			snprintf(f, sizeof f, "%s/barcodes.tsv%s", d, gz ? ".gz" : "");
			cr_assert_str_eq(first_line_gz(f), "AAAC-1\n");
			cr_assert_eq(scuot_mtx_read_dir(d, &b, &e), 0, "%s", e.msg);
			assert_same_adata(a, b);
			scuot_adata_free(a), scuot_adata_free(b);
		}
}

Test(mtx, writer_output_text)
{
	scuot_err e = { 0 };
	scuot_adata *a = small_adata(1);
	cr_assert_eq(scuot_mtx_write_dir(path_of("txt"), a, 0, &e), 0, "%s", e.msg);
	FILE *f = fopen(path_of("txt/matrix.mtx"), "r");
	char buf[512];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	cr_assert_str_eq(buf, "%%MatrixMarket matrix coordinate real general\n4 3 5\n1 1 1\n3 1 5\n2 3 2\n"
	                      "3 3 0.100000001\n4 3 1234567.5\n");
	/* no X: refused, nothing written */
	scuot_csr_free(a->X);
	a->X = NULL;
	memset(&e, 0, sizeof e);
	cr_assert_eq(scuot_mtx_write_dir(path_of("noX"), a, 1, &e), SCUOT_EINPUT);
	scuot_adata_free(a);
	/* a barcode with a tab cannot be written; no file is left behind */
	a = small_adata(0);
	free(a->obs.index[1]);
	a->obs.index[1] = strdup("AA\tBB");
	memset(&e, 0, sizeof e);
	cr_assert_eq(scuot_mtx_write_dir(path_of("tab"), a, 1, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "'AA\tBB' (row 2) contains a tab"), "message: %s", e.msg);
	cr_assert_neq(access(path_of("tab/matrix.mtx.gz"), F_OK), 0, "a partial output was committed");
	cr_assert_neq(access(path_of("tab/barcodes.tsv.gz"), F_OK), 0, "a partial output was committed");
	scuot_adata_free(a);
}

static void make_dir(const char *name) { cr_assert_eq(mkdir(path_of(name), 0777), 0, "%s", strerror(errno)); }

Test(mtx, legacy_starsolo_and_prefix_directories)
{
	/* Cell Ranger 2: genes.tsv (id, name), plain files */
	make_dir("v2");
	write_text("v2/matrix.mtx", small_unsorted);
	write_text("v2/genes.tsv", "ENSG1\tActb\nENSG2\tGapdh\nENSG3\tMalat1\nAB_CD4\tCD4\n");
	write_text("v2/barcodes.tsv", "AAAC-1\nAAAG-1\nTTTT-1\n");
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	cr_assert_eq(scuot_mtx_read_dir(path_of("v2"), &a, &e), 0, "%s", e.msg);
	assert_csr(a->X, 3, 4, small_want, "legacy");
	cr_assert_eq(scuot_df_find(&a->var, "feature_type"), -1, "genes.tsv has no feature types");
	int jn = scuot_df_find(&a->var, "gene_name");
	cr_assert_str_eq(a->var.cols[jn].s[1], "Gapdh");
	cr_assert_str_eq(a->var.index[3], "AB_CD4");
	cr_assert_str_eq(a->obs.index[2], "TTTT-1");
	scuot_adata_free(a);

	/* STARsolo: v3 names without .gz; a single-column genes file also works (id = name) */
	make_dir("solo");
	write_text("solo/matrix.mtx", small_sorted);
	write_text("solo/features.tsv",
	           "G1\tg1\tGene Expression\nG2\tg2\tGene Expression\nG3\tg3\tGene Expression\n"
	           "G4\tg4\tGene Expression\n");
	write_text("solo/barcodes.tsv", "A\nB\nC");
	cr_assert_eq(scuot_mtx_read_dir(path_of("solo/"), &a, &e), 0, "%s", e.msg);
	jn = scuot_df_find(&a->var, "feature_type");
	cr_assert(jn >= 0);
	cr_assert_str_eq(a->var.cols[jn].s[3], "Gene Expression");
	scuot_adata_free(a);

	make_dir("one");
	write_text("one/sampleA_matrix.mtx.gz", small_sorted);
	write_text("one/sampleA_genes.tsv.gz", "g1\ng2\ng3\ng4\n");
	write_text("one/sampleA_barcodes.tsv.gz", "A\nB\nC\n");
	cr_assert_eq(scuot_mtx_read_dir(path_of("one/sampleA_"), &a, &e), 0, "%s", e.msg);
	jn = scuot_df_find(&a->var, "gene_name");
	cr_assert_str_eq(a->var.index[2], "g3");
	cr_assert_str_eq(a->var.cols[jn].s[2], "g3");
	assert_csr(a->X, 3, 4, small_want, "prefix");
	scuot_adata_free(a);
}

static void expect_dir_error(const char *dir, const char *frag1, const char *frag2)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	int r = scuot_mtx_read_dir(path_of(dir), &a, &e);
	cr_assert_eq(r, SCUOT_EINPUT, "%s: returned %d (%s)", dir, r, e.msg);
	cr_assert_null(a);
	cr_assert(strstr(e.msg, frag1), "%s: message lacks '%s': %s", dir, frag1, e.msg);
	if (frag2)
		cr_assert(strstr(e.msg, frag2), "%s: message lacks '%s': %s", dir, frag2, e.msg);
}

Test(mtx, directory_errors)
{
	char want[1024];
	make_dir("missing");
	write_text("missing/matrix.mtx.gz", small_sorted);
	write_text("missing/barcodes.tsv.gz", "A\nB\nC\n");
	snprintf(want, sizeof want,
	         "no features file (looked for %s/features.tsv.gz, %s/features.tsv, "
	         "%s/genes.tsv.gz, %s/genes.tsv)",
	         path_of("missing"), path_of("missing"), path_of("missing"), path_of("missing"));
	expect_dir_error("missing", want, NULL);
	expect_dir_error("nothing-here",
	                 "not a directory, nor a prefix of 10x files: no matrix file (looked for",
	                 "nothing-herematrix.mtx.gz");

	make_dir("dims");
	write_text("dims/matrix.mtx.gz", small_sorted);
	write_text("dims/features.tsv.gz", "G1\tg1\tGene Expression\nG2\tg2\tGene Expression\n"
	                                   "G3\tg3\tGene Expression\n");
	write_text("dims/barcodes.tsv.gz", "A\nB\nC\n");
	snprintf(want, sizeof want, "%s has 3 lines but matrix.mtx.gz has 4 rows (genes)",
	         path_of("dims/features.tsv.gz"));
	expect_dir_error("dims", want, NULL);

	make_dir("cells");
	write_text("cells/matrix.mtx", small_sorted);
	write_text("cells/genes.tsv", "g1\ng2\ng3\ng4\n");
	write_text("cells/barcodes.tsv", "A\nB\nC\nD\n");
	expect_dir_error("cells", "barcodes.tsv has 4 lines but matrix.mtx has 3 columns (cells)", NULL);

	make_dir("dupbc");
	write_text("dupbc/matrix.mtx", small_sorted);
	write_text("dupbc/genes.tsv", "g1\ng2\ng3\ng4\n");
	write_text("dupbc/barcodes.tsv", "A\nB\nA\n");
	expect_dir_error("dupbc", "barcodes.tsv: barcode 'A' appears twice (lines 1 and 3)", NULL);

	make_dir("dupid");
	write_text("dupid/matrix.mtx", small_sorted);
	write_text("dupid/genes.tsv", "g1\tx\ng2\ty\ng1\tz\ng4\tw\n");
	write_text("dupid/barcodes.tsv", "A\nB\nC\n");
	expect_dir_error("dupid", "genes.tsv: feature id 'g1' appears twice (lines 1 and 3)", NULL);

	make_dir("ragged");
	write_text("ragged/matrix.mtx", small_sorted);
	write_text("ragged/features.tsv", "g1\tx\tGene Expression\ng2\ty\n");
	write_text("ragged/barcodes.tsv", "A\nB\nC\n");
	expect_dir_error("ragged", "features.tsv: line 2 has 2 tab-separated fields but line 1 has 3", NULL);

	make_dir("badmtx");
	write_text("badmtx/matrix.mtx", BANNER "4 3 1\n1 9 1\n");
	write_text("badmtx/genes.tsv", "g1\ng2\ng3\ng4\n");
	write_text("badmtx/barcodes.tsv", "A\nB\nC\n");
	expect_dir_error("badmtx", "matrix.mtx: line 3: column index 9 is out of range", NULL);
}
