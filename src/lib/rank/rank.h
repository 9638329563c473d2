/* rank.h -- scaling-factor rankings of source cells, rank correlations between methods, and growth genes:
 * differential expression between the fastest-growing source cells and the rest (Welch t, Wilcoxon, BH). */
#ifndef SCUOT_RANK_RANK_H
#define SCUOT_RANK_RANK_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"
#include "core/mat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- cell rankings ---- */

/* Ranks of v[0..n) into rank[0..n): 1 for the largest value (descending), ties given the same minimum
 * rank ("competition" ranking, 1 2 2 4), so a rank never depends on file order.  NaN values are refused:
 * SCUOT_EINPUT naming the entry.  SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_rank_desc(const double *v, int64_t n, int64_t *rank, scuot_err *e);
/* Percentile of each rank: 100 (n - rank) / (n - 1), so the largest value is 100 and the smallest 0
 * (100 for every cell when n = 1). */
SCUOT_EXPORT double scuot_rank_percentile(int64_t rank, int64_t n);
/* Mid-ranks (ascending, ties given their average rank, 1-based) of v[0..n) into r, as
 * scipy.stats.rankdata(method='average').  SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_rank_midranks(const double *v, int64_t n, double *r, scuot_err *e);
/* Spearman's rank correlation of x and y (n >= 2): Pearson correlation of their mid-ranks, as
 * scipy.stats.spearmanr.  NaN when either side is constant.  SCUOT_EUSAGE for n < 2, SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_rank_spearman(const double *x, const double *y, int64_t n, double *rho, scuot_err *e);

/* ---- growth genes ---- */

/* Per gene: group 1 = the top cells by scaling factor, group 0 = the rest. */
typedef struct scuot_rank_de {
	int64_t gene;        /* column of the expression matrix */
	double mean1, mean0; /* mean log-normalised expression */
	double det1, det0;   /* detection rates: fraction of cells with nonzero expression */
	double log2fc;       /* log2((mean expm1 in 1 + 1e-9) / (mean expm1 in 0 + 1e-9)), as scanpy */
	double t, t_df, t_p; /* Welch's t statistic, Welch-Satterthwaite df, two-sided p */
	double u, z, w_p;    /* Mann-Whitney U of group 1, tie-corrected z, two-sided normal p */
	double t_fdr, w_fdr; /* Benjamini-Hochberg adjusted p-values over all genes */
} scuot_rank_de;

/* Differential expression of every gene of X (cells x genes, CSR, log-normalised; values may be
 * negative, as after z-scaling) between the cells with in1[c] != 0 and the others, into out[0..ncol)
 * (out[g].gene = g, unsorted).  Both groups need at least 2 cells: SCUOT_EUSAGE otherwise.
 *
 * Welch's t-test (Welch 1947): t = (m1 - m0) / sqrt(v1/n1 + v0/n0) with unbiased variances,
 * df = (v1/n1 + v0/n0)^2 / ((v1/n1)^2/(n1-1) + (v0/n0)^2/(n0-1)), p = 2 P(T_df > |t|) (GSL); as
 * scipy.stats.ttest_ind(equal_var=False).  A gene constant within both groups has t = 0, p = 1 when the
 * means agree and t = +-inf, p = 0 when they differ.
 * Wilcoxon rank-sum / Mann-Whitney (Mann and Whitney 1947): U = R1 - n1 (n1 + 1) / 2 with R1 the sum of
 * group 1's mid-ranks among all cells; z = (U - n1 n0 / 2) / sigma, sigma^2 = n1 n0 / 12 ((n + 1) -
 * sum_k (t_k^3 - t_k) / (n (n - 1))) over tie groups of size t_k (the zeros of a sparse column are one
 * group); p = 2 P(Z > |z|), no continuity correction; as scipy.stats.mannwhitneyu(use_continuity=False,
 * method='asymptotic').  sigma = 0 (all values tied) gives z = 0, p = 1.
 * FDR: Benjamini and Hochberg (1995) step-up adjusted p-values, min over j >= i of p_(j) m / j, capped at 1.
 * Genes are processed on the OpenMP threads; the results do not depend on their number.
 * Returns 0, SCUOT_EUSAGE, SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_rank_de_run(const scuot_csr *X, const uint8_t *in1, scuot_rank_de *out, scuot_err *e);
/* Benjamini-Hochberg adjusted p-values of p[0..n) into q (may alias p); NaN p-values are kept NaN and
 * not counted.  SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_rank_bh(const double *p, int64_t n, double *q, scuot_err *e);
/* Sort de[0..n) for reporting: by Wilcoxon z descending (genes up in the top cells first, as scanpy's
 * rank_genes_groups orders by score), ties by gene number. */
SCUOT_EXPORT void scuot_rank_de_sort(scuot_rank_de *de, int64_t n);
/* The top group: the ceil(fraction n) cells of largest scaling factor (ties at the threshold broken by
 * cell order), as flags in in1[0..n).  SCUOT_EUSAGE unless 0 < fraction < 1 and both groups get at least
 * 2 cells (the message gives the sizes and what fraction would work); SCUOT_ENOMEM. */
SCUOT_EXPORT int scuot_rank_top_group(const double *scaling, int64_t n, double fraction, uint8_t *in1,
				      int64_t *n1, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
