/* run_pca.c -- the scuot-pca stage on an AnnData object: global PCA or local PCA fitted on chosen
 * days (Waddington-OT's per-pair PCA), every cell projected with the fitted mean and loadings. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "io/meta.h"
#include "prep/prep.h"
#include "prep/prep_internal.h"

void scuot_pca_run_opts_init(scuot_pca_run_opts *o)
{
	memset(o, 0, sizeof *o);
	scuot_pca_opts_init(&o->pca);
	o->use_hvg = 1;
}

int scuot_pca_run_opts_check(const scuot_pca_run_opts *o, scuot_err *e)
{
	if (o->n_fit_days < 0 || o->n_fit_days > SCUOT_PCA_MAX_FIT_DAYS)
		return scuot_err_set(e, SCUOT_EUSAGE, "--fit-days: at most %d days", SCUOT_PCA_MAX_FIT_DAYS);
	for (int i = 0; i < o->n_fit_days; i++)
		if (!isfinite(o->fit_days[i]))
			return scuot_err_set(e, SCUOT_EUSAGE, "--fit-days: day %d is not a number", i + 1);
	return scuot_pca_opts_check(&o->pca, e);
}

/* New CSR keeping the columns cols[0..nc) (increasing) of X, renumbered 0..nc-1. */
static scuot_csr *select_cols(const scuot_csr *X, const int64_t *cols, int64_t nc, scuot_err *e)
{
	int32_t *map = scuot_alloc((size_t)(X->ncol ? X->ncol : 1), sizeof *map, 0, "gene map", e);
	scuot_csr *Y = NULL;
	int64_t nnz = 0;
	if (!map)
		return NULL;
	for (int64_t g = 0; g < X->ncol; g++)
		map[g] = -1;
	for (int64_t j = 0; j < nc; j++)
		map[cols[j]] = (int32_t)j;
	for (int64_t k = 0; k < X->nnz; k++)
		nnz += map[X->indices[k]] >= 0;
	if ((Y = scuot_csr_new(X->nrow, nc, nnz, e))) {
		int64_t q = 0;
		for (int64_t i = 0; i < X->nrow; i++) {
			for (int64_t k = X->indptr[i]; k < X->indptr[i + 1]; k++)
				if (map[X->indices[k]] >= 0)
					Y->indices[q] = map[X->indices[k]], Y->data[q++] = X->data[k];
			Y->indptr[i + 1] = q;
		}
	}
	free(map);
	return Y;
}

/* uns array node key under dict holding a copy of v[0..n). */
static int uns_array(scuot_uns *dict, const char *key, const double *v, int64_t n, int is_int, scuot_err *e)
{
	scuot_uns *u = scuot_uns_add(dict, key, SCUOT_UNS_ARRAY, e);
	if (!u || !(u->arr = scuot_alloc((size_t)(n ? n : 1), sizeof *u->arr, 0, key, e)))
		return e->code;
	memcpy(u->arr, v, (size_t)n * sizeof *v);
	u->ndim = 1, u->dims[0] = n, u->is_int = is_int;
	return 0;
}

int scuot_pca_run(scuot_adata *a, const scuot_pca_run_opts *o, const char *name, scuot_err *e)
{
	scuot_csr *Xs = NULL;
	scuot_pca_model *m = NULL;
	scuot_mat *T = NULL, *PCs = NULL;
	int64_t *genes = NULL, *rows = NULL, p = 0, nfit = 0;
	double *mean = NULL;
	char where[512];
	int ret, allow_neg = o->allow_negative;

	if ((ret = scuot_pca_run_opts_check(o, e)))
		return ret;
	if (!a->X) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /X: no expression matrix", name);
		goto done;
	}
	/* scaled X (scuot-normalize --scale) is centred: negative values are expected there */
	scuot_uns *nu = scuot_uns_get(&a->uns, "normalize"), *sc = nu ? scuot_uns_get(nu, "scaled") : NULL;
	if (sc && sc->type == SCUOT_UNS_NUM && sc->num != 0)
		allow_neg = 1;
	snprintf(where, sizeof where, "%s: /X", name);
	if ((ret = scuot_prep_check_values(a->X, allow_neg, a->obs.index, a->var.index, where, NULL, e)))
		goto done;

	/* genes: the highly variable ones when flagged */
	if (!(genes = scuot_alloc((size_t)(a->n_var ? a->n_var : 1), sizeof *genes, 0, "genes", e))) {
		ret = e->code;
		goto done;
	}
	int hc = scuot_df_find(&a->var, "highly_variable");
	if (o->use_hvg && hc >= 0) {
		for (int64_t g = 0; g < a->n_var; g++)
			if (scuot_col_num(&a->var.cols[hc], g) > 0)
				genes[p++] = g;
		if (p == 0) {
			ret = scuot_err_set(e, SCUOT_EINPUT,
			                    "%s: /var/highly_variable: no gene is flagged; rerun "
			                    "scuot-normalize or give --all-genes",
			                    name);
			goto done;
		}
		scuot_log_info("PCA on the %lld highly variable genes of %lld", (long long)p,
		               (long long)a->n_var);
	} else {
		for (int64_t g = 0; g < a->n_var; g++)
			genes[p++] = g;
	}
	if (p < a->n_var) {
		if (!(Xs = select_cols(a->X, genes, p, e))) {
			ret = e->code;
			goto done;
		}
	}
	const scuot_csr *X = Xs ? Xs : a->X;

	/* fit cells: the chosen days, or all */
	if (o->n_fit_days) {
		if ((ret = scuot_meta_day_rows(a, "day", o->fit_days, o->n_fit_days, name, "--fit-days", &rows, &nfit,
		                               e)))
			goto done;
		scuot_log_info("local PCA: fit on %lld cells of %d days, projecting all %lld cells",
		               (long long)nfit, o->n_fit_days, (long long)a->n_obs);
	}
	if ((ret = scuot_pca_fit_csr(X, rows, nfit, &o->pca, &m, e))) {
		scuot_err_prefix(e, "%s: ", name);
		goto done;
	}
	if (!(T = scuot_pca_project_csr(m, X, e)) || !(PCs = scuot_mat_new(a->n_var, m->k, e)) ||
	    !(mean = scuot_alloc((size_t)(a->n_var ? a->n_var : 1), sizeof *mean, 1, "PCA mean", e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t j = 0; j < p; j++) {
		memcpy(PCs->data + genes[j] * m->k, m->loadings->data + j * m->k,
		       (size_t)m->k * sizeof(double));
		mean[genes[j]] = m->mean[j];
	}
	{
		double cum = 0;
		for (int j = 0; j < m->k; j++)
			cum += m->variance_ratio[j];
		scuot_log_info("PCA: %d components explain %.1f%% of the variance (first: %.1f%%)", m->k,
		               100 * cum, 100 * m->variance_ratio[0]);
	}
	if ((ret = scuot_adata_set_obsm(a, "X_pca", T, e)))
		goto done;
	T = NULL;
	if ((ret = scuot_adata_set_varm(a, "PCs", PCs, e)))
		goto done;
	PCs = NULL;
	scuot_uns *u = scuot_uns_add(&a->uns, "pca", SCUOT_UNS_DICT, e), *pr;
	if (!u || (ret = uns_array(u, "variance", m->variance, m->k, 0, e)) ||
	    (ret = uns_array(u, "variance_ratio", m->variance_ratio, m->k, 0, e)) ||
	    (ret = uns_array(u, "singular_values", m->singular_values, m->k, 0, e)) ||
	    (ret = uns_array(u, "mean", mean, a->n_var, 0, e)) ||
	    (ret = scuot_uns_set_num(u, "n_fit_cells", (double)m->n_fit, 1, e)) ||
	    (ret = scuot_uns_set_num(u, "total_variance", m->total_variance, 0, e)) ||
	    (o->n_fit_days && (ret = uns_array(u, "fit_days", o->fit_days, o->n_fit_days, 0, e))) ||
	    !(pr = scuot_uns_add(u, "params", SCUOT_UNS_DICT, e)) ||
	    (ret = scuot_uns_set_num(pr, "n_comps", m->k, 1, e)) ||
	    (ret = scuot_uns_set_str(pr, "svd_solver", m->solver == SCUOT_PCA_EXACT ? "exact" : "randomized",
	                             e)) ||
	    (ret = scuot_uns_set_num(pr, "zero_center", m->center, 1, e)) ||
	    (ret = scuot_uns_set_num(pr, "use_highly_variable", p < a->n_var, 1, e)) ||
	    (ret = scuot_uns_set_num(pr, "oversample", o->pca.oversample, 1, e)) ||
	    (ret = scuot_uns_set_num(pr, "n_iter", o->pca.n_iter, 1, e)) ||
	    (ret = scuot_uns_set_num(pr, "seed", (double)o->pca.seed, 1, e))) {
		ret = ret ? ret : e->code;
		goto done;
	}
done:
	scuot_csr_free(Xs);
	scuot_pca_model_free(m);
	scuot_mat_free(T);
	scuot_mat_free(PCs);
	free(genes);
	free(rows);
	free(mean);
	return ret;
}

static const scuot_uns *uns_array_get(const scuot_uns *u, const char *key, int64_t n)
{
	const scuot_uns *v = scuot_uns_get(u, key);
	if (!v || v->type != SCUOT_UNS_ARRAY || v->ndim != 1 || v->dims[0] != n)
		return NULL;
	return v;
}

int scuot_pca_model_load(const scuot_adata *a, scuot_pca_model **out, scuot_err *e)
{
	const scuot_uns *u = scuot_uns_get(&a->uns, "pca");
	const scuot_mat *PCs = NULL;
	scuot_pca_model *m = NULL;
	*out = NULL;
	for (int i = 0; i < a->n_varm; i++)
		if (strcmp(a->varm[i].key, "PCs") == 0)
			PCs = a->varm[i].m;
	if (!u || !PCs || PCs->nrow != a->n_var || PCs->ncol < 1)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "no PCA model (uns/pca and varm/PCs); run scuot-pca first");
	int k = (int)PCs->ncol;
	const scuot_uns *mu = uns_array_get(u, "mean", a->n_var),
	                *sv = uns_array_get(u, "singular_values", k), *va = uns_array_get(u, "variance", k),
	                *vr = uns_array_get(u, "variance_ratio", k), *nf = scuot_uns_get(u, "n_fit_cells");
	if (!mu || !sv || !va || !vr)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "uns/pca: mean (%lld values), singular_values, variance and "
		                     "variance_ratio (%d values) are needed to project cells",
		                     (long long)a->n_var, k);
	if (!(m = calloc(1, sizeof *m)) || !(m->loadings = scuot_mat_dup(PCs, e)) ||
	    !(m->mean = scuot_alloc((size_t)a->n_var, sizeof *m->mean, 0, "PCA", e)) ||
	    !(m->singular_values = scuot_alloc((size_t)k, sizeof(double), 0, "PCA", e)) ||
	    !(m->variance = scuot_alloc((size_t)k, sizeof(double), 0, "PCA", e)) ||
	    !(m->variance_ratio = scuot_alloc((size_t)k, sizeof(double), 0, "PCA", e))) {
		int r = m ? e->code : scuot_err_set(e, SCUOT_ENOMEM, "PCA: out of memory");
		scuot_pca_model_free(m);
		return r;
	}
	m->p = a->n_var, m->k = k, m->center = 1, m->solver = 0;
	m->n_fit = nf && nf->type == SCUOT_UNS_NUM ? (int64_t)nf->num : 0;
	memcpy(m->mean, mu->arr, (size_t)a->n_var * sizeof(double));
	memcpy(m->singular_values, sv->arr, (size_t)k * sizeof(double));
	memcpy(m->variance, va->arr, (size_t)k * sizeof(double));
	memcpy(m->variance_ratio, vr->arr, (size_t)k * sizeof(double));
	*out = m;
	return 0;
}
