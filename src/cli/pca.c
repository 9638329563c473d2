/* pca.c -- scuot-pca: principal components of the normalised matrix, global or fitted on chosen days
 * (Waddington-OT's local PCA) with every cell projected.  Thin executable over src/lib/prep. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/log.h"
#include "io/h5ad.h"
#include "prep/prep.h"

typedef struct pca_args {
	scuot_pca_run_opts o;
	const char *input, *output;
} pca_args;

static const char *solver_name(int s)
{
	return s == SCUOT_PCA_EXACT ? "exact" : s == SCUOT_PCA_RANDOMIZED ? "randomized" : "auto";
}

static void usage(FILE *fp, const scuot_cli *c, const pca_args *a)
{
	const scuot_pca_run_opts *o = &a->o;
	fprintf(fp,
	        "Usage: scuot-pca [options] norm.h5ad -o pca.h5ad\n\n"
	        "Principal components of X (log1p-normalised, as scuot-normalize writes it) over the\n"
	        "highly variable genes: obsm/X_pca (cells x k), varm/PCs (genes x k) and uns/pca (variance,\n"
	        "variance_ratio, singular_values, mean) so later stages project other cells the same way.\n\n"
	        "Components:\n"
	        "  -k, --n-comps N       number of components [%d]\n"
	        "  --svd-solver S        auto, exact (LAPACK) or randomized (Halko et al. 2011); auto is\n"
	        "                        exact when min(cells, genes) <= 1000 or k >= 0.8 min(cells, genes)\n"
	        "                        [%s]\n"
	        "  --oversample N        randomized: extra sketch columns [%d]\n"
	        "  --power-iter N        randomized: power iterations [auto: 7 if k < 0.1 min(cells,\n"
	        "                        genes), else 4]\n\n"
	        "Cells and genes:\n"
	        "  --fit-days LIST       fit on the cells of these days only, e.g. 2,4 (local PCA per pair\n"
	        "                        of days, as Waddington-OT); every cell is projected [all cells]\n"
	        "  --all-genes           use every gene, not only var/highly_variable [%s]\n"
	        "  --allow-negative      accept negative values in X (centred or scaled input) [%s]\n\n"
	        "Output:\n"
	        "  -o, --output FILE     the AnnData file to write [required]\n",
	        o->pca.k, solver_name(o->pca.solver), o->pca.oversample, o->use_hvg ? "off" : "on",
	        o->allow_negative ? "on" : "off");
	scuot_cli_global_help(fp, c);
	fprintf(fp, "\nExamples:\n  scuot-pca norm.h5ad -k 30 -o pca.h5ad\n"
	            "  scuot-pca norm.h5ad --fit-days 2,4 -o pca_2_4.h5ad\n");
}

/* Returns 0 to run, 1 to exit 0 (help/version), 2 on a usage error. */
static int parse_args(int argc, char **argv, scuot_cli *c, pca_args *a)
{
	enum { OPT_SOLVER = 1, OPT_OVERSAMPLE, OPT_POWER, OPT_FIT_DAYS, OPT_ALL_GENES, OPT_ALLOW_NEG };
	static const struct option lopts[] = {
		{ "n-comps", required_argument, NULL, 'k' },
		{ "svd-solver", required_argument, NULL, OPT_SOLVER },
		{ "oversample", required_argument, NULL, OPT_OVERSAMPLE },
		{ "power-iter", required_argument, NULL, OPT_POWER },
		{ "fit-days", required_argument, NULL, OPT_FIT_DAYS },
		{ "all-genes", no_argument, NULL, OPT_ALL_GENES },
		{ "allow-negative", no_argument, NULL, OPT_ALLOW_NEG },
		{ "output", required_argument, NULL, 'o' },
		SCUOT_CLI_GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	scuot_pca_run_opts *o = &a->o;
	int opt, r;
	int64_t v;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":k:o:hvqV", lopts, NULL)) != -1) {
		if ((r = scuot_cli_global_opt(c, opt, optarg)) != 0) {
			if (r < 0)
				return 2;
			continue;
		}
		switch (opt) {
		case 'h': usage(stdout, c, a); return 1;
		case 'V': scuot_cli_version(stdout); return 1;
		case 'k':
			if (scuot_cli_int(c, "--n-comps", optarg, 1, 100000, &v))
				return 2;
			o->pca.k = (int)v;
			break;
		case OPT_SOLVER:
			if (!strcmp(optarg, "auto"))
				o->pca.solver = SCUOT_PCA_AUTO;
			else if (!strcmp(optarg, "exact") || !strcmp(optarg, "full"))
				o->pca.solver = SCUOT_PCA_EXACT;
			else if (!strcmp(optarg, "randomized") || !strcmp(optarg, "randomised"))
				o->pca.solver = SCUOT_PCA_RANDOMIZED;
			else
				return scuot_cli_usage_error(
				        c, "--svd-solver: '%s' is not auto, exact or randomized", optarg);
			break;
		case OPT_OVERSAMPLE:
			if (scuot_cli_int(c, "--oversample", optarg, 0, 10000, &v))
				return 2;
			o->pca.oversample = (int)v;
			break;
		case OPT_POWER:
			if (scuot_cli_int(c, "--power-iter", optarg, 0, 1000, &v))
				return 2;
			o->pca.n_iter = (int)v;
			break;
		case OPT_FIT_DAYS: {
			char *list = strdup(optarg), *save = NULL;
			o->n_fit_days = 0;
			for (char *t = list ? strtok_r(list, ",", &save) : NULL; t;
			     t = strtok_r(NULL, ",", &save)) {
				if (o->n_fit_days == SCUOT_PCA_MAX_FIT_DAYS ||
				    scuot_cli_double(c, "--fit-days", t, &o->fit_days[o->n_fit_days]) < 0) {
					free(list);
					return 2;
				}
				o->n_fit_days++;
			}
			free(list);
			if (!o->n_fit_days)
				return scuot_cli_usage_error(c, "--fit-days: empty list");
			break;
		}
		case OPT_ALL_GENES: o->use_hvg = 0; break;
		case OPT_ALLOW_NEG: o->allow_negative = 1; break;
		case 'o': a->output = optarg; break;
		case ':': return scuot_cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		default: return scuot_cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return scuot_cli_usage_error(c, "no input file given");
	if (argc - optind > 1)
		return scuot_cli_usage_error(c, "one input file expected, got %d", argc - optind);
	if (!a->output)
		return scuot_cli_usage_error(c, "no output file given (-o pca.h5ad)");
	a->input = argv[optind];
	o->pca.seed = c->seed;
	scuot_err e = { 0 };
	if (scuot_pca_run_opts_check(o, &e))
		return scuot_cli_usage_error(c, "%s", e.msg);
	return 0;
}

static int run(const scuot_cli *c, const pca_args *pa, scuot_err *e)
{
	scuot_adata *a = NULL;
	int ret;
	if ((ret = scuot_h5ad_read(pa->input, SCUOT_H5AD_ALL, &a, e)))
		goto done;
	scuot_log_info("%s: %lld cells x %lld genes", pa->input, (long long)a->n_obs, (long long)a->n_var);
	if ((ret = scuot_pca_run(a, &pa->o, pa->input, e)) || (ret = scuot_cli_record(c, a, e)) ||
	    (ret = scuot_h5ad_write(pa->output, a, e)))
		goto done;
	scuot_log_info("wrote %s", pa->output);
done:
	scuot_adata_free(a);
	return ret;
}

int main(int argc, char **argv)
{
	scuot_cli c;
	pca_args a;
	scuot_err e = { 0 };
	scuot_cli_init(&c, "pca", argc, argv);
	memset(&a, 0, sizeof a);
	scuot_pca_run_opts_init(&a.o);
	int r = parse_args(argc, argv, &c, &a);
	if (r)
		return r == 1 ? 0 : 2;
	scuot_cli_apply(&c);
	if (run(&c, &a, &e))
		return scuot_cli_fail(&c, &e);
	scuot_cli_finish(&c);
	return 0;
}
