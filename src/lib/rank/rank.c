/* rank.c -- scaling-factor rankings, Spearman correlations and growth-gene differential expression
 * (Welch's t-test, Wilcoxon rank-sum with tie correction, Benjamini-Hochberg FDR); see rank.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/log.h"
#include "rank/rank.h"

typedef struct idx_val {
	double v;
	int64_t i;
} idx_val;

/* Descending by value, ties by index: a total order, so qsort's instability does not matter. */
static int cmp_desc(const void *pa, const void *pb)
{
	const idx_val *a = pa, *b = pb;
	if (a->v != b->v)
		return a->v > b->v ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

static int cmp_asc(const void *pa, const void *pb)
{
	const idx_val *a = pa, *b = pb;
	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

static idx_val *sorted_copy(const double *v, int64_t n, int desc, scuot_err *e)
{
	idx_val *s = scuot_alloc((size_t)(n > 0 ? n : 1), sizeof *s, 0, "rank order", e);
	if (!s)
		return NULL;
	for (int64_t i = 0; i < n; i++)
		s[i].v = v[i], s[i].i = i;
	qsort(s, (size_t)n, sizeof *s, desc ? cmp_desc : cmp_asc);
	return s;
}

int scuot_rank_desc(const double *v, int64_t n, int64_t *rank, scuot_err *e)
{
	idx_val *s;
	for (int64_t i = 0; i < n; i++)
		if (isnan(v[i]))
			return scuot_err_set(e, SCUOT_EINPUT, "value %lld is NaN; cannot rank it",
					     (long long)i);
	if (!(s = sorted_copy(v, n, 1, e)))
		return e->code;
	for (int64_t k = 0; k < n; k++)
		rank[s[k].i] = k > 0 && s[k].v == s[k - 1].v ? rank[s[k - 1].i] : k + 1;
	free(s);
	return 0;
}

double scuot_rank_percentile(int64_t rank, int64_t n)
{
	return n > 1 ? 100.0 * (double)(n - rank) / (double)(n - 1) : 100.0;
}

int scuot_rank_midranks(const double *v, int64_t n, double *r, scuot_err *e)
{
	idx_val *s = sorted_copy(v, n, 0, e);
	if (!s)
		return e->code;
	for (int64_t k = 0; k < n;) {
		int64_t j = k;
		while (j + 1 < n && s[j + 1].v == s[k].v)
			j++;
		double avg = 0.5 * (double)(k + j) + 1.0; /* ranks k+1 .. j+1 */
		for (int64_t q = k; q <= j; q++)
			r[s[q].i] = avg;
		k = j + 1;
	}
	free(s);
	return 0;
}

int scuot_rank_spearman(const double *x, const double *y, int64_t n, double *rho, scuot_err *e)
{
	double *rx = NULL, *ry = NULL, mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
	int ret;
	if (n < 2)
		return scuot_err_set(e, SCUOT_EUSAGE,
				     "Spearman correlation needs at least 2 values (got %lld)", (long long)n);
	if (!(rx = scuot_alloc((size_t)n, sizeof *rx, 0, "ranks", e)) ||
	    !(ry = scuot_alloc((size_t)n, sizeof *ry, 0, "ranks", e))) {
		ret = e->code;
		goto done;
	}
	if ((ret = scuot_rank_midranks(x, n, rx, e)) || (ret = scuot_rank_midranks(y, n, ry, e)))
		goto done;
	for (int64_t i = 0; i < n; i++)
		mx += rx[i], my += ry[i];
	mx /= (double)n, my /= (double)n;
	for (int64_t i = 0; i < n; i++) {
		sxy += (rx[i] - mx) * (ry[i] - my);
		sxx += (rx[i] - mx) * (rx[i] - mx);
		syy += (ry[i] - my) * (ry[i] - my);
	}
	*rho = sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
done:
	free(rx);
	free(ry);
	return ret;
}

int scuot_rank_bh(const double *p, int64_t n, double *q, scuot_err *e)
{
	idx_val *s = scuot_alloc((size_t)(n > 0 ? n : 1), sizeof *s, 0, "p-value order", e);
	int64_t m = 0;
	double run = 1.0;
	if (!s)
		return e->code;
	for (int64_t i = 0; i < n; i++)
		if (!isnan(p[i]))
			s[m].v = p[i], s[m].i = i, m++;
	qsort(s, (size_t)m, sizeof *s, cmp_asc);
	for (int64_t i = 0; i < n; i++)
		if (isnan(p[i]))
			q[i] = NAN;
	/* step-up: q_(k) = min over j >= k of p_(j) m / j (1-based j) */
	for (int64_t k = m - 1; k >= 0; k--) {
		double v = s[k].v * (double)m / (double)(k + 1);
		if (v < run)
			run = v;
		q[s[k].i] = run;
	}
	free(s);
	return 0;
}

/* Welch's t-test from the two groups' sizes, means and unbiased variances. */
static void welch(double n1, double m1, double v1, double n0, double m0, double v0, scuot_rank_de *d)
{
	double a = v1 / n1, b = v0 / n0, se = sqrt(a + b), diff = m1 - m0;
	if (!(se > 0)) {
		d->t_df = n1 + n0 - 2;
		d->t = diff == 0 ? 0 : diff > 0 ? INFINITY : -INFINITY;
		d->t_p = diff == 0 ? 1 : 0;
		return;
	}
	d->t = diff / se;
	d->t_df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n0 - 1));
	d->t_p = 2 * gsl_cdf_tdist_Q(fabs(d->t), d->t_df);
	if (d->t_p > 1)
		d->t_p = 1;
}

/* One gene: the nonzero entries (cell, value) of its column; n cells, in1 the group flags. scratch has
 * room for nnz entries. */
static void de_gene(const int32_t *cells, const float *vals, int64_t nnz, int64_t n, int64_t n1,
		    const uint8_t *in1, idx_val *scratch, scuot_rank_de *d)
{
	int64_t n0 = n - n1, k = 0, nz1 = 0, nz0 = 0, zero1, zero0, pos;
	double s1 = 0, s0 = 0, x1 = 0, x0 = 0, ss1 = 0, ss0 = 0, m1, m0, r1 = 0, ties = 0, mu, sigma;
	double lo1 = INFINITY, hi1 = -INFINITY, lo0 = INFINITY, hi0 = -INFINITY;
	for (int64_t q = 0; q < nnz; q++) {
		double v = vals[q];
		if (v == 0)
			continue;
		if (in1[cells[q]]) {
			s1 += v, x1 += expm1(v), nz1++;
			lo1 = fmin(lo1, v), hi1 = fmax(hi1, v);
		} else {
			s0 += v, x0 += expm1(v), nz0++;
			lo0 = fmin(lo0, v), hi0 = fmax(hi0, v);
		}
		scratch[k].v = v, scratch[k].i = cells[q], k++;
	}
	m1 = s1 / (double)n1, m0 = s0 / (double)n0;
	zero1 = n1 - nz1, zero0 = n0 - nz0;
	/* a group of one repeated value: its mean is that value and its variance exactly 0 (summation
	 * rounding would otherwise leave a tiny variance and a meaningless t) */
	int const1 = nz1 == 0 || (zero1 == 0 && lo1 == hi1), const0 = nz0 == 0 || (zero0 == 0 && lo0 == hi0);
	if (const1)
		m1 = nz1 ? lo1 : 0;
	if (const0)
		m0 = nz0 ? lo0 : 0;
	/* two-pass variances: the zeros contribute m^2 each */
	for (int64_t q = 0; q < k; q++) {
		double v = scratch[q].v;
		if (in1[scratch[q].i])
			ss1 += (v - m1) * (v - m1);
		else
			ss0 += (v - m0) * (v - m0);
	}
	ss1 += (double)zero1 * m1 * m1, ss0 += (double)zero0 * m0 * m0;
	if (const1)
		ss1 = 0;
	if (const0)
		ss0 = 0;
	d->mean1 = m1, d->mean0 = m0;
	d->det1 = (double)nz1 / (double)n1, d->det0 = (double)nz0 / (double)n0;
	d->log2fc = log2((x1 / (double)n1 + 1e-9) / (x0 / (double)n0 + 1e-9));
	welch((double)n1, m1, ss1 / (double)(n1 - 1), (double)n0, m0, ss0 / (double)(n0 - 1), d);

	/* mid-ranks: negative values, then the block of zeros, then positive values */
	qsort(scratch, (size_t)k, sizeof *scratch, cmp_asc);
	pos = 0;
	for (int64_t q = 0, zeros_done = 0; q <= k;) {
		if (!zeros_done && (q == k || scratch[q].v > 0)) {
			int64_t t = zero1 + zero0;
			r1 += (double)zero1 * ((double)pos + 0.5 * (double)(t + 1));
			ties += (double)t * (double)t * (double)t - (double)t;
			pos += t;
			zeros_done = 1;
			continue;
		}
		if (q == k)
			break;
		int64_t j = q, c1 = 0;
		while (j + 1 < k && scratch[j + 1].v == scratch[q].v)
			j++;
		int64_t t = j - q + 1;
		for (int64_t r = q; r <= j; r++)
			c1 += in1[scratch[r].i] != 0;
		r1 += (double)c1 * ((double)pos + 0.5 * (double)(t + 1));
		ties += (double)t * (double)t * (double)t - (double)t;
		pos += t;
		q = j + 1;
	}
	d->u = r1 - 0.5 * (double)n1 * (double)(n1 + 1);
	mu = 0.5 * (double)n1 * (double)n0;
	sigma =
	    sqrt((double)n1 * (double)n0 / 12.0 * ((double)(n + 1) - ties / ((double)n * (double)(n - 1))));
	if (sigma > 0 && isfinite(sigma)) {
		d->z = (d->u - mu) / sigma;
		d->w_p = 2 * gsl_cdf_ugaussian_Q(fabs(d->z));
		if (d->w_p > 1)
			d->w_p = 1;
	} else {
		d->z = 0, d->w_p = 1;
	}
}

int scuot_rank_de_run(const scuot_csr *X, const uint8_t *in1, scuot_rank_de *out, scuot_err *e)
{
	scuot_csr *T = NULL;
	double *p = NULL, *q = NULL;
	int64_t n = X->nrow, n1 = 0, maxnnz = 0, G = X->ncol;
	int ret = 0, failed = 0;
	for (int64_t c = 0; c < n; c++)
		n1 += in1[c] != 0;
	if (n1 < 2 || n - n1 < 2)
		return scuot_err_set(e, SCUOT_EUSAGE,
				     "differential expression needs at least 2 cells in each group "
				     "(got %lld top cells and %lld others)",
				     (long long)n1, (long long)(n - n1));
	if (!(T = scuot_csr_transpose(X, e)))
		return e->code;
	for (int64_t g = 0; g < G; g++)
		if (T->indptr[g + 1] - T->indptr[g] > maxnnz)
			maxnnz = T->indptr[g + 1] - T->indptr[g];
#pragma omp parallel reduction(|| : failed)
	{
		idx_val *scratch = malloc(sizeof *scratch * (size_t)(maxnnz > 0 ? maxnnz : 1));
		if (!scratch)
			failed = 1;
#pragma omp for schedule(dynamic, 16)
		for (int64_t g = 0; g < G; g++) {
			if (!scratch)
				continue;
			memset(&out[g], 0, sizeof out[g]);
			out[g].gene = g;
			de_gene(T->indices + T->indptr[g], T->data + T->indptr[g],
				T->indptr[g + 1] - T->indptr[g], n, n1, in1, scratch, &out[g]);
		}
		free(scratch);
	}
	if (failed) {
		ret = scuot_err_set(e, SCUOT_ENOMEM,
				    "out of memory for the rank scratch (%lld entries per thread)",
				    (long long)maxnnz);
		goto done;
	}
	if (!(p = scuot_alloc((size_t)(G > 0 ? G : 1), sizeof *p, 0, "p-values", e)) ||
	    !(q = scuot_alloc((size_t)(G > 0 ? G : 1), sizeof *q, 0, "q-values", e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t g = 0; g < G; g++)
		p[g] = out[g].t_p;
	if ((ret = scuot_rank_bh(p, G, q, e)))
		goto done;
	for (int64_t g = 0; g < G; g++)
		out[g].t_fdr = q[g], p[g] = out[g].w_p;
	if ((ret = scuot_rank_bh(p, G, q, e)))
		goto done;
	for (int64_t g = 0; g < G; g++)
		out[g].w_fdr = q[g];
done:
	scuot_csr_free(T);
	free(p);
	free(q);
	return ret;
}

static int cmp_de(const void *pa, const void *pb)
{
	const scuot_rank_de *a = pa, *b = pb;
	if (a->z != b->z)
		return a->z > b->z ? -1 : 1;
	return (a->gene > b->gene) - (a->gene < b->gene);
}

void scuot_rank_de_sort(scuot_rank_de *de, int64_t n)
{
	qsort(de, (size_t)n, sizeof *de, cmp_de);
}

int scuot_rank_top_group(const double *scaling, int64_t n, double fraction, uint8_t *in1, int64_t *n1,
			 scuot_err *e)
{
	idx_val *s;
	int64_t k;
	if (!(fraction > 0 && fraction < 1))
		return scuot_err_set(e, SCUOT_EUSAGE,
				     "top fraction %g is not in (0, 1); give e.g. 0.1 for the top 10%% "
				     "of source cells",
				     fraction);
	k = (int64_t)ceil(fraction * (double)n - 1e-9);
	if (k < 2 || n - k < 2)
		return scuot_err_set(e, SCUOT_EUSAGE,
				     "top fraction %g of %lld cells gives %lld top cells and %lld others; "
				     "each group needs at least 2 (choose a fraction between %g and %g)",
				     fraction, (long long)n, (long long)k, (long long)(n - k),
				     n > 0 ? 2.0 / (double)n : 0, n > 0 ? 1 - 2.0 / (double)n : 0);
	if (!(s = sorted_copy(scaling, n, 1, e)))
		return e->code;
	memset(in1, 0, (size_t)n);
	for (int64_t i = 0; i < k; i++)
		in1[s[i].i] = 1;
	*n1 = k;
	free(s);
	return 0;
}
