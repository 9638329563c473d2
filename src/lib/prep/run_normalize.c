/* run_normalize.c -- the scuot-normalize stage on an AnnData object: QC, raw counts kept in
 * layers/counts, library-size normalisation and log1p, highly variable genes, gene-set growth priors,
 * optional HVG subset and z-scaling, parameters recorded in uns. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "prep/prep.h"
#include "prep/prep_internal.h"

void scuot_normalize_opts_init(scuot_normalize_opts *o)
{
	memset(o, 0, sizeof *o);
	scuot_qc_opts_init(&o->qc);
	scuot_hvg_opts_init(&o->hvg);
	scuot_growth_opts_init(&o->growth);
	o->target_sum = 1e4;
	o->max_value = 10;
	o->prolif_set = "proliferation";
	o->apop_set = "apoptosis";
	o->max_z = 5;
}

int scuot_normalize_opts_check(const scuot_normalize_opts *o, scuot_err *e)
{
	int r;
	if ((r = scuot_qc_opts_check(&o->qc, e)) || (r = scuot_hvg_opts_check(&o->hvg, e)) ||
	    (r = scuot_growth_opts_check(&o->growth, e)))
		return r;
	if (!(o->target_sum > 0) || !isfinite(o->target_sum))
		return scuot_err_set(e, SCUOT_EUSAGE, "--target-sum: %g is not a positive number",
		                     o->target_sum);
	if (!(o->max_value >= 0))
		return scuot_err_set(e, SCUOT_EUSAGE, "--max-value: %g is negative", o->max_value);
	if (!(o->max_z > 0))
		return scuot_err_set(e, SCUOT_EUSAGE, "--max-z: %g is not positive", o->max_z);
	return 0;
}

/* Sorted distinct values of the numeric obs column day (NaN skipped) into *days; *nd their count. */
static int distinct_days(const scuot_adata *a, int col, double **days, int *nd, scuot_err *e)
{
	double *d = scuot_alloc((size_t)(a->n_obs ? a->n_obs : 1), sizeof *d, 0, "days", e);
	int64_t m = 0;
	if (!d)
		return e->code;
	for (int64_t i = 0; i < a->n_obs; i++) {
		double v = scuot_col_num(&a->obs.cols[col], i);
		if (!isnan(v))
			d[m++] = v;
	}
	int64_t *ord = scuot_alloc((size_t)(m ? m : 1), sizeof *ord, 0, "days", e);
	double *u = scuot_alloc((size_t)(m ? m : 1), sizeof *u, 0, "days", e);
	if (!ord || !u) {
		free(d), free(ord), free(u);
		return e->code;
	}
	prep_argsort(d, m, ord, e);
	int k = 0;
	for (int64_t j = 0; j < m; j++)
		if (k == 0 || d[ord[j]] != u[k - 1])
			u[k++] = d[ord[j]];
	free(d);
	free(ord);
	*days = u, *nd = k;
	return 0;
}

static int add_float_col(scuot_df *df, const char *name, const double *v, scuot_err *e)
{
	scuot_col *c = scuot_df_add(df, name, SCUOT_COL_FLOAT, e);
	if (!c)
		return e->code;
	memcpy(c->f, v, (size_t)df->n * sizeof *v);
	return 0;
}

static int write_hvg(scuot_adata *a, const scuot_hvg_result *r, scuot_err *e)
{
	scuot_col *c = scuot_df_add(&a->var, "highly_variable", SCUOT_COL_BOOL, e);
	int ret;
	if (!c)
		return e->code;
	memcpy(c->b, r->highly_variable, (size_t)r->n);
	if ((ret = add_float_col(&a->var, "means", r->means, e)))
		return ret;
	if (r->dispersions && ((ret = add_float_col(&a->var, "dispersions", r->dispersions, e)) ||
	                       (ret = add_float_col(&a->var, "dispersions_norm", r->dispersions_norm, e))))
		return ret;
	if (r->variances && ((ret = add_float_col(&a->var, "variances", r->variances, e)) ||
	                     (ret = add_float_col(&a->var, "variances_norm", r->variances_norm, e)) ||
	                     (ret = add_float_col(&a->var, "highly_variable_rank", r->rank, e))))
		return ret;
	if (r->nbatches) {
		if (!(c = scuot_df_add(&a->var, "highly_variable_nbatches", SCUOT_COL_INT, e)))
			return e->code;
		memcpy(c->i, r->nbatches, (size_t)r->n * sizeof *c->i);
	}
	return 0;
}

/* Sets of every gene-set file of o into gs (file[i]: the file of set i); a name given twice is an error. */
static int read_gene_sets(const scuot_adata *a, const scuot_normalize_opts *o, char **gname,
                          scuot_genesets *gs, const char ***file, scuot_err *e)
{
	const char *files[1 + SCUOT_MAX_MORE_GENE_SETS];
	int nfiles = 0, ret = 0;
	files[nfiles++] = o->gene_sets;
	for (int k = 0; k < o->n_more_gene_sets && k < SCUOT_MAX_MORE_GENE_SETS; k++)
		files[nfiles++] = o->more_gene_sets[k];
	*file = NULL;
	for (int f = 0; f < nfiles && !ret; f++) {
		scuot_genesets one = { 0 };
		if ((ret = scuot_gmt_read(files[f], a->var.index, gname, a->n_var, &one, e)))
			break;
		for (int i = 0; i < one.n && !ret; i++) {
			scuot_geneset *s = &one.sets[i];
			char unk[1024];
			if (scuot_genesets_find(gs, s->name)) {
				int j = (int)(scuot_genesets_find(gs, s->name) - gs->sets);
				ret = scuot_err_set(e, SCUOT_EINPUT,
				                    "%s: set '%s' is also defined in %s; rename one",
				                    files[f], s->name, (*file)[j]);
				break;
			}
			scuot_genesets_unknown_list(s, unk, sizeof unk);
			scuot_log_info("%s: set '%s': %lld of %lld genes found, %lld unknown%s%s", files[f],
			               s->name, (long long)s->n, (long long)s->n_listed,
			               (long long)s->n_unknown, s->n_unknown ? ": " : "", unk);
			scuot_geneset *t =
			        scuot_realloc(gs->sets, (size_t)gs->n + 1, sizeof *t, "gene sets", e);
			const char **ft =
			        t ? scuot_realloc(*file, (size_t)gs->n + 1, sizeof *ft, "gene sets", e)
			          : NULL;
			if (t)
				gs->sets = t, gs->m = gs->n + 1;
			if (!ft) {
				ret = e->code;
				break;
			}
			*file = ft;
			ft[gs->n] = files[f];
			gs->sets[gs->n++] = *s;
			memset(s, 0, sizeof *s);
		}
		scuot_genesets_free(&one);
	}
	return ret;
}

/* Gene-set scores and growth priors into obs. */
static int growth_prior(scuot_adata *a, const scuot_normalize_opts *o, scuot_err *e)
{
	scuot_genesets gs = {0};
	const char **file = NULL;
	char **gname = NULL;
	double *ps = NULL, *as = NULL, *b = NULL, *d = NULL, *g = NULL;
	int64_t n = a->n_obs;
	int ret;
	if ((ret = prep_gene_names(a, &gname, e)) || (ret = read_gene_sets(a, o, gname, &gs, &file, e)))
		goto done;
	const char *want[2] = {o->prolif_set, o->apop_set};
	const scuot_geneset *set[2];
	for (int s = 0; s < 2; s++) {
		if (!(set[s] = scuot_genesets_find(&gs, want[s]))) {
			char names[512] = "";
			for (int i = 0; i < gs.n && strlen(names) < 400; i++)
				snprintf(names + strlen(names), sizeof names - strlen(names), "%s'%s'",
				         i ? ", " : "", gs.sets[i].name);
			ret = scuot_err_set(e, SCUOT_EINPUT,
			                    "%s: no gene set named '%s' (sets: %s); name the %s set with %s",
			                    o->gene_sets, want[s], names, s ? "apoptosis" : "proliferation",
			                    s ? "--apoptosis-set" : "--proliferation-set");
			goto done;
		}
		const char *f = file[set[s] - gs.sets];
		char unk[1024];
		scuot_genesets_unknown_list(set[s], unk, sizeof unk);
		if (set[s]->n == 0) {
			ret = scuot_err_set(e, SCUOT_EINPUT,
			                    "%s: none of the %lld genes of set '%s' is a gene of the data "
			                    "(not found: %s); "
			                    "check the gene naming (symbols or ids)",
			                    f, (long long)set[s]->n_listed, set[s]->name, unk);
			goto done;
		}
		if (set[s]->n_unknown)
			scuot_log_warning(
			        "%s: %lld of the %lld genes of set '%s' are not genes of the data: %s", f,
			        (long long)set[s]->n_unknown, (long long)set[s]->n_listed, set[s]->name, unk);
	}
	if (!(ps = scuot_alloc((size_t)n, sizeof *ps, 0, "scores", e)) ||
	    !(as = scuot_alloc((size_t)n, sizeof *as, 0, "scores", e)) ||
	    !(b = scuot_alloc((size_t)n, sizeof *b, 0, "rates", e)) ||
	    !(d = scuot_alloc((size_t)n, sizeof *d, 0, "rates", e)) ||
	    !(g = scuot_alloc((size_t)n, sizeof *g, 0, "rates", e))) {
		ret = e->code;
		goto done;
	}
	if ((ret = scuot_geneset_score(a->X, set[0], o->max_z, ps, e)) ||
	    (ret = scuot_geneset_score(a->X, set[1], o->max_z, as, e)))
		goto done;
	scuot_growth_rates(&o->growth, ps, as, n, b, d, g);
	if ((ret = add_float_col(&a->obs, "proliferation_score", ps, e)) ||
	    (ret = add_float_col(&a->obs, "apoptosis_score", as, e)) ||
	    (ret = add_float_col(&a->obs, "birth_rate", b, e)) ||
	    (ret = add_float_col(&a->obs, "death_rate", d, e)) ||
	    (ret = add_float_col(&a->obs, "growth_prior", g, e)))
		goto done;
	double gmin = INFINITY, gmax = -INFINITY;
	for (int64_t i = 0; i < n; i++)
		gmin = fmin(gmin, g[i]), gmax = fmax(gmax, g[i]);
	scuot_log_info("growth prior from sets '%s' and '%s': %.3g to %.3g per unit time", set[0]->name,
	               set[1]->name, gmin, gmax);
done:
	scuot_genesets_free(&gs);
	free(file);
	free(gname);
	free(ps);
	free(as);
	free(b);
	free(d);
	free(g);
	return ret;
}

static int record(scuot_adata *a, const scuot_normalize_opts *o, int64_t n_hvg, scuot_err *e)
{
	scuot_uns *u, *h;
	if (!(u = scuot_uns_add(&a->uns, "normalize", SCUOT_UNS_DICT, e)) ||
	    scuot_uns_set_num(u, "target_sum", o->target_sum, 0, e) ||
	    scuot_uns_set_num(u, "log1p", 1, 1, e) ||
	    scuot_uns_set_num(u, "min_genes", (double)o->qc.min_genes, 1, e) ||
	    scuot_uns_set_num(u, "min_counts", o->qc.min_counts, 0, e) ||
	    scuot_uns_set_num(u, "max_mito", o->qc.max_mito, 0, e) ||
	    scuot_uns_set_str(u, "mito_prefix", o->qc.mito_prefix, e) ||
	    scuot_uns_set_num(u, "min_cells", (double)o->qc.min_cells, 1, e) ||
	    scuot_uns_set_num(u, "n_top_genes", (double)o->hvg.n_top_genes, 1, e) ||
	    scuot_uns_set_num(u, "hvg_per_day", o->hvg_per_day, 1, e) ||
	    scuot_uns_set_num(u, "n_highly_variable", (double)n_hvg, 1, e) ||
	    scuot_uns_set_num(u, "subset", o->subset, 1, e) ||
	    scuot_uns_set_num(u, "scaled", o->scale, 1, e) ||
	    (o->scale && scuot_uns_set_num(u, "max_value", o->max_value, 0, e)) ||
	    (o->gene_sets && (scuot_uns_set_str(u, "gene_sets", o->gene_sets, e) ||
	                      scuot_uns_set_str(u, "proliferation_set", o->prolif_set, e) ||
	                      scuot_uns_set_str(u, "apoptosis_set", o->apop_set, e) ||
	                      scuot_uns_set_num(u, "beta_min", o->growth.beta_min, 0, e) ||
	                      scuot_uns_set_num(u, "beta_max", o->growth.beta_max, 0, e) ||
	                      scuot_uns_set_num(u, "beta_center", o->growth.beta_center, 0, e) ||
	                      scuot_uns_set_num(u, "beta_width", o->growth.beta_width, 0, e) ||
	                      scuot_uns_set_num(u, "delta_min", o->growth.delta_min, 0, e) ||
	                      scuot_uns_set_num(u, "delta_max", o->growth.delta_max, 0, e) ||
	                      scuot_uns_set_num(u, "delta_center", o->growth.delta_center, 0, e) ||
	                      scuot_uns_set_num(u, "delta_width", o->growth.delta_width, 0, e))))
		return e->code;
	if (o->gene_sets && o->n_more_gene_sets > 0) {
		/* several files: gene_sets lists them all */
		scuot_uns *f = scuot_uns_add(u, "gene_sets", SCUOT_UNS_STRARRAY, e);
		int nf = 1 + (o->n_more_gene_sets < SCUOT_MAX_MORE_GENE_SETS ? o->n_more_gene_sets
		                                                             : SCUOT_MAX_MORE_GENE_SETS);
		if (!f || !(f->strs = scuot_alloc((size_t)nf, sizeof *f->strs, 1, "uns", e)))
			return e->code;
		for (int k = 0; k < nf; k++, f->nstr++)
			if (!(f->strs[k] = scuot_strdup(k ? o->more_gene_sets[k - 1] : o->gene_sets, e)))
				return e->code;
	}
	/* scanpy's own records: uns/hvg/flavor */
	if (!(h = scuot_uns_add(&a->uns, "hvg", SCUOT_UNS_DICT, e)) ||
	    scuot_uns_set_str(h, "flavor", o->hvg.flavor == SCUOT_HVG_SEURAT ? "seurat" : "seurat_v3", e))
		return e->code;
	return 0;
}

int scuot_normalize_run(scuot_adata *a, const scuot_normalize_opts *o, const char *name, scuot_err *e)
{
	scuot_hvg_result hv = {0};
	scuot_csr *counts = NULL;
	double *days = NULL;
	int32_t *batch = NULL;
	int64_t *cnt = NULL, *keep = NULL, nfrac = 0;
	char where[512];
	int nd = 0, ret, dcol;

	if ((ret = scuot_normalize_opts_check(o, e)))
		return ret;
	if (!a->X) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /X: no expression matrix", name);
		goto done;
	}
	snprintf(where, sizeof where, "%s: /X", name);
	if ((ret = scuot_prep_check_values(a->X, 0, a->obs.index, a->var.index, where, &nfrac, e)))
		goto done;
	if (nfrac)
		scuot_log_warning("%s: %lld values of X are not integers; scuot-normalize expects raw counts "
		                  "(was X already "
		                  "normalised?)",
		                  name, (long long)nfrac);
	dcol = scuot_df_find(&a->obs, "day");
	if (dcol >= 0 && (ret = distinct_days(a, dcol, &days, &nd, e)))
		goto done;
	if (o->hvg_per_day && (dcol < 0 || nd == 0)) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "%s: /obs/day: no cell days for --hvg-per-day; run scuot-ingest with "
		                    "--days first",
		                    name);
		goto done;
	}

	if ((ret = scuot_qc_filter(a, &o->qc, name, NULL, e)))
		goto done;
	if (nd > 0) {
		/* a day that lost all its cells cannot be transported: stop here */
		dcol = scuot_df_find(&a->obs, "day");
		if (!(cnt = scuot_alloc((size_t)nd, sizeof *cnt, 1, "days", e))) {
			ret = e->code;
			goto done;
		}
		for (int64_t i = 0; i < a->n_obs; i++) {
			double v = scuot_col_num(&a->obs.cols[dcol], i);
			for (int d = 0; d < nd; d++)
				if (v == days[d])
					cnt[d]++;
		}
		for (int d = 0; d < nd; d++)
			if (cnt[d] == 0) {
				ret = scuot_err_set(
				        e, SCUOT_EINPUT,
				        "%s: day %g has no cells left after the QC filters (--min-counts "
				        "%g, --min-genes %lld, --max-mito %g); relax them or drop "
				        "the day with scuot-ingest --keep-days",
				        name, days[d], o->qc.min_counts, (long long)o->qc.min_genes,
				        o->qc.max_mito);
				goto done;
			} else if (o->hvg_per_day && cnt[d] < 2) {
				ret = scuot_err_set(
				        e, SCUOT_EINPUT,
				        "%s: day %g has a single cell; --hvg-per-day needs at least 2 "
				        "cells per day",
				        name, days[d]);
				goto done;
			}
	}

	if (!(counts = scuot_csr_dup(a->X, e))) {
		ret = e->code;
		goto done;
	}
	if ((ret = scuot_norm_total(a->X, o->target_sum, 1, NULL, e)))
		goto done;
	scuot_log_info("normalised %lld cells to %g counts each, log1p", (long long)a->n_obs, o->target_sum);

	if (o->hvg_per_day) {
		if (!(batch = scuot_alloc((size_t)a->n_obs, sizeof *batch, 0, "batches", e))) {
			ret = e->code;
			goto done;
		}
		for (int64_t i = 0; i < a->n_obs; i++) {
			double v = scuot_col_num(&a->obs.cols[dcol], i);
			batch[i] = 0;
			for (int d = 0; d < nd; d++)
				if (v == days[d])
					batch[i] = d;
		}
	}
	/* ties of the per-day seurat ranking are broken by var name, as scanpy's groupby does */
	ret = scuot_hvg_select(o->hvg.flavor == SCUOT_HVG_SEURAT_V3 ? counts : a->X, &o->hvg, batch, nd,
	                       a->var.index, &hv, e);
	if (ret) {
		scuot_err_prefix(e, "%s: ", name);
		goto done;
	}
	if (hv.n_constant)
		scuot_log_info("%lld constant genes (zero variance) were not considered",
		               (long long)hv.n_constant);
	scuot_log_info("highly variable genes (%s%s): %lld of %lld",
	               o->hvg.flavor == SCUOT_HVG_SEURAT ? "seurat" : "seurat_v3",
	               o->hvg_per_day ? ", per day" : "", (long long)hv.n_selected, (long long)a->n_var);
	if (hv.n_selected == 0) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "%s: no highly variable gene passes the cut-offs (--min-mean %g "
		                    "--max-mean %g --min-disp %g); relax them or give --n-top-genes",
		                    name, o->hvg.min_mean, o->hvg.max_mean, o->hvg.min_disp);
		goto done;
	}
	if ((ret = write_hvg(a, &hv, e)) || (ret = scuot_adata_set_layer(a, "counts", counts, e)))
		goto done;
	counts = NULL;

	if (o->gene_sets && (ret = growth_prior(a, o, e)))
		goto done;

	if (o->subset) {
		int64_t k = 0;
		if (!(keep = scuot_alloc((size_t)a->n_var, sizeof *keep, 0, "HVG subset", e))) {
			ret = e->code;
			goto done;
		}
		for (int64_t g = 0; g < a->n_var; g++)
			if (hv.highly_variable[g])
				keep[k++] = g;
		if ((ret = scuot_adata_subset_var(a, keep, k, e)))
			goto done;
		scuot_log_info("--subset: kept the %lld highly variable genes", (long long)k);
	}
	if (o->scale) {
		scuot_csr *z = scuot_scale(a->X, o->max_value, e);
		if (!z) {
			ret = e->code;
			goto done;
		}
		scuot_csr_free(a->X);
		a->X = z;
		scuot_log_info("z-scaled %lld genes, clipped at %g", (long long)a->n_var, o->max_value);
	}
	ret = record(a, o, hv.n_selected, e);
done:
	scuot_hvg_result_free(&hv);
	scuot_csr_free(counts);
	free(days);
	free(batch);
	free(cnt);
	free(keep);
	return ret;
}
