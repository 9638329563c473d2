/* hvg.c -- highly variable genes, following scanpy's highly_variable_genes: flavour 'seurat'
 * (binned normalised dispersion) and 'seurat_v3' (Stuart et al. 2019: variance of standardised
 * counts clipped at sqrt(n) after a loess fit of log variance on log mean), optionally per batch.
 *
 * Departures from scanpy 1.9, also listed in data/FORMATS.md:
 *  - sums are in double (scanpy may sum float32 data in float32);
 *  - seurat_v3 fits the mean-variance trend with prep_loess (direct local quadratic, tricube, span
 *    0.3) instead of skmisc's interpolated loess; ranks break ties by gene order (numpy's unstable
 *    argsort leaves them unspecified); the means/variances columns are over all cells (scanpy keeps
 *    those of the last batch);
 *  - with n_top_genes, a gene whose normalised dispersion is NaN (a constant gene) is never selected
 *    (scanpy's nan_to_num makes it 0, selected when the cut-off is <= 0). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "prep/prep.h"
#include "prep/prep_internal.h"

void scuot_hvg_opts_init(scuot_hvg_opts *o)
{
	memset(o, 0, sizeof *o);
	o->flavor = SCUOT_HVG_SEURAT;
	o->n_top_genes = 2000;
	o->min_mean = 0.0125;
	o->max_mean = 3;
	o->min_disp = 0.5;
	o->max_disp = INFINITY;
	o->n_bins = 20;
	o->span = 0.3;
}

int scuot_hvg_opts_check(const scuot_hvg_opts *o, scuot_err *e)
{
	if (o->flavor != SCUOT_HVG_SEURAT && o->flavor != SCUOT_HVG_SEURAT_V3)
		return scuot_err_set(e, SCUOT_EUSAGE, "--hvg-flavor: unknown flavour %d", o->flavor);
	if (o->n_top_genes < 0)
		return scuot_err_set(e, SCUOT_EUSAGE, "--n-top-genes: %lld is negative",
		                     (long long)o->n_top_genes);
	if (o->flavor == SCUOT_HVG_SEURAT_V3 && o->n_top_genes == 0)
		return scuot_err_set(e, SCUOT_EUSAGE,
		                     "--n-top-genes: seurat_v3 needs a number of genes (cut-offs on "
		                     "mean and dispersion apply to the seurat flavour only)");
	if (o->n_bins < 1)
		return scuot_err_set(e, SCUOT_EUSAGE, "--n-bins: %d is not positive", o->n_bins);
	if (!(o->span > 0 && o->span <= 1))
		return scuot_err_set(e, SCUOT_EUSAGE, "--span: %g is not in (0, 1]", o->span);
	if (isnan(o->min_mean) || isnan(o->max_mean) || isnan(o->min_disp) || isnan(o->max_disp))
		return scuot_err_set(e, SCUOT_EUSAGE, "HVG cut-offs must be numbers");
	return 0;
}

void scuot_hvg_result_free(scuot_hvg_result *r)
{
	if (!r)
		return;
	free(r->highly_variable);
	free(r->means);
	free(r->dispersions);
	free(r->dispersions_norm);
	free(r->variances);
	free(r->variances_norm);
	free(r->rank);
	free(r->nbatches);
	memset(r, 0, sizeof *r);
}

/* One batch of the seurat flavour on the genes with inc[g] (all genes when inc is NULL): fills
 * mean, disp, norm (log1p mean, log dispersion, normalised dispersion) and hv for those genes.
 * Returns the number of genes whose normalised dispersion is not NaN (negative on error). */
static int64_t seurat_batch(const scuot_csr *X, const int64_t *rows, int64_t n, const uint8_t *inc,
                            const scuot_hvg_opts *o, double *mean, double *disp, double *norm, uint8_t *hv,
                            scuot_err *e)
{
	int64_t p = X->ncol, nvalid = 0, nb = o->n_bins;
	double *s1 = NULL, *s2 = NULL, *bm = NULL, *bs = NULL, *sorted = NULL;
	int64_t *bin = NULL, *bc = NULL, ret = 0;
	if (!(s1 = scuot_alloc((size_t)p, sizeof *s1, 0, "HVG sums", e)) ||
	    !(s2 = scuot_alloc((size_t)p, sizeof *s2, 0, "HVG sums", e)) ||
	    !(bin = scuot_alloc((size_t)p, sizeof *bin, 0, "HVG bins", e)) ||
	    !(sorted = scuot_alloc((size_t)p, sizeof *sorted, 0, "HVG dispersions", e)) ||
	    !(bm = scuot_alloc((size_t)nb + 1, sizeof *bm, 1, "HVG bins", e)) ||
	    !(bs = scuot_alloc((size_t)nb + 1, sizeof *bs, 1, "HVG bins", e)) ||
	    !(bc = scuot_alloc((size_t)nb + 1, sizeof *bc, 1, "HVG bins", e)) ||
	    prep_col_stats(X, rows, n, 1, NULL, s1, s2, NULL, e)) {
		ret = e->code;
		goto done;
	}
	/* scanpy _get_mean_var (ddof 1), then the seurat dispersion on the log scale */
	double mn = INFINITY, mx = -INFINITY;
	for (int64_t g = 0; g < p; g++) {
		if (inc && !inc[g])
			continue;
		double m = s1[g] / n, msq = s2[g] / n, v = (msq - m * m) * ((double)n / (double)(n - 1));
		if (m == 0)
			m = 1e-12;
		double d = v / m;
		disp[g] = d == 0 ? NAN : log(d);
		mean[g] = log1p(m);
		mn = fmin(mn, mean[g]);
		mx = fmax(mx, mean[g]);
	}
	/* pandas.cut(means, n_bins): equal-width bins over [min, max], the first edge moved down by
	 * 0.1% of the range (both edges by 0.1% of the value when min == max); intervals (a, b] */
	double edges[1025];
	if (nb > 1024)
		nb = 1024;
	if (mn == mx) {
		double lo = mn - (mn != 0 ? 0.001 * fabs(mn) : 0.001),
		       hi = mx + (mx != 0 ? 0.001 * fabs(mx) : 0.001);
		double step = (hi - lo) / (double)nb;
		for (int64_t b = 0; b < nb; b++)
			edges[b] = (double)b * step + lo;
		edges[nb] = hi;
	} else {
		double step = (mx - mn) / (double)nb;
		for (int64_t b = 0; b < nb; b++)
			edges[b] = (double)b * step + mn;
		edges[nb] = mx;
		edges[0] -= (mx - mn) * 0.001;
	}
	for (int64_t g = 0; g < p; g++) {
		if (inc && !inc[g])
			continue;
		/* numpy searchsorted(edges, x, 'left') - 1: the first edge >= x closes the bin */
		int64_t lo = 0, hi = nb + 1;
		while (lo < hi) {
			int64_t mid = (lo + hi) / 2;
			if (edges[mid] < mean[g])
				lo = mid + 1;
			else
				hi = mid;
		}
		bin[g] = lo - 1;
		if (!isnan(disp[g]))
			bm[bin[g]] += disp[g], bc[bin[g]]++;
	}
	for (int64_t b = 0; b < nb; b++)
		bm[b] = bc[b] ? bm[b] / (double)bc[b] : NAN;
	for (int64_t g = 0; g < p; g++)
		if ((!inc || inc[g]) && !isnan(disp[g])) {
			double d = disp[g] - bm[bin[g]];
			bs[bin[g]] += d * d;
		}
	/* a bin with fewer than 2 dispersions has no std: scanpy sets its std to the bin mean and its
	 * mean to 0, so a single gene gets normalised dispersion 1 */
	for (int64_t b = 0; b < nb; b++) {
		if (bc[b] >= 2) {
			bs[b] = sqrt(bs[b] / (double)(bc[b] - 1));
		} else {
			bs[b] = bm[b];
			bm[b] = 0;
		}
	}
	for (int64_t g = 0; g < p; g++) {
		if (inc && !inc[g])
			continue;
		norm[g] = (disp[g] - bm[bin[g]]) / bs[bin[g]];
		if (!isnan(norm[g]))
			sorted[nvalid++] = norm[g];
	}
	if (o->n_top_genes > 0) {
		int64_t nt = o->n_top_genes;
		if (nt > nvalid)
			nt = nvalid;
		if (nt > 0) {
			/* the nt-th largest value is the cut-off; ties at it are all selected (scanpy) */
			int64_t *ord = scuot_alloc((size_t)nvalid, sizeof *ord, 0, "HVG ranks", e);
			if (!ord) {
				ret = e->code;
				goto done;
			}
			prep_argsort(sorted, nvalid, ord, e);
			double cut = sorted[ord[nvalid - nt]];
			free(ord);
			for (int64_t g = 0; g < p; g++)
				if (!inc || inc[g])
					hv[g] = !isnan(norm[g]) && norm[g] >= cut;
		} else {
			for (int64_t g = 0; g < p; g++)
				if (!inc || inc[g])
					hv[g] = 0;
		}
	} else {
		for (int64_t g = 0; g < p; g++) {
			if (inc && !inc[g])
				continue;
			double d = isnan(norm[g]) ? 0 : norm[g];
			hv[g] = mean[g] > o->min_mean && mean[g] < o->max_mean && d > o->min_disp &&
			        d < o->max_disp;
		}
	}
	ret = nvalid;
done:
	free(s1);
	free(s2);
	free(bin);
	free(sorted);
	free(bm);
	free(bs);
	free(bc);
	return ret;
}

static char *const *tie_names;

/* Batched seurat order: more batches first, then larger normalised dispersion (NaN last), then
 * gene name (pandas groupby sorts genes by name before the stable sort). */
static const double *cmp_norm;
static const int64_t *cmp_nb;

static int cmp_batched(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
	if (cmp_nb[a] != cmp_nb[b])
		return cmp_nb[a] > cmp_nb[b] ? -1 : 1;
	double x = cmp_norm[a], y = cmp_norm[b];
	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y)
		return x > y ? -1 : 1;
	if (tie_names) {
		int c = strcmp(tie_names[a], tie_names[b]);
		if (c)
			return c;
	}
	return (a > b) - (a < b);
}

static int seurat_select(const scuot_csr *X, const scuot_hvg_opts *o, const int64_t *const *brows,
                         const int64_t *bn, int nbatch, char *const *genes, scuot_hvg_result *r, scuot_err *e)
{
	int64_t p = X->ncol;
	double *m = NULL, *d = NULL, *nm = NULL;
	uint8_t *hv = NULL, *inc = NULL;
	int64_t *nz = NULL, *cnt = NULL, *ord = NULL;
	int ret = 0;
	if (nbatch == 1) {
		int64_t nv = seurat_batch(X, brows[0], bn[0], NULL, o, r->means, r->dispersions,
		                          r->dispersions_norm, r->highly_variable, e);
		if (nv < 0)
			return (int)nv;
		return 0;
	}
	if (!(m = scuot_alloc((size_t)p, sizeof *m, 0, "HVG", e)) ||
	    !(d = scuot_alloc((size_t)p, sizeof *d, 0, "HVG", e)) ||
	    !(nm = scuot_alloc((size_t)p, sizeof *nm, 0, "HVG", e)) ||
	    !(hv = scuot_alloc((size_t)p, 1, 0, "HVG", e)) ||
	    !(inc = scuot_alloc((size_t)p, 1, 0, "HVG", e)) ||
	    !(nz = scuot_alloc((size_t)p, sizeof *nz, 0, "HVG", e)) ||
	    !(cnt = scuot_alloc((size_t)p * 3, sizeof *cnt, 1, "HVG", e)) ||
	    !(ord = scuot_alloc((size_t)p, sizeof *ord, 0, "HVG", e))) {
		ret = e->code;
		goto done;
	}
	/* nanmean over batches; a gene not detected in a batch contributes zeros there (scanpy) */
	for (int64_t g = 0; g < p; g++)
		r->means[g] = r->dispersions[g] = r->dispersions_norm[g] = 0, r->nbatches[g] = 0;
	for (int b = 0; b < nbatch; b++) {
		if ((ret = prep_col_stats(X, brows[b], bn[b], 0, NULL, NULL, NULL, nz, e)))
			goto done;
		for (int64_t g = 0; g < p; g++) {
			inc[g] = nz[g] > 0;
			m[g] = d[g] = nm[g] = 0;
			hv[g] = 0;
		}
		int64_t nv = seurat_batch(X, brows[b], bn[b], inc, o, m, d, nm, hv, e);
		if (nv < 0) {
			ret = (int)nv;
			goto done;
		}
		for (int64_t g = 0; g < p; g++) {
			r->means[g] += m[g];
			if (!isnan(d[g]))
				r->dispersions[g] += d[g], cnt[g]++;
			if (!isnan(nm[g]))
				r->dispersions_norm[g] += nm[g], cnt[p + g]++;
			r->nbatches[g] += hv[g];
		}
	}
	for (int64_t g = 0; g < p; g++) {
		r->means[g] /= nbatch;
		r->dispersions[g] = cnt[g] ? r->dispersions[g] / (double)cnt[g] : NAN;
		r->dispersions_norm[g] = cnt[p + g] ? r->dispersions_norm[g] / (double)cnt[p + g] : NAN;
	}
	if (o->n_top_genes > 0) {
		for (int64_t g = 0; g < p; g++)
			ord[g] = g;
		tie_names = genes, cmp_norm = r->dispersions_norm, cmp_nb = r->nbatches;
		qsort(ord, (size_t)p, sizeof *ord, cmp_batched);
		tie_names = NULL, cmp_norm = NULL, cmp_nb = NULL;
		for (int64_t g = 0; g < p; g++)
			r->highly_variable[ord[g]] = g < o->n_top_genes;
	} else {
		for (int64_t g = 0; g < p; g++) {
			double dn = isnan(r->dispersions_norm[g]) ? 0 : r->dispersions_norm[g];
			r->highly_variable[g] = r->means[g] > o->min_mean && r->means[g] < o->max_mean &&
			                        dn > o->min_disp && dn < o->max_disp;
		}
	}
done:
	free(m);
	free(d);
	free(nm);
	free(hv);
	free(inc);
	free(nz);
	free(cnt);
	free(ord);
	return ret;
}

static const double *v3_rank;
static const int64_t *v3_nb;

/* seurat_v3 order: smaller median rank first (NaN last), then more batches, then gene order. */
static int cmp_v3(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
	double x = v3_rank[a], y = v3_rank[b];
	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y)
		return x < y ? -1 : 1;
	if (v3_nb[a] != v3_nb[b])
		return v3_nb[a] > v3_nb[b] ? -1 : 1;
	return (a > b) - (a < b);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

static int seurat_v3_select(const scuot_csr *X, const scuot_hvg_opts *o, const int64_t *const *brows,
                            const int64_t *bn, int nbatch, scuot_hvg_result *r, scuot_err *e)
{
	int64_t p = X->ncol, ntop = o->n_top_genes < p ? o->n_top_genes : p;
	double *s1 = NULL, *s2 = NULL, *mean = NULL, *lx = NULL, *ly = NULL, *fit = NULL, *clip = NULL,
	       *nv = NULL, *key = NULL, *ranks = NULL, *med = NULL;
	int64_t *idx = NULL, *ord = NULL;
	int ret = 0;
	if (!(s1 = scuot_alloc((size_t)p, sizeof *s1, 0, "HVG", e)) ||
	    !(s2 = scuot_alloc((size_t)p, sizeof *s2, 0, "HVG", e)) ||
	    !(mean = scuot_alloc((size_t)p, sizeof *mean, 0, "HVG", e)) ||
	    !(lx = scuot_alloc((size_t)p, sizeof *lx, 0, "HVG", e)) ||
	    !(ly = scuot_alloc((size_t)p, sizeof *ly, 0, "HVG", e)) ||
	    !(fit = scuot_alloc((size_t)p, sizeof *fit, 0, "HVG", e)) ||
	    !(clip = scuot_alloc((size_t)p, sizeof *clip, 0, "HVG", e)) ||
	    !(nv = scuot_alloc((size_t)p, sizeof *nv, 0, "HVG", e)) ||
	    !(key = scuot_alloc((size_t)p, sizeof *key, 0, "HVG", e)) ||
	    !(ranks = scuot_alloc((size_t)p * nbatch, sizeof *ranks, 0, "HVG ranks", e)) ||
	    !(med = scuot_alloc((size_t)nbatch, sizeof *med, 0, "HVG", e)) ||
	    !(idx = scuot_alloc((size_t)p, sizeof *idx, 0, "HVG", e)) ||
	    !(ord = scuot_alloc((size_t)p, sizeof *ord, 0, "HVG", e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t g = 0; g < p; g++)
		r->variances_norm[g] = 0, r->nbatches[g] = 0;
	for (int b = 0; b < nbatch; b++) {
		int64_t N = bn[b], nc = 0;
		if ((ret = prep_col_stats(X, brows[b], N, 0, NULL, s1, s2, NULL, e)))
			goto done;
		for (int64_t g = 0; g < p; g++) {
			double m = s1[g] / N, v = (s2[g] / N - m * m) * ((double)N / (double)(N - 1));
			mean[g] = m;
			if (v > 0) {
				lx[nc] = log10(m), ly[nc] = log10(v), idx[nc++] = g;
			}
			fit[g] = 0;
		}
		if ((ret = prep_loess(lx, ly, nc, o->span, key, e)))
			goto done;
		for (int64_t j = 0; j < nc; j++)
			fit[idx[j]] = key[j];
		double vmax = sqrt((double)N);
		for (int64_t g = 0; g < p; g++) {
			double reg_std = sqrt(pow(10, fit[g]));
			clip[g] = reg_std * vmax + mean[g];
			fit[g] = reg_std;
		}
		if ((ret = prep_col_stats(X, brows[b], N, 0, clip, s1, s2, NULL, e)))
			goto done;
		for (int64_t g = 0; g < p; g++) {
			double m = mean[g], rs = fit[g];
			nv[g] = (1 / ((double)(N - 1) * (rs * rs))) *
			        (((double)N * (m * m)) + s2[g] - 2 * s1[g] * m);
			r->variances_norm[g] += nv[g];
			key[g] = isnan(nv[g]) ? INFINITY : -nv[g];
		}
		prep_argsort(key, p, ord, e);
		for (int64_t j = 0; j < p; j++) {
			int64_t g = ord[j];
			ranks[(size_t)g * nbatch + b] = j < ntop ? (double)j : NAN;
			r->nbatches[g] += j < ntop;
		}
	}
	for (int64_t g = 0; g < p; g++) {
		int nm = 0;
		r->variances_norm[g] /= nbatch;
		for (int b = 0; b < nbatch; b++)
			if (!isnan(ranks[(size_t)g * nbatch + b]))
				med[nm++] = ranks[(size_t)g * nbatch + b];
		if (nm == 0) {
			r->rank[g] = NAN;
			continue;
		}
		qsort(med, (size_t)nm, sizeof *med, cmp_double);
		r->rank[g] = nm % 2 ? med[nm / 2] : (med[nm / 2 - 1] + med[nm / 2]) / 2;
	}
	for (int64_t g = 0; g < p; g++)
		ord[g] = g;
	v3_rank = r->rank, v3_nb = r->nbatches;
	qsort(ord, (size_t)p, sizeof *ord, cmp_v3);
	v3_rank = NULL, v3_nb = NULL;
	for (int64_t j = 0; j < p; j++)
		r->highly_variable[ord[j]] = j < ntop;
done:
	free(s1);
	free(s2);
	free(mean);
	free(lx);
	free(ly);
	free(fit);
	free(clip);
	free(nv);
	free(key);
	free(ranks);
	free(med);
	free(idx);
	free(ord);
	return ret;
}

int scuot_hvg_select(const scuot_csr *X, const scuot_hvg_opts *o, const int32_t *batch, int nbatch,
                     char *const *genes, scuot_hvg_result *r, scuot_err *e)
{
	int64_t n = X->nrow, p = X->ncol, **brows = NULL, *bn = NULL;
	double *s1 = NULL, *s2 = NULL;
	int ret;
	memset(r, 0, sizeof *r);
	r->n = p;
	if ((ret = scuot_hvg_opts_check(o, e)))
		return ret;
	if (!batch)
		nbatch = 1;
	if (nbatch < 1)
		return scuot_err_set(e, SCUOT_EINTERNAL, "hvg: %d batches", nbatch);
	if (!(brows = scuot_alloc((size_t)nbatch, sizeof *brows, 1, "HVG batches", e)) ||
	    !(bn = scuot_alloc((size_t)nbatch, sizeof *bn, 1, "HVG batches", e)))
		goto fail;
	if (batch) {
		for (int64_t i = 0; i < n; i++) {
			if (batch[i] < 0 || batch[i] >= nbatch) {
				ret = scuot_err_set(e, SCUOT_EINTERNAL, "hvg: batch code %d of cell %lld",
				                    batch[i], (long long)i);
				goto out;
			}
			bn[batch[i]]++;
		}
		for (int b = 0; b < nbatch; b++)
			if (!(brows[b] = scuot_alloc((size_t)(bn[b] ? bn[b] : 1), sizeof **brows, 0,
			                             "HVG batches", e)))
				goto fail;
		memset(bn, 0, (size_t)nbatch * sizeof *bn);
		for (int64_t i = 0; i < n; i++)
			brows[batch[i]][bn[batch[i]]++] = i;
	} else {
		bn[0] = n;
	}
	for (int b = 0; b < nbatch; b++)
		if (bn[b] < 2) {
			ret = scuot_err_set(e, SCUOT_EINPUT,
			                    "batch %d has %lld cells; highly variable genes need at least 2 "
			                    "cells per batch",
			                    b, (long long)bn[b]);
			goto out;
		}
	if (!(r->highly_variable = scuot_alloc((size_t)p, 1, 1, "HVG", e)) ||
	    !(r->means = scuot_alloc((size_t)p, sizeof(double), 0, "HVG", e)) ||
	    (nbatch > 1 && !(r->nbatches = scuot_alloc((size_t)p, sizeof(int64_t), 1, "HVG", e))))
		goto fail;
	/* constant genes over all cells (count variance 0) are counted and never selected */
	if (!(s1 = scuot_alloc((size_t)p, sizeof *s1, 0, "HVG", e)) ||
	    !(s2 = scuot_alloc((size_t)p, sizeof *s2, 0, "HVG", e)) ||
	    prep_col_stats(X, NULL, 0, 0, NULL, s1, s2, NULL, e))
		goto fail;
	for (int64_t g = 0; g < p; g++) {
		double m = s1[g] / n, v = (s2[g] / n - m * m) * ((double)n / (double)(n - 1));
		r->n_constant += !(v > 0);
	}
	if (r->n_constant == p) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
		                    "all %lld genes are constant across the %lld cells; there are no "
		                    "variable genes to select",
		                    (long long)p, (long long)n);
		goto out;
	}
	if (o->flavor == SCUOT_HVG_SEURAT) {
		if (!(r->dispersions = scuot_alloc((size_t)p, sizeof(double), 0, "HVG", e)) ||
		    !(r->dispersions_norm = scuot_alloc((size_t)p, sizeof(double), 0, "HVG", e)))
			goto fail;
		ret = seurat_select(X, o, (const int64_t *const *)brows, bn, nbatch, genes, r, e);
	} else {
		if (!(r->variances = scuot_alloc((size_t)p, sizeof(double), 0, "HVG", e)) ||
		    !(r->variances_norm = scuot_alloc((size_t)p, sizeof(double), 0, "HVG", e)) ||
		    !(r->rank = scuot_alloc((size_t)p, sizeof(double), 0, "HVG", e)) ||
		    (!r->nbatches && !(r->nbatches = scuot_alloc((size_t)p, sizeof(int64_t), 1, "HVG", e))))
			goto fail;
		ret = seurat_v3_select(X, o, (const int64_t *const *)brows, bn, nbatch, r, e);
		for (int64_t g = 0; !ret && g < p; g++) {
			double m = s1[g] / n;
			r->means[g] = m;
			r->variances[g] = (s2[g] / n - m * m) * ((double)n / (double)(n - 1));
		}
		if (nbatch == 1) {
			free(r->nbatches);
			r->nbatches = NULL;
		}
	}
	for (int64_t g = 0; !ret && g < p; g++)
		r->n_selected += r->highly_variable[g];
	goto out;
fail:
	ret = e ? e->code : SCUOT_ENOMEM;
out:
	if (brows)
		for (int b = 0; b < nbatch; b++)
			free(brows[b]);
	free(brows);
	free(bn);
	free(s1);
	free(s2);
	if (ret)
		scuot_hvg_result_free(r);
	return ret;
}
