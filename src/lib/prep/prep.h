/* prep.h -- preprocessing of a count matrix: QC filters, library-size normalisation and log1p,
 * highly variable genes, z-scaling, gene-set scores and growth priors, PCA (exact and randomised). */
#ifndef SCUOT_PREP_PREP_H
#define SCUOT_PREP_PREP_H

#include <stddef.h>
#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"
#include "core/mat.h"
#include "io/adata.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- value checks ---- */

/* Check that every stored value of X is finite and, unless allow_negative, not negative.
 * SCUOT_EINPUT naming where ("cells.h5ad: /X"), the cell and gene (labels may be NULL: numbers are
 * used) and the value.  *n_fraction (may be NULL) receives the number of non-integer values. */
SCUOT_EXPORT int scuot_prep_check_values(const scuot_csr *X, int allow_negative, char *const *cells,
                                         char *const *genes, const char *where, int64_t *n_fraction,
                                         scuot_err *e);

/* ---- QC filters (scanpy's filter_cells / filter_genes and the mitochondrial fraction) ---- */

typedef struct scuot_qc_opts {
	int64_t min_genes;       /* a cell needs at least this many detected genes [0] */
	double min_counts;       /* a cell needs at least this many counts [1] */
	double max_mito;         /* largest fraction of a cell's counts in mitochondrial genes [1: off] */
	const char *mito_prefix; /* gene-name prefix of mitochondrial genes, case-insensitive ["MT-"] */
	int64_t min_cells;       /* a gene needs to be detected in at least this many cells [1] */
} scuot_qc_opts;

/* What the filters removed. */
typedef struct scuot_qc_stats {
	int64_t cells_in, genes_in;
	int64_t low_counts, low_genes, high_mito; /* cells removed by each filter, first failing one */
	int64_t rare_genes;                       /* genes removed by min_cells */
	int64_t n_mito_genes;                     /* genes matching mito_prefix */
} scuot_qc_stats;

/* Defaults (in brackets above). */
SCUOT_EXPORT void scuot_qc_opts_init(scuot_qc_opts *o);
/* SCUOT_EUSAGE naming the option when a value is out of range. */
SCUOT_EXPORT int scuot_qc_opts_check(const scuot_qc_opts *o, scuot_err *e);
/* Compute per-cell metrics on a->X (raw counts) and per-gene detection, add obs columns
 * n_genes_by_counts, total_counts, pct_counts_mt and var column n_cells_by_counts, then remove
 * failing cells (filters: min_counts, min_genes, max_mito, all on the unfiltered cell) and then
 * genes detected in fewer than min_cells remaining cells.  Each filter logs its count.  Gene
 * names are var column gene_name when present, else the index.  SCUOT_EINPUT if every cell or
 * every gene is removed (the message names the filter and its threshold); st may be NULL. */
SCUOT_EXPORT int scuot_qc_filter(scuot_adata *a, const scuot_qc_opts *o, const char *name, scuot_qc_stats *st,
                                 scuot_err *e);

/* ---- library-size normalisation ---- */

/* In place: x_ij <- x_ij / (total_i / target_sum), then log1p when log1p != 0; arithmetic in double,
 * stored as float.  Cells with total 0 stay 0.  total (may be NULL) receives the n totals. */
SCUOT_EXPORT int scuot_norm_total(scuot_csr *X, double target_sum, int log1p, double *total, scuot_err *e);

/* ---- highly variable genes (scanpy's highly_variable_genes) ---- */

enum scuot_hvg_flavor {
	SCUOT_HVG_SEURAT = 1, /* dispersion on expm1 of log1p data, normalised within 20 mean bins */
	SCUOT_HVG_SEURAT_V3   /* variance of clipped standardised counts after a loess mean-variance fit */
};

typedef struct scuot_hvg_opts {
	int flavor;          /* [SCUOT_HVG_SEURAT] */
	int64_t n_top_genes; /* genes to select; 0 = cutoffs on mean and dispersion (seurat only) [2000] */
	double min_mean, max_mean, min_disp, max_disp; /* cutoffs [0.0125, 3, 0.5, inf] */
	int n_bins;                                    /* seurat: mean bins [20] */
	double span;                                   /* seurat_v3: loess span [0.3] */
} scuot_hvg_opts;

/* Per-gene results; arrays of n genes, those not used by the flavour are NULL. */
typedef struct scuot_hvg_result {
	int64_t n;
	uint8_t *highly_variable;
	double *means;            /* seurat: log1p of the mean of expm1(X); v3: mean count */
	double *dispersions;      /* seurat: log dispersion (NaN for constant genes) */
	double *dispersions_norm; /* seurat: normalised dispersion */
	double *variances;        /* v3: count variance (ddof 1) */
	double *variances_norm;   /* v3: variance of the clipped standardised counts (mean over batches) */
	double *rank;             /* v3: median rank over batches where in the top n (NaN otherwise) */
	int64_t *nbatches;        /* batches in which the gene was selected (with batches) */
	int64_t n_selected, n_constant;
} scuot_hvg_result;

SCUOT_EXPORT void scuot_hvg_opts_init(scuot_hvg_opts *o);
SCUOT_EXPORT int scuot_hvg_opts_check(const scuot_hvg_opts *o, scuot_err *e);
/* Select highly variable genes of X (n cells x p genes): log1p-normalised data for seurat, raw
 * counts for seurat_v3.  batch: per-cell codes in [0, nbatch) (NULL: one batch) combined as scanpy's
 * batch_key; genes: names used to break ties as scanpy does (may be NULL: gene order).  Fills r
 * (free with scuot_hvg_result_free).  SCUOT_EINPUT if every gene is constant or a batch is empty. */
SCUOT_EXPORT int scuot_hvg_select(const scuot_csr *X, const scuot_hvg_opts *o, const int32_t *batch,
                                  int nbatch, char *const *genes, scuot_hvg_result *r, scuot_err *e);
/* Free r's arrays and zero it; NULL accepted. */
SCUOT_EXPORT void scuot_hvg_result_free(scuot_hvg_result *r);

/* ---- z-scaling ---- */

/* New CSR holding every entry of (X - mean) / std per gene (std with ddof 1; a constant gene is 0),
 * clipped to [-max_value, max_value] when max_value > 0.  NULL with e filled. */
SCUOT_EXPORT scuot_csr *scuot_scale(const scuot_csr *X, double max_value, scuot_err *e);

/* ---- gene sets (.gmt, .gmx, .grp) and growth priors (Waddington-OT) ---- */

#define SCUOT_GENESET_MAX_UNKNOWN 20 /* unmatched names kept per set for messages */

typedef struct scuot_geneset {
	char *name, *desc;
	int64_t n;            /* genes found */
	int32_t *genes;       /* their var positions, increasing, no repeats */
	int64_t n_listed;     /* distinct genes found + names not found */
	int64_t n_unknown;    /* names listed that match no gene (each counted once) */
	char **unknown_names; /* the first SCUOT_GENESET_MAX_UNKNOWN of them, as listed (NULL-padded) */
} scuot_geneset;

typedef struct scuot_genesets {
	int n, m;
	scuot_geneset *sets;
} scuot_genesets;

/* Read a gene-set file in any of Waddington-OT's set formats (.gmt, .gmx, .grp, optionally
 * gzip-compressed; by extension, else by content: scuot_sets_read in io/sets.h) and match every
 * member case-insensitively against names2 (when not NULL, e.g. gene_name) then names1[0..ngenes)
 * (e.g. the var index).  Unknown genes are counted per set and the first ones kept (not an error;
 * the caller decides).  SCUOT_EINPUT with the line number for a malformed file (a gmt line with fewer
 * than 3 fields, an empty or repeated set name, a set without members).  Free out with
 * scuot_genesets_free. */
SCUOT_EXPORT int scuot_gmt_read(const char *path, char *const *names1, char *const *names2, int64_t ngenes,
                                scuot_genesets *out, scuot_err *e);
/* The unmatched names kept for s, comma-separated, with "... (N more)" when some were not kept, into
 * buf[0..len); returns how many names were written. */
SCUOT_EXPORT int scuot_genesets_unknown_list(const scuot_geneset *s, char *buf, size_t len);
/* Free every set and reset gs; NULL accepted. */
SCUOT_EXPORT void scuot_genesets_free(scuot_genesets *gs);
/* Set named name (case-insensitive), or NULL. */
SCUOT_EXPORT const scuot_geneset *scuot_genesets_find(const scuot_genesets *gs, const char *name);

/* Waddington-OT's mean z-score (wot.score_gene_sets, method 'mean_z_score'): each gene of the set is
 * z-scored over the n cells of X (std with ddof 0; a constant gene scores 0), clipped to
 * [-max_z, max_z] (WOT: 5), and score[i] is the mean over the set's genes.  score has X->nrow entries. */
SCUOT_EXPORT int scuot_geneset_score(const scuot_csr *X, const scuot_geneset *gs, double max_z, double *score,
                                     scuot_err *e);

/* Logistic maps from scores to birth and death rates (WOT notebook 2, "compute growth rates"):
 * birth = beta_min + (beta_max - beta_min) / (1 + exp(-4 (p - beta_center) / beta_width)), likewise
 * death from the apoptosis score with the delta parameters; growth = exp(birth - death) per unit time. */
typedef struct scuot_growth_opts {
	double beta_min, beta_max, beta_center, beta_width;     /* [0.3, 1.7, 0.25, 0.5] */
	double delta_min, delta_max, delta_center, delta_width; /* [0.3, 1.7, 0.1, 0.2] */
} scuot_growth_opts;

SCUOT_EXPORT void scuot_growth_opts_init(scuot_growth_opts *o);
/* SCUOT_EUSAGE unless min <= max and widths > 0. */
SCUOT_EXPORT int scuot_growth_opts_check(const scuot_growth_opts *o, scuot_err *e);
/* birth, death, growth: n entries each (any may be NULL). */
SCUOT_EXPORT void scuot_growth_rates(const scuot_growth_opts *o, const double *prolif, const double *apop,
                                     int64_t n, double *birth, double *death, double *growth);

/* ---- PCA ---- */

enum scuot_pca_solver {
	SCUOT_PCA_AUTO = 0,  /* exact when min(n, p) <= 1000 or k >= 0.8 min(n, p), else randomised */
	SCUOT_PCA_EXACT,     /* LAPACK: dgesdd on the centred matrix when small, else the eigenvectors
	                       * of the p x p covariance or n x n Gram matrix (dsyevr) */
	SCUOT_PCA_RANDOMIZED /* Halko, Martinsson & Tropp (2011), Algorithms 4.4 and 5.1 */
};

typedef struct scuot_pca_opts {
	int k;          /* components [30] */
	int solver;     /* [SCUOT_PCA_AUTO] */
	int oversample; /* randomised: extra columns of the sketch [10] */
	int n_iter;     /* randomised: power iterations; -1 = 7 if k < 0.1 min(n, p), else 4 (sklearn) [-1] */
	int center;     /* subtract the gene means (PCA); 0 = truncated SVD of X, for comparisons [1] */
	uint64_t seed;  /* randomised: seed of the Gaussian test matrix [0] */
} scuot_pca_opts;

/* A fitted PCA: project any cell x (p genes) as (x - mean) . loadings. */
typedef struct scuot_pca_model {
	int64_t p, n_fit;
	int k;
	int solver; /* the solver used: SCUOT_PCA_EXACT or SCUOT_PCA_RANDOMIZED */
	int center;
	double *mean;            /* p; zeros when not centred */
	scuot_mat *loadings;     /* p x k: column j is component j, its largest |entry| positive */
	double *singular_values; /* k, decreasing */
	double *variance;        /* k: explained variance s^2 / (n_fit - 1) */
	double *variance_ratio;  /* k: variance / total variance of the fit cells */
	double total_variance;   /* sum over genes of the variance (ddof 1) */
} scuot_pca_model;

SCUOT_EXPORT void scuot_pca_opts_init(scuot_pca_opts *o);
SCUOT_EXPORT int scuot_pca_opts_check(const scuot_pca_opts *o, scuot_err *e);
/* Fit on rows rows[0..nrows) of X (rows NULL: all rows) without densifying X (randomised path;
 * implicit centring).  SCUOT_EINPUT if k > min(fit cells, genes); SCUOT_ELIMIT if the exact solver
 * would need more than 1 GiB; SCUOT_ENUMERIC if LAPACK fails.  Free *out with scuot_pca_model_free. */
SCUOT_EXPORT int scuot_pca_fit_csr(const scuot_csr *X, const int64_t *rows, int64_t nrows,
                                   const scuot_pca_opts *o, scuot_pca_model **out, scuot_err *e);
/* As scuot_pca_fit_csr on a dense n x p matrix (all rows). */
SCUOT_EXPORT int scuot_pca_fit_dense(const scuot_mat *X, const scuot_pca_opts *o, scuot_pca_model **out,
                                     scuot_err *e);
/* Scores of every row of X: new nrow x k matrix (X - 1 mean^T) loadings, or NULL with e filled. */
SCUOT_EXPORT scuot_mat *scuot_pca_project_csr(const scuot_pca_model *m, const scuot_csr *X, scuot_err *e);
SCUOT_EXPORT scuot_mat *scuot_pca_project_dense(const scuot_pca_model *m, const scuot_mat *X, scuot_err *e);
/* Free m and its arrays; NULL accepted. */
SCUOT_EXPORT void scuot_pca_model_free(scuot_pca_model *m);
/* Largest principal angle (radians) between the spans of the first k columns of A and B
 * (p x >= k, orthonormal columns); -1 on a LAPACK failure. */
SCUOT_EXPORT double scuot_pca_subspace_angle(const scuot_mat *A, const scuot_mat *B, int k);

/* ---- the two stages on an AnnData object ---- */

#define SCUOT_MAX_MORE_GENE_SETS 15

/* scuot-normalize: what to do after reading the counts. */
typedef struct scuot_normalize_opts {
	scuot_qc_opts qc;
	scuot_hvg_opts hvg;
	double target_sum;      /* library size after normalisation [1e4] */
	int hvg_per_day;        /* select HVGs per day and combine as scanpy's batch_key [0] */
	int subset;             /* keep only the HVGs in X and layers [0: keep all, flag them] */
	int scale;              /* z-scale X per gene [0] */
	double max_value;       /* clip scaled values to +-max_value; 0 = no clipping [10] */
	const char *gene_sets;  /* gene-set file (.gmt, .gmx, .grp) for the growth prior [none] */
	/* further gene-set files (set names distinct over all files), n_more_gene_sets of them [0] */
	const char *more_gene_sets[SCUOT_MAX_MORE_GENE_SETS];
	int n_more_gene_sets;
	const char *prolif_set; /* set name of the proliferation score ["proliferation"] */
	const char *apop_set;   /* set name of the apoptosis score ["apoptosis"] */
	double max_z;           /* clip of the gene z-scores in set scores [5] */
	scuot_growth_opts growth;
} scuot_normalize_opts;

SCUOT_EXPORT void scuot_normalize_opts_init(scuot_normalize_opts *o);
SCUOT_EXPORT int scuot_normalize_opts_check(const scuot_normalize_opts *o, scuot_err *e);
/* Run QC, keep raw counts in layers/counts, normalise and log1p X, select HVGs (var columns
 * highly_variable, means, dispersions, ...), score gene sets into obs (proliferation_score,
 * apoptosis_score, birth_rate, death_rate, growth_prior), subset and scale as asked, and record the
 * parameters in uns/normalize, uns/hvg and uns/log1p.  name is the input's name for messages.
 * SCUOT_EINPUT on bad values, empty results, a day left without cells, a missing gene set. */
SCUOT_EXPORT int scuot_normalize_run(scuot_adata *a, const scuot_normalize_opts *o, const char *name,
                                     scuot_err *e);

#define SCUOT_PCA_MAX_FIT_DAYS 64

typedef struct scuot_pca_run_opts {
	scuot_pca_opts pca;
	int use_hvg;        /* use var highly_variable when present [1] */
	int allow_negative; /* accept negative values in X (centred or scaled input) [0] */
	double fit_days[SCUOT_PCA_MAX_FIT_DAYS];
	int n_fit_days; /* fit on cells of these days only (local PCA); 0 = all cells [0] */
} scuot_pca_run_opts;

SCUOT_EXPORT void scuot_pca_run_opts_init(scuot_pca_run_opts *o);
SCUOT_EXPORT int scuot_pca_run_opts_check(const scuot_pca_run_opts *o, scuot_err *e);
/* scuot-pca on a: fit on the chosen cells and genes, project every cell; writes obsm/X_pca
 * (n_obs x k), varm/PCs (n_var x k, zero rows for unused genes) and uns/pca (variance,
 * variance_ratio, singular_values, mean, params, fit_days).  SCUOT_EINPUT on NaN or negative
 * values, k too large, a fit day without cells; see scuot_pca_fit_csr for the rest. */
SCUOT_EXPORT int scuot_pca_run(scuot_adata *a, const scuot_pca_run_opts *o, const char *name, scuot_err *e);
/* The model stored by scuot_pca_run in a (uns/pca/mean, varm/PCs, uns/pca values), over all n_var
 * genes, to project other cells identically.  SCUOT_EINPUT if a holds no PCA. */
SCUOT_EXPORT int scuot_pca_model_load(const scuot_adata *a, scuot_pca_model **out, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
