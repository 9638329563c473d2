/* sim_write.c -- the truth tables of a simulated time course: cell_days.tsv, truth.tsv, genes_truth.tsv.
 * TSV with a header line; numbers with 6 significant digits (%.6g), missing values as NaN. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/outfile.h"
#include "sim/sim.h"

/* Columns of the obs or var dataframe a table needs; SCUOT_EINPUT naming the first missing one. */
static int need_cols(const scuot_df *df, const char *where, const char *const *names, int n, int *pos,
                     scuot_err *e)
{
	for (int i = 0; i < n; i++)
		if ((pos[i] = scuot_df_find(df, names[i])) < 0)
			return scuot_err_set(e, SCUOT_EINPUT,
			                     "%s/%s is missing; this object was not made by scuot_sim_run",
			                     where, names[i]);
	return 0;
}

static void put_num(FILE *fp, double v)
{
	if (isnan(v))
		fputs("NaN", fp);
	else
		fprintf(fp, "%.6g", v);
}

static void put_col(FILE *fp, const scuot_col *c, int64_t r)
{
	char buf[64];
	if (c->type == SCUOT_COL_FLOAT)
		put_num(fp, c->f[r]);
	else if (c->type == SCUOT_COL_BOOL)
		fputc(c->b[r] ? '1' : '0', fp);
	else
		fputs(scuot_col_text(c, r, buf, sizeof buf), fp);
}

/* Open dir/name for writing; NULL with e filled. */
static scuot_outfile *open_in(const char *dir, const char *name, scuot_err *e)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);
	scuot_outfile *o;
	if (!path) {
		scuot_err_set(e, SCUOT_ENOMEM, "cannot allocate a path");
		return NULL;
	}
	snprintf(path, len, "%s/%s", dir, name);
	o = scuot_outfile_open(path, 1, e);
	free(path);
	return o;
}

/* Check the stream, then commit; SCUOT_EIO naming the file on failure. */
static int finish(scuot_outfile *o, const char *dir, const char *name, scuot_err *e)
{
	if (ferror(o->fp)) {
		scuot_outfile_abort(o);
		return scuot_err_set(e, SCUOT_EIO, "%s/%s: write error; check free disk space", dir, name);
	}
	return scuot_outfile_commit(o, e);
}

int scuot_sim_write_tables(const scuot_adata *a, const char *dir, scuot_err *e)
{
	static const char *const obs_names[] = {
		"day",        "lineage",    "branch_progress",      "prolif_program", "growth_rate",
		"birth_rate", "death_rate", "expected_descendants", "library_size"
	};
	static const char *const var_names[] = { "gene_name", "program", "is_proliferation_gene", "baseline",
		                                 "prolif_loading" };
	enum { NOBS = sizeof obs_names / sizeof obs_names[0], NVAR = sizeof var_names / sizeof var_names[0] };
	int po[NOBS], pv[NVAR], ret;
	const scuot_mat *lat = scuot_adata_get_obsm(a, "X_latent"), *load = NULL;
	scuot_outfile *o;
	for (int i = 0; i < a->n_varm; i++)
		if (!strcmp(a->varm[i].key, "latent_loadings"))
			load = a->varm[i].m;
	if ((ret = need_cols(&a->obs, "obs", obs_names, NOBS, po, e)) ||
	    (ret = need_cols(&a->var, "var", var_names, NVAR, pv, e)))
		return ret;
	if (!lat || !load || !a->obs.index || !a->var.index)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "obsm/X_latent or varm/latent_loadings is missing; this object "
		                     "was not made by scuot_sim_run");

	/* cell_days.tsv: what Waddington-OT reads as cell_days. */
	if (!(o = open_in(dir, "cell_days.tsv", e)))
		return e->code;
	fputs("id\tday\n", o->fp);
	for (int64_t r = 0; r < a->n_obs; r++) {
		fprintf(o->fp, "%s\t", a->obs.index[r]);
		put_col(o->fp, &a->obs.cols[po[0]], r);
		fputc('\n', o->fp);
	}
	if ((ret = finish(o, dir, "cell_days.tsv", e)))
		return ret;

	/* truth.tsv: id, day, lineage, branch_progress, prolif_program, latent_*, rates, descendants,
	 * library. */
	if (!(o = open_in(dir, "truth.tsv", e)))
		return e->code;
	fputs("id\tday\tlineage\tbranch_progress\tprolif_program", o->fp);
	for (int64_t j = 0; j < lat->ncol; j++)
		fprintf(o->fp, "\tlatent_%lld", (long long)(j + 1));
	fputs("\tgrowth_rate\tbirth_rate\tdeath_rate\texpected_descendants\tlibrary_size\n", o->fp);
	for (int64_t r = 0; r < a->n_obs; r++) {
		fputs(a->obs.index[r], o->fp);
		for (int c = 0; c < 4; c++) {
			fputc('\t', o->fp);
			put_col(o->fp, &a->obs.cols[po[c]], r);
		}
		for (int64_t j = 0; j < lat->ncol; j++) {
			fputc('\t', o->fp);
			put_num(o->fp, lat->data[r * lat->ncol + j]);
		}
		for (int c = 4; c < NOBS; c++) {
			fputc('\t', o->fp);
			put_col(o->fp, &a->obs.cols[po[c]], r);
		}
		fputc('\n', o->fp);
	}
	if ((ret = finish(o, dir, "truth.tsv", e)))
		return ret;

	/* genes_truth.tsv: id, gene_name, program, is_proliferation, baseline, prolif_loading, loading_*. */
	if (!(o = open_in(dir, "genes_truth.tsv", e)))
		return e->code;
	fputs("id\tgene_name\tprogram\tis_proliferation\tbaseline\tprolif_loading", o->fp);
	for (int64_t j = 0; j < load->ncol; j++)
		fprintf(o->fp, "\tloading_%lld", (long long)(j + 1));
	fputc('\n', o->fp);
	for (int64_t r = 0; r < a->n_var; r++) {
		fputs(a->var.index[r], o->fp);
		for (int c = 0; c < NVAR; c++) {
			fputc('\t', o->fp);
			put_col(o->fp, &a->var.cols[pv[c]], r);
		}
		for (int64_t j = 0; j < load->ncol; j++) {
			fputc('\t', o->fp);
			put_num(o->fp, load->data[r * load->ncol + j]);
		}
		fputc('\n', o->fp);
	}
	return finish(o, dir, "genes_truth.tsv", e);
}
