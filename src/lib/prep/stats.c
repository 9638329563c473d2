/* stats.c -- shared numerical helpers of the prep module: per-gene column statistics with
 * deterministic block reductions, gene labels, argsort, and the local quadratic (loess) smoother. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "io/adata.h"
#include "prep/prep_internal.h"

int prep_nblocks(int64_t n, size_t width)
{
	int64_t nb = (n + PREP_BLOCK_ROWS - 1) / PREP_BLOCK_ROWS;
	if (nb > 64)
		nb = 64;
	if (width > 0 && (size_t)nb * width > ((size_t)256 << 20))
		nb = (int64_t)(((size_t)256 << 20) / width);
	return nb < 1 ? 1 : (int)nb;
}

int prep_col_stats(const scuot_csr *X, const int64_t *rows, int64_t nrows, int expm1_, const double *clip,
                   double *s1, double *s2, int64_t *nz, scuot_err *e)
{
	int64_t p = X->ncol, n = rows ? nrows : X->nrow;
	int nb = prep_nblocks(n, (size_t)p * (2 * sizeof(double) + sizeof(int64_t)));
	double *a1 = NULL, *a2 = NULL;
	int64_t *anz = NULL;
	int ret = 0;
	if (!(a1 = scuot_alloc((size_t)nb * p, sizeof *a1, 1, "column sums", e)) ||
	    !(a2 = scuot_alloc((size_t)nb * p, sizeof *a2, 1, "column sums", e)) ||
	    !(anz = scuot_alloc((size_t)nb * p, sizeof *anz, 1, "column counts", e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
#pragma omp parallel for schedule(dynamic, 1)
	for (int b = 0; b < nb; b++) {
		int64_t r0 = n * b / nb, r1 = n * (b + 1) / nb;
		double *b1 = a1 + (size_t)b * p, *b2 = a2 + (size_t)b * p;
		int64_t *bnz = anz + (size_t)b * p;
		for (int64_t r = r0; r < r1; r++) {
			int64_t i = rows ? rows[r] : r;
			for (int64_t k = X->indptr[i]; k < X->indptr[i + 1]; k++) {
				int32_t g = X->indices[k];
				double v = X->data[k];
				if (v == 0)
					continue;
				if (expm1_)
					v = expm1(v);
				if (clip && v > clip[g])
					v = clip[g];
				b1[g] += v;
				b2[g] += v * v;
				bnz[g]++;
			}
		}
	}
	for (int64_t g = 0; g < p; g++) {
		double t1 = 0, t2 = 0;
		int64_t tn = 0;
		for (int b = 0; b < nb; b++) {
			t1 += a1[(size_t)b * p + g];
			t2 += a2[(size_t)b * p + g];
			tn += anz[(size_t)b * p + g];
		}
		if (s1)
			s1[g] = t1;
		if (s2)
			s2[g] = t2;
		if (nz)
			nz[g] = tn;
	}
done:
	free(a1);
	free(a2);
	free(anz);
	return ret;
}

int prep_gene_names(const scuot_adata *a, char ***names, scuot_err *e)
{
	int j = scuot_df_find(&a->var, "gene_name");
	*names = NULL;
	if (j < 0)
		return 0;
	const scuot_col *c = &a->var.cols[j];
	if (c->type != SCUOT_COL_STRING && c->type != SCUOT_COL_CATEGORICAL)
		return 0;
	char **v = scuot_alloc((size_t)(a->n_var ? a->n_var : 1), sizeof *v, 1, "gene names", e);
	if (!v)
		return e ? e->code : SCUOT_ENOMEM;
	for (int64_t g = 0; g < a->n_var; g++) {
		if (c->mask && c->mask[g])
			continue;
		if (c->type == SCUOT_COL_STRING)
			v[g] = c->s[g];
		else if (c->codes[g] >= 0 && c->codes[g] < c->ncat)
			v[g] = c->cats[c->codes[g]];
	}
	*names = v;
	return 0;
}

int prep_gaussian(uint64_t seed, uint64_t stream, double *out, int64_t n)
{
	gsl_rng *r = scuot_rng_new(seed, stream, NULL);
	if (!r)
		return -1;
	for (int64_t i = 0; i < n; i++)
		out[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
	gsl_rng_free(r);
	return 0;
}

int prep_prefix_icase(const char *s, const char *prefix)
{
	if (!s)
		return 0;
	for (; *prefix; s++, prefix++)
		if (tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
			return 0;
	return 1;
}

static const double *sort_keys;

static int cmp_key(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
	double ka = sort_keys[a], kb = sort_keys[b];
	if (ka < kb)
		return -1;
	if (ka > kb)
		return 1;
	return (a > b) - (a < b);
}

/* qsort with a file-scope key pointer: callers run it from one thread (no OpenMP region). */
int prep_argsort(const double *keys, int64_t n, int64_t *order, scuot_err *e)
{
	for (int64_t i = 0; i < n; i++)
		order[i] = i;
	sort_keys = keys;
	qsort(order, (size_t)n, sizeof *order, cmp_key);
	sort_keys = NULL;
	return 0;
}

/* Solve the weighted least-squares polynomial fit from the moments S[0..4] = sum w u^k and
 * T[0..2] = sum w y u^k; returns the intercept.  Degree 2, else 1, else 0 when degenerate. */
static double poly_intercept(const double *S, const double *T)
{
	double det3 = S[0] * (S[2] * S[4] - S[3] * S[3]) - S[1] * (S[1] * S[4] - S[3] * S[2]) +
	              S[2] * (S[1] * S[3] - S[2] * S[2]);
	if (det3 > 1e-10 * S[0] * S[0] * S[0]) {
		double num = T[0] * (S[2] * S[4] - S[3] * S[3]) - S[1] * (T[1] * S[4] - S[3] * T[2]) +
		             S[2] * (T[1] * S[3] - S[2] * T[2]);
		return num / det3;
	}
	double det2 = S[0] * S[2] - S[1] * S[1];
	if (det2 > 1e-10 * S[0] * S[0])
		return (T[0] * S[2] - S[1] * T[1]) / det2;
	return T[0] / S[0];
}

int prep_loess(const double *x, const double *y, int64_t n, double span, double *fit, scuot_err *e)
{
	int64_t *ord = NULL, q;
	double *xs = NULL;
	int ret = 0;
	if (n <= 0)
		return 0;
	if (!(ord = scuot_alloc((size_t)n, sizeof *ord, 0, "loess", e)) ||
	    !(xs = scuot_alloc((size_t)n, sizeof *xs, 0, "loess", e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	prep_argsort(x, n, ord, e);
	for (int64_t i = 0; i < n; i++)
		xs[i] = x[ord[i]];
	q = (int64_t)floor(span * (double)n);
	if (q < 3)
		q = 3;
	if (q > n)
		q = n;
	/* In sorted order the q nearest neighbours of point s form a window [lo, lo + q); it only moves
	 * right as s does.  h is the largest distance within the optimal window (the q-th smallest
	 * distance); every point with d < h lies inside it. */
	int64_t lo = 0;
	for (int64_t s = 0; s < n; s++) {
		double x0 = xs[s];
		while (lo + q < n && xs[lo + q] - x0 < x0 - xs[lo])
			lo++;
		double h = fmax(x0 - xs[lo], xs[lo + q - 1] - x0);
		double S[5] = {0}, T[3] = {0};
		if (h <= 0) {
			double sy = 0;
			int64_t c = 0;
			int64_t j0 = s, j1 = s;
			while (j0 > 0 && xs[j0 - 1] == x0)
				j0--;
			while (j1 + 1 < n && xs[j1 + 1] == x0)
				j1++;
			for (int64_t j = j0; j <= j1; j++)
				sy += y[ord[j]], c++;
			fit[ord[s]] = sy / (double)c;
			continue;
		}
		for (int64_t j = lo; j < lo + q; j++) {
			double u = (xs[j] - x0) / h, d = fabs(u);
			if (d >= 1)
				continue;
			double t = 1 - d * d * d, w = t * t * t, yj = y[ord[j]];
			S[0] += w, S[1] += w * u, S[2] += w * u * u, S[3] += w * u * u * u,
			        S[4] += w * u * u * u * u;
			T[0] += w * yj, T[1] += w * yj * u, T[2] += w * yj * u * u;
		}
		fit[ord[s]] = poly_intercept(S, T);
	}
done:
	free(ord);
	free(xs);
	return ret;
}
