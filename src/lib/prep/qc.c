/* qc.c -- quality-control filters on raw counts: minimum genes and counts per cell, maximum mitochondrial
 * fraction, minimum cells per gene (scanpy's filter_cells, filter_genes and calculate_qc_metrics). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "prep/prep.h"
#include "prep/prep_internal.h"

void scuot_qc_opts_init(scuot_qc_opts *o)
{
	memset(o, 0, sizeof *o);
	o->min_genes = 0;
	o->min_counts = 1;
	o->max_mito = 1;
	o->mito_prefix = "MT-";
	o->min_cells = 1;
}

int scuot_qc_opts_check(const scuot_qc_opts *o, scuot_err *e)
{
	if (o->min_genes < 0)
		return scuot_err_set(e, SCUOT_EUSAGE, "--min-genes: %lld is negative",
		                     (long long)o->min_genes);
	if (!(o->min_counts >= 0))
		return scuot_err_set(e, SCUOT_EUSAGE, "--min-counts: %g is negative", o->min_counts);
	if (!(o->max_mito >= 0 && o->max_mito <= 1))
		return scuot_err_set(e, SCUOT_EUSAGE, "--max-mito: %g is not a fraction in [0, 1]",
		                     o->max_mito);
	if (o->min_cells < 0)
		return scuot_err_set(e, SCUOT_EUSAGE, "--min-cells: %lld is negative",
		                     (long long)o->min_cells);
	if (!o->mito_prefix || !*o->mito_prefix)
		return scuot_err_set(e, SCUOT_EUSAGE, "--mito-prefix: empty prefix");
	return 0;
}

int scuot_qc_filter(scuot_adata *a, const scuot_qc_opts *o, const char *name, scuot_qc_stats *st,
                    scuot_err *e)
{
	const scuot_csr *X = a->X;
	int64_t n = a->n_obs, p = a->n_var, *keep = NULL, nkeep = 0, *ncell = NULL;
	uint8_t *mito = NULL;
	char **gname = NULL;
	scuot_qc_stats s = {0};
	scuot_col *c_ng, *c_tc, *c_mt = NULL, *c_nc;
	int ret = 0;

	s.cells_in = n, s.genes_in = p;
	if (!X) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /X: no expression matrix", name);
		goto done;
	}
	if ((ret = prep_gene_names(a, &gname, e)))
		goto done;
	if (!(mito = scuot_alloc((size_t)(p ? p : 1), 1, 1, "mitochondrial flags", e)) ||
	    !(keep = scuot_alloc((size_t)(n > p ? n : p) + 1, sizeof *keep, 0, "kept rows", e)) ||
	    !(ncell = scuot_alloc((size_t)(p ? p : 1), sizeof *ncell, 1, "cells per gene", e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t g = 0; g < p; g++) {
		mito[g] = prep_prefix_icase(a->var.index[g], o->mito_prefix) ||
		          (gname && prep_prefix_icase(gname[g], o->mito_prefix));
		s.n_mito_genes += mito[g];
	}
	if (!(c_ng = scuot_df_add(&a->obs, "n_genes_by_counts", SCUOT_COL_INT, e)) ||
	    !(c_tc = scuot_df_add(&a->obs, "total_counts", SCUOT_COL_FLOAT, e)) ||
	    (s.n_mito_genes && !(c_mt = scuot_df_add(&a->obs, "pct_counts_mt", SCUOT_COL_FLOAT, e)))) {
		ret = e->code;
		goto done;
	}
#pragma omp parallel for schedule(static)
	for (int64_t i = 0; i < n; i++) {
		double tot = 0, mt = 0;
		int64_t ng = 0;
		for (int64_t k = X->indptr[i]; k < X->indptr[i + 1]; k++) {
			double v = X->data[k];
			tot += v;
			ng += v != 0;
			if (mito[X->indices[k]])
				mt += v;
		}
		c_ng->i[i] = ng;
		c_tc->f[i] = tot;
		if (c_mt)
			c_mt->f[i] = tot > 0 ? 100 * mt / tot : 0;
	}
	for (int64_t i = 0; i < n; i++) {
		double tot = c_tc->f[i];
		if (tot < o->min_counts)
			s.low_counts++;
		else if (c_ng->i[i] < o->min_genes)
			s.low_genes++;
		else if (c_mt && c_mt->f[i] > 100 * o->max_mito)
			s.high_mito++;
		else
			keep[nkeep++] = i;
	}
	scuot_log_info("QC: --min-counts %g removed %lld cells, --min-genes %lld removed %lld, --max-mito %g "
	               "removed "
	               "%lld (%lld genes match prefix '%s')",
	               o->min_counts, (long long)s.low_counts, (long long)o->min_genes,
	               (long long)s.low_genes, o->max_mito, (long long)s.high_mito, (long long)s.n_mito_genes,
	               o->mito_prefix);
	if (nkeep == 0) {
		const char *f = "--min-counts";
		char thr[64];
		snprintf(thr, sizeof thr, "%g", o->min_counts);
		if (s.low_genes > s.low_counts && s.low_genes >= s.high_mito)
			f = "--min-genes", snprintf(thr, sizeof thr, "%lld", (long long)o->min_genes);
		else if (s.high_mito > s.low_counts && s.high_mito > s.low_genes)
			f = "--max-mito", snprintf(thr, sizeof thr, "%g", o->max_mito);
		ret = scuot_err_set(
		        e, SCUOT_EINPUT,
		        "%s: the QC filters removed all %lld cells (--min-counts %g: %lld, --min-genes %lld: "
		        "%lld, --max-mito %g: %lld); %s %s removed the most, relax it",
		        name, (long long)n, o->min_counts, (long long)s.low_counts, (long long)o->min_genes,
		        (long long)s.low_genes, o->max_mito, (long long)s.high_mito, f, thr);
		goto done;
	}
	if (nkeep < n && (ret = scuot_adata_subset_obs(a, keep, nkeep, e)))
		goto done;
	X = a->X;
	for (int64_t k = 0; k < X->nnz; k++)
		if (X->data[k] != 0)
			ncell[X->indices[k]]++;
	nkeep = 0;
	for (int64_t g = 0; g < p; g++)
		if (ncell[g] >= o->min_cells)
			keep[nkeep++] = g;
	s.rare_genes = p - nkeep;
	scuot_log_info("QC: --min-cells %lld removed %lld of %lld genes", (long long)o->min_cells,
	               (long long)s.rare_genes, (long long)p);
	if (nkeep == 0) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "%s: the QC filter --min-cells %lld removed all %lld genes (no gene is "
		                    "detected in %lld "
		                    "of the %lld cells left); lower --min-cells",
		                    name, (long long)o->min_cells, (long long)p, (long long)o->min_cells,
		                    (long long)a->n_obs);
		goto done;
	}
	if (!(c_nc = scuot_df_add(&a->var, "n_cells_by_counts", SCUOT_COL_INT, e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t g = 0; g < p; g++)
		c_nc->i[g] = ncell[g];
	if (nkeep < p && (ret = scuot_adata_subset_var(a, keep, nkeep, e)))
		goto done;
done:
	if (st)
		*st = s;
	free(gname);
	free(mito);
	free(keep);
	free(ncell);
	return ret;
}
