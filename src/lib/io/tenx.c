/* tenx.c -- 10x Genomics feature-barcode HDF5 matrices: Cell Ranger v3 (/matrix) and v2 (a group per genome).
 * The stored CSC features x barcodes matrix is read as-is as barcodes x features CSR (FORMATS-REFERENCE 4).
 */
#include <stdlib.h>
#include <string.h>

#include "io/h5util_internal.h"
#include "io/tenx.h"

#define MEM_LABEL "(in-memory 10x HDF5)"

static const char *const v2_members[] = { "barcodes", "genes",  "gene_names", "data",
	                                  "indices",  "indptr", "shape" };

/* 1 if root member name is a Cell Ranger v2 genome group. */
static int is_v2_group(hid_t f, const char *name)
{
	char path[1024];
	if (scuot_h5_objtype(f, name) != H5I_GROUP)
		return 0;
	for (size_t k = 0; k < sizeof v2_members / sizeof *v2_members; k++) {
		if (k == 2)
			continue; /* gene_names is optional in hand-made files */
		snprintf(path, sizeof path, "%s/%s", name, v2_members[k]);
		if (scuot_h5_objtype(f, path) != H5I_DATASET)
			return 0;
	}
	return 1;
}

/* Strings of dataset name under g; exactly n of them. */
static int read_labels(hid_t g, const char *name, int64_t n, char ***out, scuot_err *e)
{
	hid_t d = scuot_h5_dopen(g, name, e);
	int64_t cnt = 0;
	int ret;
	*out = NULL;
	if (d < 0)
		return (int)d;
	if (!(ret = scuot_h5_read_text(d, out, &cnt, e)) && cnt != n) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "has %lld entries but shape says %lld",
		                   (long long)cnt, (long long)n);
		scuot_strs_free(*out, cnt);
		*out = NULL;
	}
	H5Dclose(d);
	return ret;
}

/* Add a string column to df taking labels (freed on failure). */
static int add_strings(scuot_df *df, const char *name, char **labels, scuot_err *e)
{
	scuot_col *c = scuot_df_add(df, name, SCUOT_COL_STRING, e);
	if (!c) {
		scuot_strs_free(labels, df->n);
		return e ? e->code : SCUOT_ENOMEM;
	}
	free(c->s);
	c->s = labels;
	return 0;
}

/* Keep only features of genome; error listing the genomes present when none match. */
static int filter_genome(scuot_adata *a, hid_t g, const char *genome, scuot_err *e)
{
	int j = scuot_df_find(&a->var, "genome");
	int64_t *keep = NULL, nkeep = 0;
	char list[512] = "";
	int ret;
	if (j < 0)
		return scuot_h5_err(e, SCUOT_EINPUT, g, "features/genome",
		                    "missing, so genome '%s' cannot be selected", genome);
	if (!(keep = scuot_alloc((size_t)a->n_var, sizeof *keep, 0, "feature selection", e)))
		return e ? e->code : SCUOT_ENOMEM;
	char **s = a->var.cols[j].s;
	for (int64_t k = 0; k < a->n_var; k++) {
		if (strcmp(s[k], genome) == 0)
			keep[nkeep++] = k;
		else if (!strstr(list, s[k]) && strlen(list) + strlen(s[k]) + 3 < sizeof list)
			strcat(strcat(list, *list ? ", " : ""), s[k]);
	}
	if (nkeep == 0)
		ret = scuot_h5_err(e, SCUOT_EINPUT, g, "features/genome",
		                   "no feature belongs to genome '%s'; genomes "
		                   "present: %s",
		                   genome, *list ? list : "none");
	else
		ret = scuot_adata_subset_var(a, keep, nkeep, e);
	free(keep);
	return ret;
}

/* The matrix in group g: shape, barcodes, features (ids/names/types/genomes under the given paths). */
static int read_group(hid_t g, int v3, const char *genome, scuot_adata **out, scuot_err *e)
{
	int64_t *shape = NULL, ns = 0, nf = 0, nb = 0;
	char **barcodes = NULL, **ids = NULL, **names = NULL, **types = NULL, **genomes = NULL;
	scuot_adata *a = NULL;
	scuot_csr *X = NULL;
	hid_t d = -1;
	int ret;
	if ((d = scuot_h5_dopen(g, "shape", e)) < 0) {
		ret = (int)d;
		goto done;
	}
	if ((ret = scuot_h5_read_i64(d, &shape, &ns, e)))
		goto done;
	if (ns != 2 || shape[0] < 0 || shape[1] < 0) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
		                   "expected two non-negative integers (features, barcodes)");
		goto done;
	}
	nf = shape[0], nb = shape[1];
	if ((ret = read_labels(g, "barcodes", nb, &barcodes, e)) ||
	    (ret = read_labels(g, v3 ? "features/id" : "genes", nf, &ids, e)))
		goto done;
	if ((v3 || scuot_h5_exists(g, "gene_names")) &&
	    (ret = read_labels(g, v3 ? "features/name" : "gene_names", nf, &names, e)))
		goto done;
	if (v3 && scuot_h5_exists(g, "features/feature_type") &&
	    (ret = read_labels(g, "features/feature_type", nf, &types, e)))
		goto done;
	if (v3 && scuot_h5_exists(g, "features/genome") &&
	    (ret = read_labels(g, "features/genome", nf, &genomes, e)))
		goto done;
	/* CSC with columns = barcodes: as CSR, rows = barcodes and columns = features */
	if ((ret = scuot_h5_read_csr(g, nb, nf, 1, &X, e)))
		goto done;
	if (!(a = scuot_adata_new(nb, nf, e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	a->X = X, X = NULL;
	if ((ret = scuot_df_set_index(&a->obs, barcodes, nb, e)))
		goto done;
	barcodes = NULL;
	if ((ret = scuot_df_set_index(&a->var, ids, nf, e)))
		goto done;
	ids = NULL;
	if (names && (ret = add_strings(&a->var, "gene_name", names, e)))
		goto done;
	names = NULL;
	if (types && (ret = add_strings(&a->var, "feature_type", types, e)))
		goto done;
	types = NULL;
	if (genomes && (ret = add_strings(&a->var, "genome", genomes, e)))
		goto done;
	genomes = NULL;
	if (v3 && genome && (ret = filter_genome(a, g, genome, e)))
		goto done;
	*out = a, a = NULL;
done:
	scuot_h5_close(d);
	free(shape);
	scuot_strs_free(barcodes, nb);
	scuot_strs_free(ids, nf);
	scuot_strs_free(names, nf);
	scuot_strs_free(types, nf);
	scuot_strs_free(genomes, nf);
	scuot_csr_free(X);
	scuot_adata_free(a);
	return ret;
}

static int read_file(hid_t f, const char *genome, scuot_adata **out, scuot_err *e)
{
	char **names = NULL, list[512] = "", file[512];
	int64_t nn = 0, ncand = 0;
	const char *pick = NULL;
	hid_t g = -1;
	int ret;
	*out = NULL;
	if (genome && !*genome)
		genome = NULL;
	if (scuot_h5_objtype(f, "matrix") == H5I_GROUP) {
		if ((g = scuot_h5_gopen(f, "matrix", e)) < 0)
			return (int)g;
		ret = read_group(g, 1, genome, out, e);
		H5Gclose(g);
		return ret;
	}
	if ((ret = scuot_h5_list(f, &names, &nn, e)))
		return ret;
	for (int64_t k = 0; k < nn; k++) {
		if (!is_v2_group(f, names[k]))
			continue;
		ncand++;
		if (strlen(list) + strlen(names[k]) + 3 < sizeof list)
			strcat(strcat(list, ncand > 1 ? ", " : ""), names[k]);
		if (!genome || strcmp(genome, names[k]) == 0)
			pick = pick ? pick : names[k];
	}
	scuot_h5_file(f, file, sizeof file);
	if (ncand == 0)
		ret = scuot_err_set(
		    e, SCUOT_EINPUT,
		    "%s: not a 10x HDF5 matrix: expected a /matrix group (Cell Ranger "
		    "v3) or a genome group with barcodes, genes, data, indices, indptr and shape (Cell "
		    "Ranger v2)",
		    file);
	else if (genome && !pick)
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no genome group '%s'; the file holds: %s", file,
		                    genome, list);
	else if (!genome && ncand > 1)
		ret =
		    scuot_err_set(e, SCUOT_EINPUT, "%s: %lld genome groups (%s); choose one (genome option)",
		                  file, (long long)ncand, list);
	else if ((g = scuot_h5_gopen(f, pick, e)) < 0)
		ret = (int)g;
	else
		ret = read_group(g, 0, NULL, out, e);
	scuot_h5_close(g);
	scuot_strs_free(names, nn);
	return ret;
}

int scuot_tenx_read(const char *path, const char *genome, scuot_adata **out, scuot_err *e)
{
	hid_t f = scuot_h5_open(path, e);
	int ret;
	*out = NULL;
	if (f < 0)
		return (int)f;
	ret = read_file(f, genome, out, e);
	H5Fclose(f);
	return ret;
}

int scuot_tenx_read_mem(const void *buf, size_t len, const char *genome, scuot_adata **out, scuot_err *e)
{
	hid_t f = scuot_h5_open_mem(buf, len, MEM_LABEL, e);
	int ret;
	*out = NULL;
	if (f < 0)
		return (int)f;
	ret = read_file(f, genome, out, e);
	H5Fclose(f);
	return ret;
}
