/* sim_opts.c -- options of the simulator: defaults, validation, day and cell-count lists.
 * Every default lives in scuot_sim_opts_init so --help, the library and the tests agree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "sim/sim.h"
#include "sim/sim_internal.h"

void scuot_sim_opts_init(scuot_sim_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 0;
	o->threads = 0;
	o->n_days = 5;
	for (int i = 0; i < o->n_days; i++)
		o->days[i] = 2.0 * i;
	o->n_cells = 1;
	o->cells[0] = 300;
	o->n_genes = 1000;
	o->n_prolif_genes = -1;
	o->state_genes = 0.6;
	o->lineages = 2;
	o->latent_dims = 3;
	o->commit_rate = 0.4;
	o->branch_time = 5;
	o->branch_length = 4;
	o->curvature = 0.25;
	o->relax = 2;
	o->noise = 0.6;
	o->prolif_relax = 1;
	o->prolif_sd = 1;
	o->growth = 0.6;
	o->growth_contrast = 2;
	o->progenitor_growth = 0.4;
	o->death = 0.1;
	o->prolif_effect = 1;
	o->library_size = 3000;
	o->library_sdlog = 0.35;
	o->dispersion = 0.2;
	o->dropout = 0.05;
	o->state_loading = 1;
	o->prolif_loading = 1;
	o->baseline_sd = 1.2;
	o->dt = 0.01;
	o->particles = 20000;
	o->mc_paths = 100;
}

int64_t scuot_sim_cells_at(const scuot_sim_opts *o, int i)
{
	return o->n_cells == 1 ? o->cells[0] : o->cells[i];
}

int scuot_sim_prolif_genes(const scuot_sim_opts *o)
{
	if (o->n_prolif_genes >= 0)
		return o->n_prolif_genes;
	int n = (int)lround(0.05 * o->n_genes);
	return n > 0 ? n : 1;
}

double scuot_sim_lineage_growth(const scuot_sim_opts *o, int k)
{
	if (k <= 0)
		return o->progenitor_growth;
	if (o->lineages < 2)
		return o->growth;
	return o->growth * pow(o->growth_contrast, -(double)(k - 1) / (o->lineages - 1));
}

const char *scuot_sim_lineage_name(int k)
{
	static const char *const names[SCUOT_SIM_MAX_LINEAGES + 1] = {
		"progenitor", "A", "B", "C", "D", "E", "F", "G", "H"
	};
	return k >= 0 && k <= SCUOT_SIM_MAX_LINEAGES ? names[k] : "?";
}

double scuot_sim_prolif_factor(double p, double effect)
{
	return 1.0 - effect + 2.0 * effect / (1.0 + exp(-p));
}

/* Parse a comma-separated list of numbers into v (or iv when integer) [0..max); returns the count, or
 * -1 with e filled. */
static int parse_list(const char *opt, const char *list, int integer, double *v, int64_t *iv, int max,
                      scuot_err *e)
{
	int n = 0;
	const char *s = list;
	char buf[64];
	if (!list || !*list) {
		scuot_err_set(e, SCUOT_EUSAGE, "%s: empty list; give numbers separated by commas", opt);
		return -1;
	}
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (n == max) {
			scuot_err_set(e, SCUOT_EUSAGE, "%s: more than %d entries in '%s'", opt, max, list);
			return -1;
		}
		if (len == 0 || len >= sizeof buf) {
			scuot_err_set(e, SCUOT_EUSAGE, "%s: entry %d of '%s' is empty or too long", opt,
			              n + 1, list);
			return -1;
		}
		memcpy(buf, s, len);
		buf[len] = 0;
		if (integer ? scuot_parse_int64(buf, 1, INT64_C(100000000), &iv[n])
		            : scuot_parse_double(buf, &v[n])) {
			scuot_err_set(e, SCUOT_EUSAGE, "%s: '%s' is not %s", opt, buf,
			              integer ? "an integer in [1, 100000000]" : "a finite number");
			return -1;
		}
		n++;
		if (!comma)
			break;
		s = comma + 1;
	}
	return n;
}

int scuot_sim_opts_set_days(scuot_sim_opts *o, const char *list, scuot_err *e)
{
	double v[SCUOT_SIM_MAX_DAYS];
	int n = parse_list("--days", list, 0, v, NULL, SCUOT_SIM_MAX_DAYS, e);
	if (n < 0)
		return e ? e->code : SCUOT_EUSAGE;
	memcpy(o->days, v, (size_t)n * sizeof *v);
	o->n_days = n;
	return 0;
}

int scuot_sim_opts_set_cells(scuot_sim_opts *o, const char *list, scuot_err *e)
{
	int64_t v[SCUOT_SIM_MAX_DAYS];
	int n = parse_list("--cells", list, 1, NULL, v, SCUOT_SIM_MAX_DAYS, e);
	if (n < 0)
		return e ? e->code : SCUOT_EUSAGE;
	memcpy(o->cells, v, (size_t)n * sizeof *v);
	o->n_cells = n;
	return 0;
}

/* Range check of one double option; fills e and returns SCUOT_EUSAGE when v is outside. */
static int in_range(const char *opt, double v, double lo, int lo_open, double hi, scuot_err *e)
{
	if (!isfinite(v) || (lo_open ? v <= lo : v < lo) || v > hi)
		return scuot_err_set(e, SCUOT_EUSAGE, "%s: %g is outside %s%g, %g]", opt, v,
		                     lo_open ? "(" : "[", lo, hi);
	return 0;
}

int scuot_sim_opts_check(const scuot_sim_opts *o, scuot_err *e)
{
	int64_t max_cells = 0;
	if (o->n_days < 1 || o->n_days > SCUOT_SIM_MAX_DAYS)
		return scuot_err_set(e, SCUOT_EUSAGE, "--days: %d days; give 1 to %d", o->n_days,
		                     SCUOT_SIM_MAX_DAYS);
	if (o->n_cells != 1 && o->n_cells != o->n_days)
		return scuot_err_set(e, SCUOT_EUSAGE,
		                     "--cells: %d counts for %d days; give one count or one per day",
		                     o->n_cells, o->n_days);
	if (in_range("--dt", o->dt, 0, 1, 0.1, e))
		return SCUOT_EUSAGE;
	for (int i = 0; i < o->n_days; i++) {
		if (in_range("--days", o->days[i], 0, 0, 1e4, e))
			return SCUOT_EUSAGE;
		if (i > 0 && llround(o->days[i] / o->dt) <= llround(o->days[i - 1] / o->dt))
			return scuot_err_set(
			    e, SCUOT_EUSAGE,
			    "--days: day %g does not come at least one step (--dt %g) after day %g; "
			    "list the days in increasing order",
			    o->days[i], o->dt, o->days[i - 1]);
	}
	for (int i = 0; i < o->n_cells; i++) {
		if (o->cells[i] < 1 || o->cells[i] > INT64_C(100000000))
			return scuot_err_set(e, SCUOT_EUSAGE, "--cells: %lld is outside [1, 100000000]",
			                     (long long)o->cells[i]);
		if (o->cells[i] > max_cells)
			max_cells = o->cells[i];
	}
	if (o->particles < 16 || o->particles > INT64_C(1000000000))
		return scuot_err_set(e, SCUOT_EUSAGE, "--particles: %lld is outside [16, 1000000000]",
		                     (long long)o->particles);
	if (max_cells > o->particles / 4)
		return scuot_err_set(
		    e, SCUOT_EUSAGE,
		    "--cells: %lld cells in one snapshot need --particles of at least %lld (4 times as "
		    "many; the population never falls below particles/4)",
		    (long long)max_cells, (long long)max_cells * 4);
	if (o->n_genes < 1 || o->n_genes > 1000000)
		return scuot_err_set(e, SCUOT_EUSAGE, "--genes: %d is outside [1, 1000000]", o->n_genes);
	if (o->n_prolif_genes < -1 || o->n_prolif_genes > o->n_genes)
		return scuot_err_set(e, SCUOT_EUSAGE,
		                     "--prolif-genes: %d is outside [0, --genes = %d] (-1: 5%% of the genes)",
		                     o->n_prolif_genes, o->n_genes);
	if (o->lineages < 2 || o->lineages > SCUOT_SIM_MAX_LINEAGES)
		return scuot_err_set(e, SCUOT_EUSAGE, "--lineages: %d is outside [2, %d]", o->lineages,
		                     SCUOT_SIM_MAX_LINEAGES);
	if (o->latent_dims < 2 || o->latent_dims > SCUOT_SIM_MAX_DIMS)
		return scuot_err_set(e, SCUOT_EUSAGE, "--latent-dims: %d is outside [2, %d]", o->latent_dims,
		                     SCUOT_SIM_MAX_DIMS);
	if (o->mc_paths < 1 || o->mc_paths > 1000000)
		return scuot_err_set(e, SCUOT_EUSAGE, "--mc-paths: %d is outside [1, 1000000]", o->mc_paths);
	if (in_range("--state-genes", o->state_genes, 0, 0, 1, e) ||
	    in_range("--commit-rate", o->commit_rate, 0, 0, 1e3, e) ||
	    in_range("--branch-time", o->branch_time, 0, 1, 1e4, e) ||
	    in_range("--branch-length", o->branch_length, 0, 0, 1e3, e) ||
	    in_range("--curvature", o->curvature, -10, 0, 10, e) ||
	    in_range("--relax", o->relax, 0, 0, 1e3, e) || in_range("--noise", o->noise, 0, 0, 1e3, e) ||
	    in_range("--prolif-relax", o->prolif_relax, 0, 0, 1e3, e) ||
	    in_range("--prolif-sd", o->prolif_sd, 0, 0, 1e3, e) ||
	    in_range("--growth", o->growth, 0, 0, 100, e) ||
	    in_range("--growth-contrast", o->growth_contrast, 1, 0, 1e6, e) ||
	    in_range("--progenitor-growth", o->progenitor_growth, -100, 0, 100, e) ||
	    in_range("--death", o->death, 0, 0, 100, e) ||
	    in_range("--prolif-effect", o->prolif_effect, 0, 0, 1, e) ||
	    in_range("--library-size", o->library_size, 0, 1, 1e8, e) ||
	    in_range("--library-sdlog", o->library_sdlog, 0, 0, 5, e) ||
	    in_range("--dispersion", o->dispersion, 0, 0, 1e3, e) ||
	    in_range("--dropout", o->dropout, 0, 0, 1, e) ||
	    in_range("--state-loading", o->state_loading, 0, 0, 100, e) ||
	    in_range("--prolif-loading", o->prolif_loading, 0, 0, 100, e) ||
	    in_range("--baseline-sd", o->baseline_sd, 0, 0, 10, e))
		return SCUOT_EUSAGE;
	if (o->progenitor_growth + o->death < 0)
		return scuot_err_set(
		    e, SCUOT_EUSAGE,
		    "--progenitor-growth: %g is below -(--death) = %g, which would need a negative "
		    "birth rate; raise it or raise --death",
		    o->progenitor_growth, -o->death);
	/* Per-step event probabilities must stay small: b dt + d dt <= 0.5 at the largest birth rate. */
	double bmax = 0;
	for (int k = 0; k <= o->lineages; k++) {
		double b = (scuot_sim_lineage_growth(o, k) + o->death) * (1 + o->prolif_effect);
		if (b > bmax)
			bmax = b;
	}
	if ((bmax + o->death) * o->dt > 0.5)
		return scuot_err_set(
		    e, SCUOT_EUSAGE,
		    "--dt: %g is too large for birth rates up to %g and death %g per day (the per-step "
		    "event probability would exceed 0.5); use --dt %g or less",
		    o->dt, bmax, o->death, 0.5 / (bmax + o->death));
	if (o->days[o->n_days - 1] / o->dt > 1e8)
		return scuot_err_set(e, SCUOT_EUSAGE, "--days: %g days in steps of %g is more than 1e8 steps",
		                     o->days[o->n_days - 1], o->dt);
	return 0;
}
