/* sim.h -- synthetic branching time courses with known growth, for tests, the demo and benchmarks.
 * A latent branching SDE with birth and death, destructive snapshots, negative-binomial counts.
 *
 * The model (no paper: it is scuot's own test bed; data/FORMATS.md "scuot-simulate outputs" too):
 *
 * 1. State of a cell: latent position x in R^d (d = latent_dims), lineage k (0 = progenitor,
 *    1..L = lineages "A", "B", ...), branch progress tau in [0, 1], proliferation program p in R.
 * 2. Day 0: particles/2 progenitors, x ~ N(0, s^2 I) with s = noise / sqrt(2 relax), p ~ N(0, prolif_sd^2).
 * 3. Dynamics, Euler-Maruyama with step dt (days):
 *      progenitor:  dx = -relax * x dt + noise dW;
 *                   commits at rate commit_rate to a lineage k drawn uniformly from 1..L (tau = 0);
 *      lineage k:   dtau = dt / branch_time (capped at 1),
 *                   dx = -relax * (x - m_k(tau)) dt + noise dW, with the branch curve
 *                   m_k(tau) = R tau u_k + curvature R sin(pi tau) v_k (first two dimensions; u_k at
 *                   angle theta_k = (k - 1 - (L - 1) / 2) * min(2 pi / 3, 2 pi / L), v_k = u_k turned by
 *                   90 degrees, R = branch_length) and m_kj(tau) = tau c_kj in dimensions j >= 3
 *                   (c_kj ~ N(0, (R / 2)^2), drawn once from the seed);
 *      every cell:  dp = -prolif_relax * p dt + prolif_sd sqrt(2 prolif_relax) dW.
 * 4. Birth and death (per day): d = death; b = (r_k + death) (1 - e + 2 e logistic(p)), e = prolif_effect;
 *    g = b - d.  Lineage rates r_k = growth * growth_contrast^(-(k - 1) / (L - 1)) (A fastest, the
 *    last lineage growth_contrast times slower), r_0 = progenitor_growth.  As E[2 logistic(p)] = 1 for
 *    p ~ N(0, s^2), a lineage grows at r_k on average over the program; cells with high p grow faster.
 *    Each step, after the move, a cell divides (the daughter copies its state) with probability b dt
 *    and dies with probability d dt, so the expected number of cells a cell leaves after one step is
 *    exactly 1 + g dt.  Particles carry a common mass (cells per particle): above `particles` the
 *    population is thinned uniformly to particles/2 and the mass scaled up; below particles/4 every
 *    particle is duplicated and the mass halved.  Mass is counted in day-0 cells.
 * 5. Snapshot at day t: cells[t] particles drawn uniformly without replacement (all carry equal mass);
 *    they are not removed (the population continues), nor followed.
 * 6. Truth per sampled cell: latent state, g, b, d, and the expected number of descendants at the next
 *    snapshot day, E[prod_s (1 + g(X_s) dt)] over mc_paths independent continuations X of the cell
 *    under the same SDE and commitment (the many-to-one formula of branching processes: the expected
 *    count of descendants equals the expectation of the growth weight along one path).  NaN on the
 *    last day.
 * 7. Expression of gene j in cell i: eta_ij = baseline_j + w_j x_i[a_j] + lambda_j p_i, where a "state"
 *    gene reads one latent axis a_j with weight w_j = +-U(0.2, 0.6) * state_loading, a "proliferation"
 *    gene reads p with lambda_j = U(0.5, 1) * prolif_loading (baseline raised by 1), a "housekeeping"
 *    gene reads nothing; baseline_j ~ N(0, baseline_sd^2).  Mean mu_ij = L_i softmax_j(eta_i), library
 *    size L_i = library_size * exp(library_sdlog * N(0, 1)) (median library_size).  Counts are
 *    negative binomial by gamma-Poisson: lambda ~ Gamma(shape 1/phi, scale mu phi), y ~ Poisson(lambda),
 *    so E y = mu and Var y = mu + phi mu^2 (phi = dispersion; 0 gives Poisson); then a zero is forced
 *    with probability dropout / (1 + mu) (zero inflation that fades with the mean).
 * 8. Random streams come from scuot_rng_new(seed, id) with ids per (step, block of particles), per
 *    sampled cell and per purpose, never per thread: the result is the same for every thread count. */
#ifndef SCUOT_SIM_SIM_H
#define SCUOT_SIM_SIM_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"
#include "io/adata.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SCUOT_SIM_MAX_DAYS 64
#define SCUOT_SIM_MAX_DIMS 10
#define SCUOT_SIM_MAX_LINEAGES 8

/* Options of scuot_sim_run; scuot_sim_opts_init gives every default (in brackets). Rates are per day. */
typedef struct scuot_sim_opts {
	uint64_t seed; /* random seed [0] */
	int threads;   /* OpenMP threads, 0: scuot_threads_get() [0]; never changes the result */
	/* sampling */
	int n_days;                        /* number of snapshot days [5] */
	double days[SCUOT_SIM_MAX_DAYS];   /* snapshot days, strictly increasing, >= 0 [0,2,4,6,8] */
	int n_cells;                       /* entries in cells: 1 (every day) or n_days [1] */
	int64_t cells[SCUOT_SIM_MAX_DAYS]; /* cells drawn per snapshot [300] */
	int n_genes;                       /* genes [1000] */
	int n_prolif_genes;                /* proliferation-program genes, -1: 5% of n_genes, >= 1 [-1] */
	double state_genes;                /* fraction of the other genes that read the latent state [0.6] */
	/* lineages and latent dynamics */
	int lineages;         /* lineages L after the progenitor state [2] */
	int latent_dims;      /* latent dimensions d [3] */
	double commit_rate;   /* progenitor commitment rate [0.4] */
	double branch_time;   /* days to run a branch from tau = 0 to 1 [5] */
	double branch_length; /* R, latent distance from progenitor to branch end [4] */
	double curvature;     /* bend of the branches, relative to R [0.25] */
	double relax;         /* pull towards the branch curve [2] */
	double noise;         /* latent diffusion coefficient [0.6] */
	double prolif_relax;  /* mean reversion of the proliferation program [1] */
	double prolif_sd;     /* stationary standard deviation of the program [1] */
	/* growth */
	double growth;            /* net growth rate of lineage A, the fastest [0.6] */
	double growth_contrast;   /* lineage A rate / rate of the slowest lineage [2] */
	double progenitor_growth; /* net growth rate of progenitors [0.4] */
	double death;             /* death rate of every cell [0.1] */
	double prolif_effect;     /* 0: birth ignores the program, 1: fully modulated [1] */
	/* expression */
	double library_size;   /* median UMIs per cell [3000] */
	double library_sdlog;  /* sd of log library size [0.35] */
	double dispersion;     /* negative-binomial phi, Var = mu + phi mu^2 [0.2] */
	double dropout;        /* zero-inflation probability at mean 0, dropout / (1 + mu) [0.05] */
	double state_loading;  /* scale of the latent-state loadings [1] */
	double prolif_loading; /* scale of the proliferation loadings [1] */
	double baseline_sd;    /* sd of the log baseline expression [1.2] */
	/* numerics */
	double dt;         /* Euler-Maruyama step in days [0.01] */
	int64_t particles; /* particle cap; the population stays in [particles/4, particles] [20000] */
	int mc_paths;      /* K, continuations per sampled cell for expected descendants [100] */
} scuot_sim_opts;

/* Fill o with every default. */
SCUOT_EXPORT void scuot_sim_opts_init(scuot_sim_opts *o);
/* Validate o: SCUOT_EUSAGE with a message naming the option (as its --long-name) and the allowed
 * range, 0 if every value is usable. */
SCUOT_EXPORT int scuot_sim_opts_check(const scuot_sim_opts *o, scuot_err *e);
/* Parse a comma-separated list of days ("0,2,4.5") into o->days / o->n_days.  SCUOT_EUSAGE on a bad
 * number, more than SCUOT_SIM_MAX_DAYS entries or an empty list (order is checked by opts_check). */
SCUOT_EXPORT int scuot_sim_opts_set_days(scuot_sim_opts *o, const char *list, scuot_err *e);
/* Parse "N" (every day) or a comma-separated per-day list into o->cells / o->n_cells.  SCUOT_EUSAGE. */
SCUOT_EXPORT int scuot_sim_opts_set_cells(scuot_sim_opts *o, const char *list, scuot_err *e);
/* Cells drawn at snapshot i (0-based) under o. */
SCUOT_EXPORT int64_t scuot_sim_cells_at(const scuot_sim_opts *o, int i);
/* Proliferation-program genes under o: n_prolif_genes, or 5% of n_genes (at least 1) when it is -1. */
SCUOT_EXPORT int scuot_sim_prolif_genes(const scuot_sim_opts *o);
/* Configured net growth rate r_k of lineage k (0 = progenitor, 1..L) at average program, per day. */
SCUOT_EXPORT double scuot_sim_lineage_growth(const scuot_sim_opts *o, int k);
/* Name of lineage k: "progenitor", "A", "B", ... (static string). */
SCUOT_EXPORT const char *scuot_sim_lineage_name(int k);

/* Run the simulation.  On success *out is a new object (free with scuot_adata_free):
 *   X: raw counts, cells x genes CSR (cells ordered by day, ids "d<day>_c<n>");
 *   obs: day (float), lineage (categorical progenitor/A/B/...), branch_progress, prolif_program,
 *        growth_rate, birth_rate, death_rate, expected_descendants (NaN on the last day),
 *        library_size (the drawn L_i), all float;
 *   obsm: X_latent (cells x latent_dims);
 *   var: index "g0001"..., gene_name, program (categorical proliferation/latent1.../housekeeping),
 *        is_proliferation_gene (bool), baseline, prolif_loading (float); varm: latent_loadings (genes x d);
 *   uns/sim: every option, the model summary, days, lineage_names, lineage_growth (r_0..r_L),
 *        population_mass (days x (L + 1), cells per lineage at each snapshot, in day-0 cells).
 * Errors: SCUOT_EUSAGE (opts_check failed), SCUOT_ENOMEM, SCUOT_ELIMIT, SCUOT_ENUMERIC (the population
 * died out).  Logs progress at info level. */
SCUOT_EXPORT int scuot_sim_run(const scuot_sim_opts *o, scuot_adata **out, scuot_err *e) SCUOT_RESULT_USED;

/* Write the truth tables of a result of scuot_sim_run into the existing directory dir, each atomically:
 * cell_days.tsv (id, day), truth.tsv (per cell: id, day, lineage, branch_progress, prolif_program,
 * latent_1..latent_d, growth_rate, birth_rate, death_rate, expected_descendants, library_size) and
 * genes_truth.tsv (id, gene_name, program, is_proliferation, baseline, prolif_loading,
 * loading_1..loading_d).  SCUOT_EIO on write failure, SCUOT_EINPUT if a is not a simulator result. */
SCUOT_EXPORT int scuot_sim_write_tables(const scuot_adata *a, const char *dir,
                                        scuot_err *e) SCUOT_RESULT_USED;

#ifdef __cplusplus
}
#endif
#endif
