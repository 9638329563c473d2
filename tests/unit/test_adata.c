/* test_adata.c -- unit tests of the AnnData object, dataframes, uns tree, string map and the
 * cell-metadata join (src/lib/io/adata.c, meta.c; src/lib/core/strmap.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "io/adata.h"
#include "io/meta.h"

static char **labels(const char *const *s, int n)
{
	char **a = malloc(n * sizeof *a);
	for (int i = 0; i < n; i++)
		a[i] = strdup(s[i]);
	return a;
}

/* 4 cells x 3 genes: row i holds value 10*i + j at column j for j <= i % 3 */
static scuot_adata *make_adata(void)
{
	scuot_err e = { 0 };
	static const char *const cells[] = { "c0", "c1", "c2", "c3" }, *const genes[] = { "g0", "g1", "g2" };
	scuot_adata *a = scuot_adata_new(4, 3, &e);
	scuot_csr *x = scuot_csr_new(4, 3, 1 + 2 + 3 + 1, &e);
	int64_t p = 0;
	for (int i = 0; i < 4; i++) {
		for (int j = 0; j <= i % 3; j++)
			x->indices[p] = j, x->data[p++] = (float)(10 * i + j);
		x->indptr[i + 1] = p;
	}
	a->X = x;
	cr_assert_eq(scuot_df_set_index(&a->obs, labels(cells, 4), 4, &e), 0);
	cr_assert_eq(scuot_df_set_index(&a->var, labels(genes, 3), 3, &e), 0);
	scuot_col *c = scuot_df_add(&a->obs, "score", SCUOT_COL_FLOAT, &e);
	for (int i = 0; i < 4; i++)
		c->f[i] = i * 0.5;
	scuot_mat *m = scuot_mat_new(4, 2, &e);
	for (int k = 0; k < 8; k++)
		m->data[k] = k;
	cr_assert_eq(scuot_adata_set_obsm(a, "X_test", m, &e), 0);
	cr_assert_eq(scuot_adata_check(a, &e), 0, "%s", e.msg);
	return a;
}

Test(adata, subset_obs_in_place_and_reordered)
{
	scuot_err e = { 0 };
	scuot_adata *a = make_adata();
	int64_t keep[] = { 1, 3 };
	cr_assert_eq(scuot_adata_subset_obs(a, keep, 2, &e), 0, "%s", e.msg);
	cr_assert_eq(a->n_obs, 2);
	cr_assert_str_eq(a->obs.index[1], "c3");
	cr_assert_float_eq(a->obs.cols[0].f[1], 1.5, 0);
	cr_assert_eq(a->X->nnz, 3);
	cr_assert_eq(a->X->data[2], 30.0f);
	cr_assert_float_eq(scuot_adata_get_obsm(a, "X_test")->data[2], 6.0, 0);
	int64_t rev[] = { 1, 0 };
	cr_assert_eq(scuot_adata_subset_obs(a, rev, 2, &e), 0, "%s", e.msg);
	cr_assert_str_eq(a->obs.index[0], "c3");
	cr_assert_eq(a->X->data[0], 30.0f);
	cr_assert_eq(scuot_csr_check(a->X, &e), 0, "%s", e.msg);
	scuot_adata_free(a);
}

Test(adata, subset_var)
{
	scuot_err e = { 0 };
	scuot_adata *a = make_adata();
	int64_t keep[] = { 0, 2 };
	cr_assert_eq(scuot_adata_subset_var(a, keep, 2, &e), 0, "%s", e.msg);
	cr_assert_eq(a->n_var, 2);
	cr_assert_str_eq(a->var.index[1], "g2");
	cr_assert_eq(a->X->nnz, 5); /* the three entries in column 1 are gone */
	cr_assert_eq(a->X->indices[a->X->indptr[2] + 1], 1, "old column 2 is now column 1");
	cr_assert_eq(a->X->data[a->X->indptr[2] + 1], 22.0f);
	scuot_adata_free(a);
}

Test(uns, tree)
{
	scuot_err e = { 0 };
	scuot_uns root = { 0 };
	root.type = SCUOT_UNS_DICT;
	scuot_uns *d = scuot_uns_add(&root, "params", SCUOT_UNS_DICT, &e);
	cr_assert_eq(scuot_uns_set_num(d, "epsilon", 0.05, 0, &e), 0);
	cr_assert_eq(scuot_uns_set_str(d, "method", "uot", &e), 0);
	cr_assert_eq(scuot_uns_set_str(d, "method", "wfr", &e), 0, "replace keeps one entry");
	cr_assert_eq(d->nchild, 2);
	cr_assert_str_eq(scuot_uns_get(d, "method")->str, "wfr");
	cr_assert_null(scuot_uns_get(&root, "missing"));
	scuot_uns_clear(&root);
}

Test(strmap, index_and_duplicates)
{
	scuot_err e = { 0 };
	char *ids[1000];
	char buf[16];
	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof buf, "cell%d", i);
		ids[i] = strdup(buf);
	}
	scuot_strmap *m = scuot_strmap_index(ids, 1000, "ids", &e);
	cr_assert_not_null(m, "%s", e.msg);
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(scuot_strmap_get(m, ids[i]), i);
	cr_assert_eq(scuot_strmap_get(m, "cell1000"), -1);
	scuot_strmap_free(m);
	free(ids[7]);
	ids[7] = strdup("cell3");
	cr_assert_null(scuot_strmap_index(ids, 1000, "barcodes.tsv", &e));
	cr_assert_str_eq(e.msg, "barcodes.tsv: duplicate 'cell3' at positions 4 and 8");
	for (int i = 0; i < 1000; i++)
		free(ids[i]);
}

static void make_table(scuot_df *t, const char *const *ids, const char *const *days, int n)
{
	scuot_err e = { 0 };
	memset(t, 0, sizeof *t);
	scuot_df_set_index(t, labels(ids, n), n, &e);
	scuot_col *c = scuot_df_add(t, "day", SCUOT_COL_STRING, &e);
	for (int i = 0; i < n; i++)
		c->s[i] = days[i] ? strdup(days[i]) : NULL;
}

Test(meta, join_drops_cells_without_day_and_counts)
{
	scuot_err e = { 0 };
	scuot_adata *a = make_adata();
	static const char *const ids[] = { "c3", "c0", "zz", "c2" }, *const days[] = { "2", "0", "1", "1.5" };
	scuot_df t;
	scuot_join_stats st;
	int64_t missing;
	make_table(&t, ids, days, 4);
	cr_assert_eq(scuot_meta_check_numeric(&t, "day", "days.tsv", &e), 0, "%s", e.msg);
	cr_assert_eq(scuot_meta_join(a, &t, "days.tsv", 0, &st, &e), 0, "%s", e.msg);
	cr_assert_eq(st.matched, 3);
	cr_assert_eq(st.cells_without, 1);
	cr_assert_str_eq(st.first_without, "c1");
	cr_assert_eq(st.table_only, 1);
	cr_assert_str_eq(st.first_table_only, "zz");
	cr_assert_eq(scuot_meta_set_day(a, "day", "days.tsv", 0, &missing, &e), 0, "%s", e.msg);
	cr_assert_eq(a->n_obs, 3);
	int j = scuot_df_find(&a->obs, "day");
	cr_assert_eq(a->obs.cols[j].type, SCUOT_COL_FLOAT);
	cr_assert_float_eq(a->obs.cols[j].f[0], 0.0, 0);
	cr_assert_float_eq(a->obs.cols[j].f[1], 1.5, 0);
	cr_assert_float_eq(a->obs.cols[j].f[2], 2.0, 0);
	cr_assert_str_eq(a->obs.index[2], "c3");
	double keep[] = { 1.5, 2 };
	int64_t dropped;
	cr_assert_eq(scuot_meta_keep_days(a, keep, 2, &dropped, &e), 0, "%s", e.msg);
	cr_assert_eq(dropped, 1);
	cr_assert_eq(a->n_obs, 2);
	scuot_df_clear(&t);
	scuot_adata_free(a);
}

Test(meta, strict_and_non_numeric)
{
	scuot_err e = { 0 };
	scuot_adata *a = make_adata();
	static const char *const ids[] = { "c0", "c1", "c2" }, *const days[] = { "0", "x1", "1" };
	scuot_df t;
	scuot_join_stats st;
	make_table(&t, ids, days, 3);
	cr_assert_eq(scuot_meta_check_numeric(&t, "day", "days.tsv", &e), SCUOT_EINPUT);
	cr_assert_str_eq(e.msg, "days.tsv: line 3: day 'x1' is not a number");
	memset(&e, 0, sizeof e);
	cr_assert_eq(scuot_meta_join(a, &t, "days.tsv", 1, &st, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "1 of 4 cells") && strstr(e.msg, "'c3'"), "message: %s", e.msg);
	cr_assert_eq(a->n_obs, 4, "a failed join leaves the object as it was");
	scuot_df_clear(&t);
	scuot_adata_free(a);
}

Test(meta, keep_cells)
{
	scuot_err e = { 0 };
	scuot_adata *a = make_adata();
	char *ids[] = { "c2", "nope", "c0" };
	int64_t dropped, unknown;
	cr_assert_eq(scuot_meta_keep_cells(a, ids, 3, &dropped, &unknown, &e), 0, "%s", e.msg);
	cr_assert_eq(dropped, 2);
	cr_assert_eq(unknown, 1);
	cr_assert_str_eq(a->obs.index[0], "c0", "matrix order is kept");
	cr_assert_str_eq(a->obs.index[1], "c2");
	scuot_adata_free(a);
}
