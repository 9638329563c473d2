/* simulate.c -- scuot-simulate: write a synthetic branching time course with known growth.
 * Usage, option parsing into scuot_sim_opts, and the outputs; the model is in src/lib/sim/sim.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "core/log.h"
#include "io/h5ad.h"
#include "io/mtx.h"
#include "sim/sim.h"

/* Numeric options stored straight into scuot_sim_opts: type 'd' double, 'i' int, 'I' int64_t. */
enum { OPT_NUM = 0x2000 };
static const struct numopt {
	const char *name;
	size_t off;
	char type;
} numopts[] = {
	{ "genes", offsetof(scuot_sim_opts, n_genes), 'i' },
	{ "prolif-genes", offsetof(scuot_sim_opts, n_prolif_genes), 'i' },
	{ "state-genes", offsetof(scuot_sim_opts, state_genes), 'd' },
	{ "lineages", offsetof(scuot_sim_opts, lineages), 'i' },
	{ "latent-dims", offsetof(scuot_sim_opts, latent_dims), 'i' },
	{ "commit-rate", offsetof(scuot_sim_opts, commit_rate), 'd' },
	{ "branch-time", offsetof(scuot_sim_opts, branch_time), 'd' },
	{ "branch-length", offsetof(scuot_sim_opts, branch_length), 'd' },
	{ "curvature", offsetof(scuot_sim_opts, curvature), 'd' },
	{ "relax", offsetof(scuot_sim_opts, relax), 'd' },
	{ "noise", offsetof(scuot_sim_opts, noise), 'd' },
	{ "prolif-relax", offsetof(scuot_sim_opts, prolif_relax), 'd' },
	{ "prolif-sd", offsetof(scuot_sim_opts, prolif_sd), 'd' },
	{ "growth", offsetof(scuot_sim_opts, growth), 'd' },
	{ "growth-contrast", offsetof(scuot_sim_opts, growth_contrast), 'd' },
	{ "progenitor-growth", offsetof(scuot_sim_opts, progenitor_growth), 'd' },
	{ "death", offsetof(scuot_sim_opts, death), 'd' },
	{ "prolif-effect", offsetof(scuot_sim_opts, prolif_effect), 'd' },
	{ "library-size", offsetof(scuot_sim_opts, library_size), 'd' },
	{ "library-sdlog", offsetof(scuot_sim_opts, library_sdlog), 'd' },
	{ "dispersion", offsetof(scuot_sim_opts, dispersion), 'd' },
	{ "dropout", offsetof(scuot_sim_opts, dropout), 'd' },
	{ "state-loading", offsetof(scuot_sim_opts, state_loading), 'd' },
	{ "prolif-loading", offsetof(scuot_sim_opts, prolif_loading), 'd' },
	{ "baseline-sd", offsetof(scuot_sim_opts, baseline_sd), 'd' },
	{ "dt", offsetof(scuot_sim_opts, dt), 'd' },
	{ "particles", offsetof(scuot_sim_opts, particles), 'I' },
	{ "mc-paths", offsetof(scuot_sim_opts, mc_paths), 'i' },
};
#define N_NUMOPTS ((int)(sizeof numopts / sizeof numopts[0]))

/* Comma-separated text of n numbers (integers when iv is set) into buf. */
static const char *list_text(char *buf, size_t len, const double *v, const int64_t *iv, int n)
{
	size_t used = 0;
	buf[0] = 0;
	for (int i = 0; i < n && used + 32 < len; i++) {
		const char *sep = i ? "," : "";
		if (iv)
			used += (size_t)snprintf(buf + used, len - used, "%s%lld", sep, (long long)iv[i]);
		else
			used += (size_t)snprintf(buf + used, len - used, "%s%g", sep, v[i]);
	}
	return buf;
}

static void usage(FILE *fp, const scuot_cli *c, const scuot_sim_opts *o)
{
	char days[1024], cells[1024], nprol[32];
	if (o->n_prolif_genes < 0)
		snprintf(nprol, sizeof nprol, "-1: %d", scuot_sim_prolif_genes(o));
	else
		snprintf(nprol, sizeof nprol, "%d", o->n_prolif_genes);
	list_text(days, sizeof days, o->days, NULL, o->n_days);
	list_text(cells, sizeof cells, NULL, o->cells, o->n_cells);
	fprintf(fp, "Usage: scuot-simulate [options] -o DIR\n\n"
	            "Simulate a branching developmental time course with known growth: a progenitor\n"
	            "state splits into lineages that grow at different rates, modulated by a proliferation\n"
	            "program expressed by its own genes.  Writes DIR/counts.h5ad, DIR/counts/ (10x v3),\n"
	            "DIR/cell_days.tsv and the truth: DIR/truth.tsv (per cell) and DIR/genes_truth.tsv\n"
	            "(per gene).\n"
	            "The model is described in data/FORMATS.md, section scuot-simulate outputs.\n\n");
	fprintf(fp, "Output:\n"
	            "  -o, --output DIR           output directory, created if missing (required)\n");
	fprintf(fp, "\nSnapshots and genes:\n"
	            "  -d, --days LIST            snapshot days, increasing, fractions allowed [%s]\n"
	            "  -n, --cells N|LIST         cells drawn per day: one count, or one per day [%s]\n"
	            "  -g, --genes N              genes [%d]\n"
	            "      --prolif-genes N       proliferation genes, -1: 5%% of --genes [%s]\n"
	            "      --state-genes F        share of the other genes reading the latent state [%g]\n",
	        days, cells, o->n_genes, nprol, o->state_genes);
	fprintf(fp, "\nLineages and latent dynamics (rates per day):\n"
	            "  -l, --lineages N           lineages after the progenitor state, 2 to %d [%d]\n"
	            "      --latent-dims N        latent dimensions, 2 to %d [%d]\n"
	            "      --commit-rate R        rate at which progenitors commit to a lineage [%g]\n"
	            "      --branch-time T        days from the progenitor to the end of a branch [%g]\n"
	            "      --branch-length L      latent length of a branch [%g]\n"
	            "      --curvature C          bend of the branches relative to their length [%g]\n",
	        SCUOT_SIM_MAX_LINEAGES, o->lineages, SCUOT_SIM_MAX_DIMS, o->latent_dims, o->commit_rate,
	        o->branch_time, o->branch_length, o->curvature);
	fprintf(fp, "      --relax K              pull of a cell towards its branch [%g]\n"
	            "      --noise S              latent diffusion [%g]\n"
	            "      --prolif-relax K       mean reversion of the proliferation program [%g]\n"
	            "      --prolif-sd S          spread of the proliferation program [%g]\n",
	        o->relax, o->noise, o->prolif_relax, o->prolif_sd);
	fprintf(fp, "\nGrowth (per day; net growth = birth - death):\n"
	            "      --growth R             net growth of lineage A, the fastest [%g]\n"
	            "      --growth-contrast C    lineage A grows C times as fast as the slowest [%g]\n"
	            "      --progenitor-growth R  net growth of progenitors [%g]\n"
	            "      --death R              death rate of every cell [%g]\n"
	            "      --prolif-effect E      0: birth ignores the program; 1: fully modulated [%g]\n",
	        o->growth, o->growth_contrast, o->progenitor_growth, o->death, o->prolif_effect);
	fprintf(fp, "\nExpression:\n"
	            "      --library-size N       median UMIs per cell [%g]\n"
	            "      --library-sdlog S      sd of the log library size [%g]\n"
	            "      --dispersion PHI       negative-binomial dispersion: Var = mu + PHI mu^2 [%g]\n"
	            "      --dropout P            extra zeros with probability P / (1 + mu) [%g]\n",
	        o->library_size, o->library_sdlog, o->dispersion, o->dropout);
	fprintf(fp, "      --state-loading W      scale of the latent-state gene loadings [%g]\n"
	            "      --prolif-loading W     scale of the proliferation gene loadings [%g]\n"
	            "      --baseline-sd S        sd of the log baseline expression of genes [%g]\n",
	        o->state_loading, o->prolif_loading, o->baseline_sd);
	fprintf(fp, "\nNumerics:\n"
	            "      --dt DT                Euler-Maruyama step in days [%g]\n"
	            "      --particles N          particle cap; the population is kept in [N/4, N] [%lld]\n"
	            "      --mc-paths K           continuations per cell for expected descendants [%d]\n",
	        o->dt, (long long)o->particles, o->mc_paths);
	scuot_cli_global_help(fp, c);
	fprintf(fp, "\nExample:\n"
	            "  scuot-simulate --seed 1 --days 0,2,4,6,8 --cells 300 --genes 1000 -o sim\n");
}

/* Parse argv into c and o.  Returns 0 to run, 1 when --help or --version was printed (exit 0),
 * 2 after a usage error was printed. */
static int parse_args(int argc, char **argv, scuot_cli *c, scuot_sim_opts *o, const char **outdir)
{
	static const struct option base[] = {
		{ "output", required_argument, NULL, 'o' },   { "days", required_argument, NULL, 'd' },
		{ "cells", required_argument, NULL, 'n' },    { "genes", required_argument, NULL, 'g' },
		{ "lineages", required_argument, NULL, 'l' }, SCUOT_CLI_GLOBAL_LONGOPTS
	};
	enum { NBASE = sizeof base / sizeof base[0] };
	struct option lo[NBASE + N_NUMOPTS + 1];
	scuot_err e = { 0 };
	int opt, n = 0, opt_g = 0, opt_l = 0;
	memcpy(lo, base, sizeof base);
	n = NBASE;
	for (int i = 0; i < N_NUMOPTS; i++)
		if (strcmp(numopts[i].name, "genes") && strcmp(numopts[i].name, "lineages"))
			lo[n++] = (struct option){ numopts[i].name, required_argument, NULL, OPT_NUM + i };
	/* -g and -l are --genes and --lineages */
	for (int i = 0; i < N_NUMOPTS; i++)
		if (!strcmp(numopts[i].name, "genes"))
			opt_g = OPT_NUM + i;
		else if (!strcmp(numopts[i].name, "lineages"))
			opt_l = OPT_NUM + i;
	memset(&lo[n], 0, sizeof lo[n]);
	*outdir = NULL;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:d:n:g:l:hvqV", lo, NULL)) != -1) {
		int g = scuot_cli_global_opt(c, opt, optarg);
		if (g < 0)
			return 2;
		if (g > 0)
			continue;
		if (opt == 'g' || opt == 'l')
			opt = opt == 'g' ? opt_g : opt_l;
		if (opt >= OPT_NUM && opt < OPT_NUM + N_NUMOPTS) {
			const struct numopt *no = &numopts[opt - OPT_NUM];
			char name[64];
			int64_t v;
			void *dst = (char *)o + no->off;
			snprintf(name, sizeof name, "--%s", no->name);
			if (no->type == 'd') {
				if (scuot_cli_double(c, name, optarg, (double *)dst))
					return 2;
			} else {
				if (scuot_cli_int(c, name, optarg, INT_MIN,
				                  no->type == 'i' ? INT_MAX : INT64_MAX, &v))
					return 2;
				if (no->type == 'i')
					*(int *)dst = (int)v;
				else
					*(int64_t *)dst = v;
			}
			continue;
		}
		switch (opt) {
		case 'o': *outdir = optarg; break;
		case 'd':
			if (scuot_sim_opts_set_days(o, optarg, &e))
				return scuot_cli_usage_error(c, "%s", e.msg);
			break;
		case 'n':
			if (scuot_sim_opts_set_cells(o, optarg, &e))
				return scuot_cli_usage_error(c, "%s", e.msg);
			break;
		case 'h':
			o->seed = c->seed;
			usage(stdout, c, o);
			return 1;
		case 'V': scuot_cli_version(stdout); return 1;
		case ':': return scuot_cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt > 0 && optopt < 0x100)
				return scuot_cli_usage_error(c, "unknown option '-%c'", optopt);
			return scuot_cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return scuot_cli_usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (!*outdir)
		return scuot_cli_usage_error(c, "no output directory; give -o DIR");
	return 0;
}

/* dir/name into buf; SCUOT_EUSAGE if it does not fit. */
static int join(char *buf, size_t len, const char *dir, const char *name, scuot_err *e)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		return scuot_err_set(e, SCUOT_EUSAGE, "%s: output path too long", dir);
	return 0;
}

int main(int argc, char **argv)
{
	scuot_cli c;
	scuot_sim_opts o;
	scuot_err e = { 0 };
	scuot_adata *a = NULL;
	const char *dir;
	char path[PATH_MAX];
	int ret;

	scuot_cli_init(&c, "simulate", argc, argv);
	scuot_sim_opts_init(&o);
	if ((ret = parse_args(argc, argv, &c, &o, &dir)))
		return ret == 1 ? 0 : 2; /* no run, so no closing summary line */
	scuot_cli_apply(&c);
	o.seed = c.seed;
	o.threads = c.threads;
	if (scuot_sim_opts_check(&o, &e))
		goto fail;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		scuot_err_sys(&e, SCUOT_EIO, "%s: cannot create the output directory", dir);
		goto fail;
	}
	if (scuot_sim_run(&o, &a, &e) || scuot_cli_record(&c, a, &e))
		goto fail;
	if (join(path, sizeof path, dir, "counts.h5ad", &e) || scuot_h5ad_write(path, a, &e))
		goto fail;
	if (join(path, sizeof path, dir, "counts", &e) || scuot_mtx_write_dir(path, a, 1, &e))
		goto fail;
	if (scuot_sim_write_tables(a, dir, &e))
		goto fail;
	scuot_log_info(
	    "wrote %lld cells x %lld genes to %s/: counts.h5ad, counts/, cell_days.tsv, truth.tsv, "
	    "genes_truth.tsv",
	    (long long)a->n_obs, (long long)a->n_var, dir);
	scuot_adata_free(a);
	scuot_cli_finish(&c);
	return 0;
fail:
	scuot_adata_free(a);
	return scuot_cli_fail(&c, &e);
}
