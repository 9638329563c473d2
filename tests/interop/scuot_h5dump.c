/* scuot_h5dump.c -- interop test helper: read an h5ad, 10x HDF5 or loom file with libscuot and print it as
 * JSON, or write the sample AnnData object that tests/interop/check_written.py checks with anndata.
 *
 * Usage: scuot_h5dump h5ad FILE | 10x FILE [GENOME] | loom FILE [LAYER]     (JSON on stdout)
 *        scuot_h5dump sample OUT.h5ad [nullable-string]   (writes OUT.h5ad, prints the object written)
 *        scuot_h5dump copy IN.h5ad OUT.h5ad               (reads IN, writes OUT, prints what was read) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/adata.h"
#include "io/h5ad.h"
#include "io/loom.h"
#include "io/tenx.h"

static void jstr(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void jnum(double v, int digits)
{
	if (isfinite(v))
		printf("%.*g", digits, v);
	else
		fputs("null", stdout);
}

static void dump_csr(const scuot_csr *c)
{
	if (!c) {
		fputs("null", stdout);
		return;
	}
	printf("{\"shape\": [%lld, %lld], \"indptr\": [", (long long)c->nrow, (long long)c->ncol);
	for (int64_t i = 0; i <= c->nrow; i++)
		printf("%s%lld", i ? ", " : "", (long long)c->indptr[i]);
	fputs("], \"indices\": [", stdout);
	for (int64_t k = 0; k < c->nnz; k++)
		printf("%s%d", k ? ", " : "", c->indices[k]);
	fputs("], \"data\": [", stdout);
	for (int64_t k = 0; k < c->nnz; k++) {
		fputs(k ? ", " : "", stdout);
		jnum(c->data[k], 9);
	}
	fputs("]}", stdout);
}

static void dump_mat(const scuot_mat *m)
{
	putchar('[');
	for (int64_t i = 0; i < m->nrow; i++) {
		fputs(i ? ", [" : "[", stdout);
		for (int64_t j = 0; j < m->ncol; j++) {
			fputs(j ? ", " : "", stdout);
			jnum(m->data[i * m->ncol + j], 17);
		}
		putchar(']');
	}
	putchar(']');
}

static const char *type_name(int t)
{
	switch (t) {
	case SCUOT_COL_FLOAT: return "float";
	case SCUOT_COL_INT: return "int";
	case SCUOT_COL_BOOL: return "bool";
	case SCUOT_COL_STRING: return "string";
	case SCUOT_COL_CATEGORICAL: return "categorical";
	}
	return "?";
}

static void dump_df(const scuot_df *df)
{
	fputs("{\"index_name\": ", stdout);
	jstr(df->index_name ? df->index_name : "_index");
	fputs(", \"index\": ", stdout);
	if (df->index) {
		putchar('[');
		for (int64_t r = 0; r < df->n; r++) {
			fputs(r ? ", " : "", stdout);
			jstr(df->index[r]);
		}
		putchar(']');
	} else {
		fputs("null", stdout);
	}
	fputs(", \"columns\": [", stdout);
	for (int j = 0; j < df->ncol; j++) {
		const scuot_col *c = &df->cols[j];
		fputs(j ? ", {\"name\": " : "{\"name\": ", stdout);
		jstr(c->name);
		printf(", \"type\": \"%s\", \"masked\": %s, \"values\": [", type_name(c->type),
		       c->mask ? "true" : "false");
		for (int64_t r = 0; r < df->n; r++) {
			fputs(r ? ", " : "", stdout);
			if (c->mask && c->mask[r]) {
				fputs("null", stdout);
				continue;
			}
			switch (c->type) {
			case SCUOT_COL_FLOAT: jnum(c->f[r], 17); break;
			case SCUOT_COL_INT: printf("%lld", (long long)c->i[r]); break;
			case SCUOT_COL_BOOL: fputs(c->b[r] ? "true" : "false", stdout); break;
			case SCUOT_COL_STRING: jstr(c->s[r]); break;
			case SCUOT_COL_CATEGORICAL:
				jstr(c->codes[r] >= 0 ? c->cats[c->codes[r]] : NULL);
				break;
			}
		}
		putchar(']');
		if (c->type == SCUOT_COL_CATEGORICAL) {
			printf(", \"ordered\": %s, \"categories\": [", c->ordered ? "true" : "false");
			for (int64_t k = 0; k < c->ncat; k++) {
				fputs(k ? ", " : "", stdout);
				jstr(c->cats[k]);
			}
			putchar(']');
		}
		putchar('}');
	}
	fputs("]}", stdout);
}

static void dump_uns(const scuot_uns *u)
{
	int64_t n = 1;
	switch (u->type) {
	case SCUOT_UNS_DICT:
		fputs("{\"type\": \"dict\", \"children\": {", stdout);
		for (int i = 0; i < u->nchild; i++) {
			fputs(i ? ", " : "", stdout);
			jstr(u->child[i].key);
			fputs(": ", stdout);
			dump_uns(&u->child[i]);
		}
		fputs("}}", stdout);
		break;
	case SCUOT_UNS_NUM:
		printf("{\"type\": \"num\", \"is_int\": %s, \"value\": ", u->is_int ? "true" : "false");
		jnum(u->num, 17);
		putchar('}');
		break;
	case SCUOT_UNS_STR:
		fputs("{\"type\": \"str\", \"value\": ", stdout);
		jstr(u->str);
		putchar('}');
		break;
	case SCUOT_UNS_ARRAY:
		printf("{\"type\": \"array\", \"is_int\": %s, \"shape\": [", u->is_int ? "true" : "false");
		for (int k = 0; k < u->ndim; k++) {
			printf("%s%lld", k ? ", " : "", (long long)u->dims[k]);
			n *= u->dims[k];
		}
		fputs("], \"values\": [", stdout);
		for (int64_t k = 0; k < n; k++) {
			fputs(k ? ", " : "", stdout);
			jnum(u->arr[k], 17);
		}
		fputs("]}", stdout);
		break;
	case SCUOT_UNS_STRARRAY:
		fputs("{\"type\": \"strarray\", \"values\": [", stdout);
		for (int64_t k = 0; k < u->nstr; k++) {
			fputs(k ? ", " : "", stdout);
			jstr(u->strs[k]);
		}
		fputs("]}", stdout);
		break;
	}
}

static void dump(const scuot_adata *a)
{
	printf("{\"n_obs\": %lld, \"n_var\": %lld, \"X\": ", (long long)a->n_obs, (long long)a->n_var);
	dump_csr(a->X);
	fputs(",\n\"obs\": ", stdout);
	dump_df(&a->obs);
	fputs(",\n\"var\": ", stdout);
	dump_df(&a->var);
	fputs(",\n\"obsm\": {", stdout);
	for (int i = 0; i < a->n_obsm; i++) {
		fputs(i ? ", " : "", stdout);
		jstr(a->obsm[i].key);
		fputs(": ", stdout);
		dump_mat(a->obsm[i].m);
	}
	fputs("},\n\"varm\": {", stdout);
	for (int i = 0; i < a->n_varm; i++) {
		fputs(i ? ", " : "", stdout);
		jstr(a->varm[i].key);
		fputs(": ", stdout);
		dump_mat(a->varm[i].m);
	}
	fputs("},\n\"layers\": {", stdout);
	for (int i = 0; i < a->n_layers; i++) {
		fputs(i ? ", " : "", stdout);
		jstr(a->layers[i].key);
		fputs(": ", stdout);
		dump_csr(a->layers[i].c);
	}
	fputs("},\n\"uns\": ", stdout);
	dump_uns(&a->uns);
	fputs("}\n", stdout);
}

/* ---- the sample object written for anndata ---- */

#define CHECK(x)                                                                                             \
	do {                                                                                                 \
		if (!(x)) {                                                                                  \
			fprintf(stderr, "scuot_h5dump: building the sample failed at %s: %s\n", #x, e->msg); \
			exit(1);                                                                             \
		}                                                                                            \
	} while (0)

static char **labels(const char *const *s, int64_t n, scuot_err *e)
{
	char **a = calloc((size_t)n, sizeof *a);
	CHECK(a);
	for (int64_t i = 0; i < n; i++)
		CHECK(a[i] = scuot_strdup(s[i], e));
	return a;
}

static scuot_csr *sample_csr(int64_t nr, int64_t nc, double scale, scuot_err *e)
{
	/* entry (i, j) = scale * (i + 1) * (j + 2) / 4 where (i + 2 * j) % 3 == 0, row 2 empty */
	scuot_csr *c = scuot_csr_new(nr, nc, nr * nc, e);
	int64_t p = 0;
	CHECK(c);
	for (int64_t i = 0; i < nr; i++) {
		for (int64_t j = 0; j < nc; j++)
			if (i != 2 && (i + 2 * j) % 3 == 0) {
				c->indices[p] = (int32_t)j;
				c->data[p++] = (float)(scale * (double)(i + 1) * (double)(j + 2) / 4);
			}
		c->indptr[i + 1] = p;
	}
	c->nnz = p;
	return c;
}

static scuot_adata *sample(int nullable_string, scuot_err *e)
{
	static const char *const cells[] = { "cell_0", "cell_1", "cell_2",
		                             "cell_3", "cell_4", "c\xc3\xa9lula_5" };
	static const char *const genes[] = { "ENSG01", "ENSG02", "ENSG03", "ENSG04" };
	static const char *const names[] = {
		"alpha", "beta", "gamma \"q\"", "delta", "\xce\xb5psilon", "zeta"
	};
	static const char *const cats[] = { "b", "a", "c" };
	static const char *const stages[] = { "early", "mid", "late" };
	static const char *const strs[] = { "a", "b", "\xc3\xbc" };
	const int64_t n = 6, m = 4;
	scuot_adata *a = scuot_adata_new(n, m, e);
	scuot_col *c;
	scuot_uns *u, *p, *q;
	CHECK(a);
	a->X = sample_csr(n, m, 1.0, e);
	CHECK(scuot_df_set_index(&a->obs, labels(cells, n, e), n, e) == 0);
	CHECK(scuot_df_set_index(&a->var, labels(genes, m, e), m, e) == 0);
	CHECK(a->var.index_name = scuot_strdup("gene_id", e));

	CHECK(c = scuot_df_add(&a->obs, "day", SCUOT_COL_FLOAT, e));
	for (int64_t r = 0; r < n; r++)
		c->f[r] = r == 3 ? NAN : 0.5 * (double)r + 0.25;
	CHECK(c = scuot_df_add(&a->obs, "n_counts", SCUOT_COL_INT, e));
	for (int64_t r = 0; r < n; r++)
		c->i[r] = r * 1000000007LL - 3;
	CHECK(c = scuot_df_add(&a->obs, "is_doublet", SCUOT_COL_BOOL, e));
	for (int64_t r = 0; r < n; r++)
		c->b[r] = r % 2;
	CHECK(c = scuot_df_add(&a->obs, "name", SCUOT_COL_STRING, e));
	for (int64_t r = 0; r < n; r++)
		CHECK(c->s[r] = scuot_strdup(names[r], e));
	CHECK(c = scuot_df_add(&a->obs, "cluster", SCUOT_COL_CATEGORICAL, e));
	c->cats = labels(cats, 3, e), c->ncat = 3;
	for (int64_t r = 0; r < n; r++)
		c->codes[r] = r == 4 ? -1 : (int32_t)(r % 3);
	CHECK(c = scuot_df_add(&a->obs, "stage", SCUOT_COL_CATEGORICAL, e));
	c->cats = labels(stages, 3, e), c->ncat = 3, c->ordered = 1;
	for (int64_t r = 0; r < n; r++)
		c->codes[r] = (int32_t)(r / 2);
	CHECK(c = scuot_df_add(&a->obs, "n_genes", SCUOT_COL_INT, e));
	CHECK(c->mask = calloc((size_t)n, 1));
	for (int64_t r = 0; r < n; r++)
		c->i[r] = 10 * r, c->mask[r] = r == 1;
	CHECK(c = scuot_df_add(&a->obs, "passed_qc", SCUOT_COL_BOOL, e));
	CHECK(c->mask = calloc((size_t)n, 1));
	for (int64_t r = 0; r < n; r++)
		c->b[r] = r < 3, c->mask[r] = r == 5;
	if (nullable_string) {
		CHECK(c = scuot_df_add(&a->obs, "note", SCUOT_COL_STRING, e));
		for (int64_t r = 0; r < n; r++)
			if (r != 2)
				CHECK(c->s[r] = scuot_strdup(names[5 - r], e));
	}

	CHECK(c = scuot_df_add(&a->var, "highly_variable", SCUOT_COL_BOOL, e));
	for (int64_t r = 0; r < m; r++)
		c->b[r] = r != 1;
	CHECK(c = scuot_df_add(&a->var, "mean", SCUOT_COL_FLOAT, e));
	for (int64_t r = 0; r < m; r++)
		c->f[r] = 1.0 / (double)(r + 3);

	scuot_mat *pca = scuot_mat_new(n, 3, e), *pcs = scuot_mat_new(m, 3, e);
	CHECK(pca && pcs);
	for (int64_t k = 0; k < n * 3; k++)
		pca->data[k] = sin((double)k) * 10;
	for (int64_t k = 0; k < m * 3; k++)
		pcs->data[k] = cos((double)k) / 3;
	CHECK(scuot_adata_set_obsm(a, "X_pca", pca, e) == 0);
	CHECK(a->varm = calloc(1, sizeof *a->varm));
	CHECK(a->varm[0].key = scuot_strdup("PCs", e));
	a->varm[0].m = pcs, a->n_varm = 1;
	CHECK(scuot_adata_set_layer(a, "counts", sample_csr(n, m, 4.0, e), e) == 0);

	CHECK(scuot_uns_set_str(&a->uns, "method", "unbalanced sinkhorn", e) == 0);
	CHECK(scuot_uns_set_num(&a->uns, "seed", 42, 1, e) == 0);
	CHECK(scuot_uns_set_num(&a->uns, "epsilon", 0.05, 0, e) == 0);
	CHECK(p = scuot_uns_add(&a->uns, "params", SCUOT_UNS_DICT, e));
	CHECK(scuot_uns_set_num(p, "iterations", 100, 1, e) == 0);
	CHECK(scuot_uns_set_num(p, "step", -0.125, 0, e) == 0);
	CHECK(q = scuot_uns_add(p, "nested", SCUOT_UNS_DICT, e));
	CHECK(u = scuot_uns_add(q, "names", SCUOT_UNS_STRARRAY, e));
	u->strs = labels(strs, 3, e), u->nstr = 3;
	CHECK(u = scuot_uns_add(q, "grid", SCUOT_UNS_ARRAY, e));
	u->ndim = 2, u->dims[0] = 2, u->dims[1] = 3;
	CHECK(u->arr = calloc(6, sizeof *u->arr));
	for (int k = 0; k < 6; k++)
		u->arr[k] = k * 1.5 - 2;
	CHECK(u = scuot_uns_add(q, "ids", SCUOT_UNS_ARRAY, e));
	u->ndim = 1, u->dims[0] = 3, u->is_int = 1;
	CHECK(u->arr = calloc(3, sizeof *u->arr));
	for (int k = 0; k < 3; k++)
		u->arr[k] = k + 7;
	CHECK(p = scuot_uns_add(&a->uns, "empty_dict", SCUOT_UNS_DICT, e));
	return a;
}

int main(int argc, char **argv)
{
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	int ret = 0;
	const char *arg = argc > 3 ? argv[3] : NULL;
	if (argc < 3) {
		fprintf(stderr, "usage: scuot_h5dump h5ad|10x|loom FILE [ARG] | sample OUT [nullable-string] "
		                "| copy IN OUT\n");
		return 2;
	}
	if (strcmp(argv[1], "h5ad") == 0) {
		ret = scuot_h5ad_read(argv[2], SCUOT_H5AD_ALL, &a, &e);
	} else if (strcmp(argv[1], "10x") == 0) {
		ret = scuot_tenx_read(argv[2], arg, &a, &e);
	} else if (strcmp(argv[1], "loom") == 0) {
		ret = scuot_loom_read(argv[2], arg, &a, &e);
	} else if (strcmp(argv[1], "sample") == 0) {
		a = sample(arg && strcmp(arg, "nullable-string") == 0, &e);
		ret = scuot_h5ad_write(argv[2], a, &e);
	} else if (strcmp(argv[1], "copy") == 0 && argc > 3) {
		if (!(ret = scuot_h5ad_read(argv[2], SCUOT_H5AD_ALL, &a, &e)))
			ret = scuot_h5ad_write(argv[3], a, &e);
	} else {
		fprintf(stderr, "scuot_h5dump: unknown command %s\n", argv[1]);
		return 2;
	}
	if (ret) {
		fprintf(stderr, "scuot_h5dump: %s\n", e.msg);
		scuot_adata_free(a);
		return scuot_err_exit_status(ret);
	}
	dump(a);
	scuot_adata_free(a);
	return 0;
}
