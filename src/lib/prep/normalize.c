/* normalize.c -- value checks, library-size normalisation with log1p (scanpy's normalize_total and
 * log1p) and per-gene z-scaling with clipping (scanpy's scale). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prep/prep.h"
#include "prep/prep_internal.h"

int scuot_prep_check_values(const scuot_csr *X, int allow_negative, char *const *cells, char *const *genes,
                            const char *where, int64_t *n_fraction, scuot_err *e)
{
	int64_t frac = 0;
	for (int64_t i = 0; i < X->nrow; i++)
		for (int64_t k = X->indptr[i]; k < X->indptr[i + 1]; k++) {
			float v = X->data[k];
			if (isfinite(v) && (allow_negative || v >= 0)) {
				frac += v != floorf(v);
				continue;
			}
			char cb[32], gb[32];
			int32_t g = X->indices[k];
			snprintf(cb, sizeof cb, "#%lld", (long long)i + 1);
			snprintf(gb, sizeof gb, "#%lld", (long long)g + 1);
			return scuot_err_set(
			        e, SCUOT_EINPUT, "%s: cell '%s', gene '%s' holds %s%g; %s", where,
			        cells ? cells[i] : cb, genes ? genes[g] : gb, isnan(v) ? "" : "the value ", v,
			        isfinite(v)
			                ? "expression values cannot be negative (for centred or scaled input "
			                  "give --allow-negative)"
			                : "replace missing or infinite values before this stage");
		}
	if (n_fraction)
		*n_fraction = frac;
	return 0;
}

int scuot_norm_total(scuot_csr *X, double target_sum, int log1p_, double *total, scuot_err *e)
{
	if (!(target_sum > 0))
		return scuot_err_set(e, SCUOT_EUSAGE, "--target-sum: %g is not positive", target_sum);
#pragma omp parallel for schedule(static)
	for (int64_t i = 0; i < X->nrow; i++) {
		double t = 0;
		for (int64_t k = X->indptr[i]; k < X->indptr[i + 1]; k++)
			t += X->data[k];
		if (total)
			total[i] = t;
		if (t == 0)
			continue;
		double f = t / target_sum;
		for (int64_t k = X->indptr[i]; k < X->indptr[i + 1]; k++) {
			double v = X->data[k] / f;
			X->data[k] = (float)(log1p_ ? log1p(v) : v);
		}
	}
	return 0;
}

scuot_csr *scuot_scale(const scuot_csr *X, double max_value, scuot_err *e)
{
	int64_t n = X->nrow, p = X->ncol;
	double *s1 = NULL, *s2 = NULL;
	float *row = NULL;
	scuot_csr *Y = NULL;
	if (n < 2) {
		scuot_err_set(e, SCUOT_EINPUT, "z-scaling needs at least 2 cells, got %lld", (long long)n);
		return NULL;
	}
	if (!(s1 = scuot_alloc((size_t)p, sizeof *s1, 0, "gene means", e)) ||
	    !(s2 = scuot_alloc((size_t)p, sizeof *s2, 0, "gene variances", e)) ||
	    prep_col_stats(X, NULL, 0, 0, NULL, s1, s2, NULL, e) || !(Y = scuot_csr_new(n, p, n * p, e)))
		goto fail;
	/* s1 <- mean, s2 <- 1 / std (ddof 1), 0 for constant genes (scanpy sets their std to 1, so they
	 * scale to 0 - mean = 0 only for all-zero genes; here every constant gene scales to 0) */
	for (int64_t g = 0; g < p; g++) {
		double m = s1[g] / n, v = (s2[g] / n - m * m) * n / (n - 1);
		s1[g] = m;
		s2[g] = v > 0 ? 1 / sqrt(v) : 0;
	}
	for (int64_t i = 0; i <= n; i++)
		Y->indptr[i] = i * p;
#pragma omp parallel for schedule(static)
	for (int64_t i = 0; i < n; i++) {
		float *y = Y->data + i * p;
		int32_t *ind = Y->indices + i * p;
		for (int64_t g = 0; g < p; g++)
			ind[g] = (int32_t)g, y[g] = 0;
		for (int64_t k = X->indptr[i]; k < X->indptr[i + 1]; k++)
			y[X->indices[k]] = X->data[k];
		for (int64_t g = 0; g < p; g++) {
			double z = (y[g] - s1[g]) * s2[g];
			if (max_value > 0)
				z = z > max_value ? max_value : z < -max_value ? -max_value : z;
			y[g] = (float)z;
		}
	}
	free(s1);
	free(s2);
	free(row);
	return Y;
fail:
	free(s1);
	free(s2);
	free(row);
	scuot_csr_free(Y);
	return NULL;
}
