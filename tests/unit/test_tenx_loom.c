/* test_tenx_loom.c -- unit tests of the 10x HDF5 and loom readers (src/lib/io/tenx.c, loom.c).
 * Files are built here with libhdf5 in the layouts Cell Ranger (v2, v3) and loompy (2.x, 3.0) write. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "io/h5util_internal.h"
#include "io/loom.h"
#include "io/tenx.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/scuot_test_tenx_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	scuot_log_set_level(SCUOT_LOG_ERROR);
}

static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			snprintf(p, sizeof p, "%s/%s", dir, de->d_name), unlink(p);
	if (d)
		closedir(d);
	rmdir(dir);
}

static const char *path_of(const char *name)
{
	static char p[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

/* An error record keeps its first error: clear it before a call expected to fail. */
static scuot_err *fresh(scuot_err *e)
{
	memset(e, 0, sizeof *e);
	return e;
}

/* Fixed-length strings (Cell Ranger: NUL-padded; PyTables / loompy 2: NUL-terminated). */
static void write_fixed(hid_t loc, const char *name, const char *const *s, int n, H5T_str_t pad)
{
	size_t w = 1;
	for (int i = 0; i < n; i++)
		if (strlen(s[i]) + (pad == H5T_STR_NULLTERM) > w)
			w = strlen(s[i]) + (pad == H5T_STR_NULLTERM);
	hid_t t = H5Tcopy(H5T_C_S1);
	H5Tset_size(t, w);
	H5Tset_strpad(t, pad);
	char *buf = calloc((size_t)n + 1, w);
	for (int i = 0; i < n; i++)
		memcpy(buf + (size_t)i * w, s[i], strlen(s[i]));
	hsize_t d = (hsize_t)n;
	hid_t sp = H5Screate_simple(1, &d, NULL);
	hid_t ds = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	cr_assert(ds >= 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0, "writing %s", name);
	H5Dclose(ds), H5Sclose(sp), H5Tclose(t);
	free(buf);
}

static void write_num(hid_t loc, const char *name, hid_t mt, hid_t ft, int64_t n, const void *v)
{
	scuot_err e = { 0 };
	cr_assert_eq(scuot_h5_write(loc, name, mt, ft, 1, &n, v, NULL, NULL, &e), 0, "%s", e.msg);
}

/* The 3 barcodes x 4 genes example: column (barcode) j of the CSC holds these genes and counts:
 *   AAAC: g0 = 1, g3 = 2;   AAAG: (none);   AAAT: g1 = 3, g2 = 4, g3 = 5 */
static const char *const barcodes[] = { "AAAC-1", "AAAG-1", "AAAT-1" };
static const char *const ids[] = { "ENSG0001", "ENSG0002", "ENSMUSG01", "ENSMUSG02" };
static const char *const syms[] = { "TP53", "ACTB", "Actb", "Gapdh" };
static const char *const types[] = { "Gene Expression", "Gene Expression", "Gene Expression",
	                             "Antibody Capture" };
static const char *const genomes[] = { "GRCh38", "GRCh38", "mm10", "mm10" };
static int32_t data3[] = { 1, 2, 3, 4, 5 };
static int64_t indices3[] = { 0, 3, 1, 2, 3 };
static int64_t indptr3[] = { 0, 2, 2, 5 };

/* Cell Ranger 3.0 layout: int32 data, int64 indices / indptr, int32 shape, NUL-padded strings. */
static void write_v3(const char *name, const int64_t *ip, const int64_t *ix, const int32_t *v, int32_t nfeat)
{
	scuot_err e = { 0 };
	hid_t f = scuot_h5_create(path_of(name), &e), m, ft;
	int32_t shape[2] = { nfeat, 3 };
	cr_assert(f >= 0, "%s", e.msg);
	m = scuot_h5_group(f, "matrix", 0, &e);
	write_fixed(m, "barcodes", barcodes, 3, H5T_STR_NULLPAD);
	write_num(m, "data", H5T_NATIVE_INT32, H5T_STD_I32LE, 5, v);
	write_num(m, "indices", H5T_NATIVE_INT64, H5T_STD_I64LE, 5, ix);
	write_num(m, "indptr", H5T_NATIVE_INT64, H5T_STD_I64LE, 4, ip);
	write_num(m, "shape", H5T_NATIVE_INT32, H5T_STD_I32LE, 2, shape);
	ft = scuot_h5_group(m, "features", 0, &e);
	write_fixed(ft, "id", ids, 4, H5T_STR_NULLPAD);
	write_fixed(ft, "name", syms, 4, H5T_STR_NULLPAD);
	write_fixed(ft, "feature_type", types, 4, H5T_STR_NULLPAD);
	write_fixed(ft, "genome", genomes, 4, H5T_STR_NULLPAD);
	H5Gclose(ft), H5Gclose(m), H5Fclose(f);
}

/* Cell Ranger 2 layout: one group per genome, PyTables NUL-terminated strings, uint32 data. */
static void write_v2_group(hid_t f, const char *genome)
{
	scuot_err e = { 0 };
	hid_t g = scuot_h5_group(f, genome, 0, &e);
	uint32_t v[5], shape[2] = { 4, 3 };
	for (int k = 0; k < 5; k++)
		v[k] = (uint32_t)data3[k];
	write_fixed(g, "barcodes", barcodes, 3, H5T_STR_NULLTERM);
	write_fixed(g, "genes", ids, 4, H5T_STR_NULLTERM);
	write_fixed(g, "gene_names", syms, 4, H5T_STR_NULLTERM);
	write_num(g, "data", H5T_NATIVE_UINT32, H5T_STD_U32LE, 5, v);
	write_num(g, "indices", H5T_NATIVE_INT64, H5T_STD_I64LE, 5, indices3);
	write_num(g, "indptr", H5T_NATIVE_INT64, H5T_STD_I64LE, 4, indptr3);
	write_num(g, "shape", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, shape);
	H5Gclose(g);
}

static void check_example(const scuot_adata *a, int64_t nvar)
{
	/* dense barcodes x genes: [[1 0 0 2], [0 0 0 0], [0 3 4 5]] */
	static const float dense[3][4] = { { 1, 0, 0, 2 }, { 0, 0, 0, 0 }, { 0, 3, 4, 5 } };
	cr_assert_eq(a->n_obs, 3);
	cr_assert_eq(a->n_var, nvar);
	cr_assert_eq(a->X->nrow, 3);
	for (int i = 0; i < 3; i++) {
		cr_assert_str_eq(a->obs.index[i], barcodes[i]);
		float row[4] = { 0 };
		for (int64_t k = a->X->indptr[i]; k < a->X->indptr[i + 1]; k++)
			row[a->X->indices[k]] = a->X->data[k];
		for (int j = 0; j < nvar; j++)
			cr_assert_eq(row[j], dense[i][j], "X[%d][%d] = %g, expected %g", i, j, row[j],
			             dense[i][j]);
	}
	cr_assert_eq(scuot_csr_check(a->X, NULL), 0);
}

TestSuite(tenx, .init = setup, .fini = teardown);

Test(tenx, v3_cellranger3_widths)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	write_v3("v3.h5", indptr3, indices3, data3, 4);
	cr_assert_eq(scuot_tenx_read(path_of("v3.h5"), NULL, &a, &e), 0, "%s", e.msg);
	check_example(a, 4);
	const char *cols[] = { "gene_name", "feature_type", "genome" };
	const char *const *want[] = { syms, types, genomes };
	for (int j = 0; j < 4; j++)
		cr_assert_str_eq(a->var.index[j], ids[j]);
	for (int c = 0; c < 3; c++) {
		int k = scuot_df_find(&a->var, cols[c]);
		cr_assert_geq(k, 0, "var column %s missing", cols[c]);
		for (int j = 0; j < 4; j++)
			cr_assert_str_eq(a->var.cols[k].s[j], want[c][j]);
	}
	scuot_adata_free(a);
}

Test(tenx, v3_genome_filter_and_memory)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	write_v3("g.h5", indptr3, indices3, data3, 4);
	cr_assert_eq(scuot_tenx_read(path_of("g.h5"), "mm10", &a, &e), 0, "%s", e.msg);
	cr_assert_eq(a->n_var, 2);
	cr_assert_str_eq(a->var.index[0], "ENSMUSG01");
	cr_assert_eq(a->X->nnz, 3, "cell AAAC keeps g3, AAAT keeps g2 and g3");
	scuot_adata_free(a);
	cr_assert_eq(scuot_tenx_read(path_of("g.h5"), "hg19", &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "hg19") && strstr(e.msg, "GRCh38, mm10"), "message: %s", e.msg);
	FILE *fp = fopen(path_of("g.h5"), "rb");
	fseek(fp, 0, SEEK_END);
	size_t len = (size_t)ftell(fp);
	rewind(fp);
	char *buf = malloc(len);
	cr_assert_eq(fread(buf, 1, len, fp), len);
	fclose(fp);
	cr_assert_eq(scuot_tenx_read_mem(buf, len, NULL, &a, &e), 0, "%s", e.msg);
	check_example(a, 4);
	scuot_adata_free(a);
	cr_assert_eq(scuot_tenx_read_mem(buf, len / 3, NULL, &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "not an HDF5 file or truncated"), "message: %s", e.msg);
	free(buf);
}

Test(tenx, v2_one_and_two_genomes)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	hid_t f = scuot_h5_create(path_of("v2.h5"), &e);
	write_v2_group(f, "hg19");
	H5Fclose(f);
	cr_assert_eq(scuot_tenx_read(path_of("v2.h5"), NULL, &a, &e), 0, "%s", e.msg);
	check_example(a, 4);
	cr_assert_str_eq(a->var.index[1], "ENSG0002");
	cr_assert_str_eq(a->var.cols[scuot_df_find(&a->var, "gene_name")].s[1], "ACTB");
	cr_assert_eq(scuot_df_find(&a->var, "feature_type"), -1);
	scuot_adata_free(a);

	f = scuot_h5_create(path_of("v2two.h5"), &e);
	write_v2_group(f, "hg19");
	write_v2_group(f, "mm10");
	H5Fclose(f);
	cr_assert_eq(scuot_tenx_read(path_of("v2two.h5"), NULL, &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "hg19, mm10") && strstr(e.msg, "choose one"), "message: %s", e.msg);
	cr_assert_null(a);
	cr_assert_eq(scuot_tenx_read(path_of("v2two.h5"), "mm10", &a, &e), 0, "%s", e.msg);
	check_example(a, 4);
	scuot_adata_free(a);
	cr_assert_eq(scuot_tenx_read(path_of("v2two.h5"), "GRCh38", &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "no genome group 'GRCh38'"), "message: %s", e.msg);
}

Test(tenx, neither_layout)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	hid_t f = scuot_h5_create(path_of("other.h5"), &e), g = scuot_h5_group(f, "hg19", 0, &e);
	write_fixed(g, "barcodes", barcodes, 3, H5T_STR_NULLPAD); /* no genes, data, ... */
	H5Gclose(g), H5Fclose(f);
	cr_assert_eq(scuot_tenx_read(path_of("other.h5"), NULL, &a, fresh(&e)), SCUOT_EINPUT);
	char want[1024];
	snprintf(want, sizeof want,
	         "%s: not a 10x HDF5 matrix: expected a /matrix group (Cell Ranger v3) or a genome "
	         "group with barcodes, genes, data, indices, indptr and shape (Cell Ranger v2)",
	         path_of("other.h5"));
	cr_assert_str_eq(e.msg, want);
}

Test(tenx, bad_matrices)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	int64_t ip[] = { 0, 2, 1, 5 }, ix[] = { 0, 3, 1, 2, 4 }, ix_unsorted[] = { 3, 0, 2, 1, 3 };
	int64_t ix_dup[] = { 0, 3, 1, 1, 3 };
	int32_t neg[] = { 1, 2, -3, 4, 5 };
	write_v3("mono.h5", ip, indices3, data3, 4);
	cr_assert_eq(scuot_tenx_read(path_of("mono.h5"), NULL, &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "/matrix/indptr") && strstr(e.msg, "not monotone"), "message: %s", e.msg);
	write_v3("range.h5", indptr3, ix, data3, 4);
	cr_assert_eq(scuot_tenx_read(path_of("range.h5"), NULL, &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "/matrix/indices") && strstr(e.msg, "entry 4 is 4, outside [0, 4)"),
	          "message: %s", e.msg);
	write_v3("neg.h5", indptr3, indices3, neg, 4);
	cr_assert_eq(scuot_tenx_read(path_of("neg.h5"), NULL, &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "/matrix/data") && strstr(e.msg, "negative"), "message: %s", e.msg);
	write_v3("shape.h5", indptr3, indices3, data3, 5);
	cr_assert_eq(scuot_tenx_read(path_of("shape.h5"), NULL, &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "/matrix/features/id") && strstr(e.msg, "shape says 5"), "message: %s",
	          e.msg);
	write_v3("dup.h5", indptr3, ix_dup, data3, 4);
	cr_assert_eq(scuot_tenx_read(path_of("dup.h5"), NULL, &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "duplicate entry at row 2, column 1"), "message: %s", e.msg);
	/* unsorted rows are sorted, values following their indices */
	int32_t v[] = { 2, 1, 4, 3, 5 };
	write_v3("unsorted.h5", indptr3, ix_unsorted, v, 4);
	cr_assert_eq(scuot_tenx_read(path_of("unsorted.h5"), NULL, &a, &e), 0, "%s", e.msg);
	check_example(a, 4);
	scuot_adata_free(a);
	/* NaN values */
	scuot_err e2 = { 0 };
	hid_t f = scuot_h5_create(path_of("nan.h5"), &e2);
	write_v2_group(f, "hg19");
	double dv[] = { 1, 2, NAN, 4, 5 };
	hid_t g = H5Gopen2(f, "hg19", H5P_DEFAULT);
	H5Ldelete(g, "data", H5P_DEFAULT);
	write_num(g, "data", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 5, dv);
	H5Gclose(g), H5Fclose(f);
	cr_assert_eq(scuot_tenx_read(path_of("nan.h5"), NULL, &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "/hg19/data") && strstr(e.msg, "not finite"), "message: %s", e.msg);
}

/* ---- loom ---- */

/* genes x cells value of gene g, cell c in the test matrices (about 1 in 5 nonzero). */
static double loom_value(int64_t g, int64_t c)
{
	return (g * 31 + c * 17) % 5 == 0 ? (double)((g + 1) * (c % 7 + 1)) : 0;
}

static void write_loom(const char *name, int64_t ng, int64_t nc, int v3, hid_t mtype)
{
	scuot_err e = { 0 };
	hid_t f = scuot_h5_create(path_of(name), &e), ca, ra, at;
	int64_t dims[2] = { ng, nc };
	double *m = malloc((size_t)(ng * nc) * sizeof *m), *sp = malloc((size_t)(ng * nc) * sizeof *sp);
	for (int64_t g = 0; g < ng; g++)
		for (int64_t c = 0; c < nc; c++)
			m[g * nc + c] = loom_value(g, c), sp[g * nc + c] = g == c ? 1 : 0;
	cr_assert_eq(scuot_h5_write(f, "matrix", H5T_NATIVE_DOUBLE, mtype, 2, dims, m, NULL, NULL, &e), 0,
	             "%s", e.msg);
	hid_t lg = scuot_h5_group(f, "layers", 0, &e);
	cr_assert_eq(
	    scuot_h5_write(lg, "spliced", H5T_NATIVE_DOUBLE, H5T_IEEE_F32LE, 2, dims, sp, NULL, NULL, &e), 0);
	H5Gclose(lg);
	ca = scuot_h5_group(f, "col_attrs", 0, &e);
	ra = scuot_h5_group(f, "row_attrs", 0, &e);
	char **cells = calloc((size_t)nc, sizeof *cells), **genes = calloc((size_t)ng, sizeof *genes);
	char **acc = calloc((size_t)ng, sizeof *acc);
	int64_t *nums = calloc((size_t)nc, sizeof *nums);
	double *emb = calloc((size_t)nc * 2, sizeof *emb);
	for (int64_t c = 0; c < nc; c++) {
		cells[c] = malloc(32), nums[c] = c * 2;
		snprintf(cells[c], 32, v3 ? "cell_%lld_\xc3\xa9" : "cell_%lld_&#233;", (long long)c);
		emb[2 * c] = (double)c, emb[2 * c + 1] = -(double)c;
	}
	for (int64_t g = 0; g < ng; g++) {
		genes[g] = malloc(32), acc[g] = malloc(32);
		snprintf(genes[g], 32, v3 ? "Gene%lld" : "Gene&lt;%lld&gt;", (long long)g);
		snprintf(acc[g], 32, "ENSG%05lld", (long long)g);
	}
	int64_t nc1 = nc, emb_dims[2] = { nc, 2 };
	if (v3) {
		cr_assert_eq(scuot_h5_write_strs(ca, "CellID", cells, nc, 1, NULL, NULL, &e), 0);
		cr_assert_eq(scuot_h5_write_strs(ra, "Gene", genes, ng, 1, NULL, NULL, &e), 0);
		cr_assert_eq(scuot_h5_write_strs(ra, "Accession", acc, ng, 1, NULL, NULL, &e), 0);
		at = scuot_h5_group(f, "attrs", 0, &e);
		char *ver = "3.0.0", *title = "test loom";
		cr_assert_eq(scuot_h5_write_strs(at, "LOOM_SPEC_VERSION", &ver, 1, 0, NULL, NULL, &e), 0);
		cr_assert_eq(scuot_h5_write_strs(at, "title", &title, 1, 0, NULL, NULL, &e), 0);
		H5Gclose(at);
	} else {
		/* loompy 2: fixed-length strings with XML references, global attributes on the root */
		write_fixed(ca, "obs_names", (const char *const *)cells, (int)nc, H5T_STR_NULLPAD);
		write_fixed(ra, "Gene", (const char *const *)genes, (int)ng, H5T_STR_NULLPAD);
		cr_assert_eq(scuot_h5_attr_set_str(f, "title", "old &amp; fixed", &e), 0);
		double seven = 7;
		hid_t s = H5Screate(H5S_SCALAR),
		      a = H5Acreate2(f, "n_genes_kept", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT);
		H5Awrite(a, H5T_NATIVE_DOUBLE, &seven);
		H5Aclose(a), H5Sclose(s);
	}
	cr_assert_eq(
	    scuot_h5_write(ca, "nUMI", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, &nc1, nums, NULL, NULL, &e), 0);
	cr_assert_eq(scuot_h5_write(ca, "embedding", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, emb_dims, emb,
	                            NULL, NULL, &e),
	             0);
	H5Gclose(ca), H5Gclose(ra), H5Fclose(f);
	scuot_strs_free(cells, nc), scuot_strs_free(genes, ng), scuot_strs_free(acc, ng);
	free(nums), free(emb), free(m), free(sp);
}

static void check_loom_x(const scuot_csr *X, int64_t ng, int64_t nc)
{
	cr_assert(X->nrow == nc && X->ncol == ng);
	cr_assert_eq(scuot_csr_check(X, NULL), 0);
	for (int64_t c = 0; c < nc; c++) {
		int64_t k = X->indptr[c];
		for (int64_t g = 0; g < ng; g++) {
			double v = loom_value(g, c);
			if (v == 0)
				continue;
			cr_assert(k < X->indptr[c + 1] && X->indices[k] == g && X->data[k] == (float)v,
			          "cell %lld gene %lld: expected %g", (long long)c, (long long)g, v);
			k++;
		}
		cr_assert_eq(k, X->indptr[c + 1], "cell %lld has extra entries", (long long)c);
	}
}

Test(loom, v3_blocks_attrs_layers)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	/* 300 genes x 2000 cells: several blocks of 256 genes, chunks of whole rows */
	write_loom("v3.loom", 300, 2000, 1, H5T_STD_U16LE);
	cr_assert_eq(scuot_loom_read(path_of("v3.loom"), NULL, &a, &e), 0, "%s", e.msg);
	check_loom_x(a->X, 300, 2000);
	cr_assert_str_eq(a->obs.index[5], "cell_5_\xc3\xa9");
	cr_assert_str_eq(a->var.index[7], "ENSG00007", "Accession is the var index");
	int k = scuot_df_find(&a->var, "gene_name");
	cr_assert_geq(k, 0);
	cr_assert_str_eq(a->var.cols[k].s[7], "Gene7");
	k = scuot_df_find(&a->obs, "nUMI");
	cr_assert(k >= 0 && a->obs.cols[k].type == SCUOT_COL_INT && a->obs.cols[k].i[9] == 18);
	scuot_mat *m = scuot_adata_get_obsm(a, "embedding");
	cr_assert(m && m->nrow == 2000 && m->ncol == 2 && m->data[2 * 11 + 1] == -11);
	scuot_uns *t = scuot_uns_get(&a->uns, "title");
	cr_assert(t && t->type == SCUOT_UNS_STR && !strcmp(t->str, "test loom"));
	scuot_adata_free(a);
	cr_assert_eq(scuot_loom_read(path_of("v3.loom"), "spliced", &a, &e), 0, "%s", e.msg);
	cr_assert_eq(a->X->nnz, 300);
	for (int64_t c = 0; c < 300; c++)
		cr_assert(a->X->indptr[c + 1] - a->X->indptr[c] == 1 && a->X->indices[a->X->indptr[c]] == c);
	scuot_adata_free(a);
	cr_assert_eq(scuot_loom_read(path_of("v3.loom"), "unspliced", &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "/layers/unspliced") && strstr(e.msg, "spliced"), "message: %s", e.msg);
}

Test(loom, pre3_fixed_strings_and_memory)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	write_loom("v2.loom", 40, 30, 0, H5T_IEEE_F32LE);
	cr_assert_eq(scuot_loom_read(path_of("v2.loom"), "", &a, &e), 0, "%s", e.msg);
	check_loom_x(a->X, 40, 30);
	cr_assert_str_eq(a->obs.index[3], "cell_3_\xc3\xa9", "XML character reference decoded");
	cr_assert_str_eq(a->var.index[12], "Gene<12>");
	scuot_uns *t = scuot_uns_get(&a->uns, "title"), *n = scuot_uns_get(&a->uns, "n_genes_kept");
	cr_assert(t && !strcmp(t->str, "old & fixed"));
	cr_assert(n && n->type == SCUOT_UNS_NUM && n->num == 7);
	scuot_adata_free(a);
	FILE *fp = fopen(path_of("v2.loom"), "rb");
	fseek(fp, 0, SEEK_END);
	size_t len = (size_t)ftell(fp);
	rewind(fp);
	char *buf = malloc(len);
	cr_assert_eq(fread(buf, 1, len, fp), len);
	fclose(fp);
	cr_assert_eq(scuot_loom_read_mem(buf, len, NULL, &a, &e), 0, "%s", e.msg);
	check_loom_x(a->X, 40, 30);
	scuot_adata_free(a);
	free(buf);
}

Test(loom, no_ids_and_bad_values)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	int64_t dims[2] = { 2, 3 };
	double m[6] = { 0, 1, 2, 3, 0, 0 };
	hid_t f = scuot_h5_create(path_of("bare.loom"), &e);
	cr_assert_eq(
	    scuot_h5_write(f, "matrix", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, dims, m, NULL, NULL, &e), 0);
	H5Fclose(f);
	cr_assert_eq(scuot_loom_read(path_of("bare.loom"), NULL, &a, &e), 0, "%s", e.msg);
	cr_assert(a->n_obs == 3 && a->n_var == 2);
	cr_assert(!strcmp(a->obs.index[2], "2") && !strcmp(a->var.index[1], "1"));
	scuot_adata_free(a);
	const double bad[] = { -1, NAN, INFINITY };
	const char *why[] = { "negative", "not finite", "not finite" };
	for (int k = 0; k < 3; k++) {
		m[4] = bad[k];
		f = scuot_h5_create(path_of("bad.loom"), &e);
		cr_assert_eq(scuot_h5_write(f, "matrix", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, dims, m, NULL,
		                            NULL, &e),
		             0);
		H5Fclose(f);
		cr_assert_eq(scuot_loom_read(path_of("bad.loom"), NULL, &a, fresh(&e)), SCUOT_EINPUT);
		cr_assert(strstr(e.msg, "/matrix: gene 1, cell 1") && strstr(e.msg, why[k]), "message: %s",
		          e.msg);
	}
	f = scuot_h5_create(path_of("nomatrix.loom"), &e);
	H5Fclose(f);
	cr_assert_eq(scuot_loom_read(path_of("nomatrix.loom"), NULL, &a, fresh(&e)), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "not a loom file"), "message: %s", e.msg);
}
