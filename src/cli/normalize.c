/* normalize.c -- scuot-normalize: QC filters, library-size normalisation and log1p, highly variable
 * genes and gene-set growth priors, from cells.h5ad to norm.h5ad.  Thin executable over src/lib/prep. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/log.h"
#include "io/h5ad.h"
#include "prep/prep.h"

typedef struct normalize_args {
	scuot_normalize_opts o;
	const char *input, *output;
} normalize_args;

static void usage(FILE *fp, const scuot_cli *c, const normalize_args *a)
{
	const scuot_normalize_opts *o = &a->o;
	fprintf(fp,
	        "Usage: scuot-normalize [options] cells.h5ad -o norm.h5ad\n\n"
	        "Filter cells and genes, normalise each cell to the same library size, take log1p, flag\n"
	        "highly variable genes and (with --gene-sets) compute Waddington-OT's growth prior per\n"
	        "cell. Raw counts are kept in layers/counts; X holds log1p-normalised values\n"
	        "(float32 CSR).\n\n"
	        "QC filters (raw counts):\n"
	        "  --min-genes N         a cell needs N detected genes [%lld]\n"
	        "  --min-counts X        a cell needs X counts [%g]\n"
	        "  --max-mito F          largest fraction of a cell's counts in mitochondrial genes [%g]\n"
	        "  --mito-prefix S       gene-name prefix of mitochondrial genes, any case [%s]\n"
	        "  --min-cells N         a gene needs to be detected in N cells [%lld]\n\n"
	        "Normalisation:\n"
	        "  --target-sum X        counts per cell after normalisation, before log1p [%g]\n\n"
	        "Highly variable genes (scanpy's highly_variable_genes):\n"
	        "  --hvg-flavor F        seurat (dispersions of log1p data) or seurat_v3 (counts) [%s]\n"
	        "  --n-top-genes N       genes to flag; 0 = the seurat cut-offs below [%lld]\n"
	        "  --min-mean X          cut-offs without --n-top-genes [%g]\n"
	        "  --max-mean X          [%g]\n"
	        "  --min-disp X          [%g]\n"
	        "  --max-disp X          [%g]\n"
	        "  --n-bins N            seurat: bins of mean expression [%d]\n"
	        "  --span X              seurat_v3: loess span [%g]\n"
	        "  --hvg-per-day         select per day and combine as scanpy's batch_key [%s]\n\n"
	        "Output:\n"
	        "  --subset              keep only the highly variable genes [%s: keep all, flag them]\n"
	        "  --scale               z-scale each gene of X (dense values) [%s]\n"
	        "  --max-value X         clip scaled values to +-X; 0 = no clipping [%g]\n"
	        "  -o, --output FILE     the AnnData file to write [required]\n\n"
	        "Growth prior (Waddington-OT, Schiebinger et al. 2019):\n"
	        "  --gene-sets FILE      gene sets with a proliferation and an apoptosis set: .gmt, .gmx or\n"
	        "                        .grp (one set, named after the file), by extension or content;\n"
	        "                        repeat for several files [none]\n"
	        "  --proliferation-set S name of the proliferation set, any case [%s]\n"
	        "  --apoptosis-set S     name of the apoptosis set, any case [%s]\n"
	        "  --max-z X             clip of the per-gene z-scores of the set scores [%g]\n"
	        "  --beta-min X, --beta-max X, --beta-center X, --beta-width X\n"
	        "                        birth rate from the proliferation score [%g, %g, %g, %g]\n"
	        "  --delta-min X, --delta-max X, --delta-center X, --delta-width X\n"
	        "                        death rate from the apoptosis score [%g, %g, %g, %g]\n",
	        (long long)o->qc.min_genes, o->qc.min_counts, o->qc.max_mito, o->qc.mito_prefix,
	        (long long)o->qc.min_cells, o->target_sum,
	        o->hvg.flavor == SCUOT_HVG_SEURAT ? "seurat" : "seurat_v3", (long long)o->hvg.n_top_genes,
	        o->hvg.min_mean, o->hvg.max_mean, o->hvg.min_disp, o->hvg.max_disp, o->hvg.n_bins,
	        o->hvg.span, o->hvg_per_day ? "on" : "off", o->subset ? "on" : "off", o->scale ? "on" : "off",
	        o->max_value, o->prolif_set, o->apop_set, o->max_z, o->growth.beta_min, o->growth.beta_max,
	        o->growth.beta_center, o->growth.beta_width, o->growth.delta_min, o->growth.delta_max,
	        o->growth.delta_center, o->growth.delta_width);
	scuot_cli_global_help(fp, c);
	fprintf(fp, "\nExample:\n"
	            "  scuot-normalize cells.h5ad --n-top-genes 2000 --gene-sets sets.gmt -o norm.h5ad\n");
}

/* Returns 0 to run, 1 to exit 0 (help/version), 2 on a usage error. */
static int parse_args(int argc, char **argv, scuot_cli *c, normalize_args *a)
{
	enum {
		OPT_MIN_GENES = 1, OPT_MIN_COUNTS, OPT_MAX_MITO, OPT_MITO_PREFIX, OPT_MIN_CELLS, OPT_TARGET,
		OPT_FLAVOR, OPT_NTOP, OPT_MIN_MEAN, OPT_MAX_MEAN, OPT_MIN_DISP, OPT_MAX_DISP, OPT_NBINS, OPT_SPAN,
		OPT_PER_DAY, OPT_SUBSET, OPT_SCALE, OPT_MAX_VALUE, OPT_GENE_SETS, OPT_PROLIF, OPT_APOP, OPT_MAX_Z,
		OPT_BMIN, OPT_BMAX, OPT_BCEN, OPT_BWID, OPT_DMIN, OPT_DMAX, OPT_DCEN, OPT_DWID
	};
	static const struct option lopts[] = {
		{ "min-genes", required_argument, NULL, OPT_MIN_GENES },
		{ "min-counts", required_argument, NULL, OPT_MIN_COUNTS },
		{ "max-mito", required_argument, NULL, OPT_MAX_MITO },
		{ "mito-prefix", required_argument, NULL, OPT_MITO_PREFIX },
		{ "min-cells", required_argument, NULL, OPT_MIN_CELLS },
		{ "target-sum", required_argument, NULL, OPT_TARGET },
		{ "hvg-flavor", required_argument, NULL, OPT_FLAVOR },
		{ "n-top-genes", required_argument, NULL, OPT_NTOP },
		{ "min-mean", required_argument, NULL, OPT_MIN_MEAN },
		{ "max-mean", required_argument, NULL, OPT_MAX_MEAN },
		{ "min-disp", required_argument, NULL, OPT_MIN_DISP },
		{ "max-disp", required_argument, NULL, OPT_MAX_DISP },
		{ "n-bins", required_argument, NULL, OPT_NBINS },
		{ "span", required_argument, NULL, OPT_SPAN },
		{ "hvg-per-day", no_argument, NULL, OPT_PER_DAY },
		{ "subset", no_argument, NULL, OPT_SUBSET },
		{ "scale", no_argument, NULL, OPT_SCALE },
		{ "max-value", required_argument, NULL, OPT_MAX_VALUE },
		{ "gene-sets", required_argument, NULL, OPT_GENE_SETS },
		{ "proliferation-set", required_argument, NULL, OPT_PROLIF },
		{ "apoptosis-set", required_argument, NULL, OPT_APOP },
		{ "max-z", required_argument, NULL, OPT_MAX_Z },
		{ "beta-min", required_argument, NULL, OPT_BMIN },
		{ "beta-max", required_argument, NULL, OPT_BMAX },
		{ "beta-center", required_argument, NULL, OPT_BCEN },
		{ "beta-width", required_argument, NULL, OPT_BWID },
		{ "delta-min", required_argument, NULL, OPT_DMIN },
		{ "delta-max", required_argument, NULL, OPT_DMAX },
		{ "delta-center", required_argument, NULL, OPT_DCEN },
		{ "delta-width", required_argument, NULL, OPT_DWID },
		{ "output", required_argument, NULL, 'o' },
		SCUOT_CLI_GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	scuot_normalize_opts *o = &a->o;
	int opt, r, li = 0;
	int64_t v;
	double *dst;
	char name[64];
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:hvqV", lopts, &li)) != -1) {
		if ((r = scuot_cli_global_opt(c, opt, optarg)) != 0) {
			if (r < 0)
				return 2;
			continue;
		}
		dst = NULL;
		switch (opt) {
		case 'h': usage(stdout, c, a); return 1;
		case 'V': scuot_cli_version(stdout); return 1;
		case OPT_MIN_GENES:
			if (scuot_cli_int(c, "--min-genes", optarg, 0, INT64_MAX, &v))
				return 2;
			o->qc.min_genes = v;
			break;
		case OPT_MIN_CELLS:
			if (scuot_cli_int(c, "--min-cells", optarg, 0, INT64_MAX, &v))
				return 2;
			o->qc.min_cells = v;
			break;
		case OPT_NTOP:
			if (scuot_cli_int(c, "--n-top-genes", optarg, 0, INT64_MAX, &v))
				return 2;
			o->hvg.n_top_genes = v;
			break;
		case OPT_NBINS:
			if (scuot_cli_int(c, "--n-bins", optarg, 1, 1024, &v))
				return 2;
			o->hvg.n_bins = (int)v;
			break;
		case OPT_FLAVOR:
			if (!strcmp(optarg, "seurat"))
				o->hvg.flavor = SCUOT_HVG_SEURAT;
			else if (!strcmp(optarg, "seurat_v3"))
				o->hvg.flavor = SCUOT_HVG_SEURAT_V3;
			else
				return scuot_cli_usage_error(
				        c, "--hvg-flavor: '%s' is not seurat or seurat_v3", optarg);
			break;
		case OPT_MITO_PREFIX: o->qc.mito_prefix = optarg; break;
		case OPT_PER_DAY: o->hvg_per_day = 1; break;
		case OPT_SUBSET: o->subset = 1; break;
		case OPT_SCALE: o->scale = 1; break;
		case OPT_GENE_SETS:
			if (!o->gene_sets)
				o->gene_sets = optarg;
			else if (o->n_more_gene_sets < SCUOT_MAX_MORE_GENE_SETS)
				o->more_gene_sets[o->n_more_gene_sets++] = optarg;
			else
				return scuot_cli_usage_error(c, "--gene-sets: at most %d files",
				                             1 + SCUOT_MAX_MORE_GENE_SETS);
			break;
		case OPT_PROLIF: o->prolif_set = optarg; break;
		case OPT_APOP: o->apop_set = optarg; break;
		case OPT_MIN_COUNTS: dst = &o->qc.min_counts; break;
		case OPT_MAX_MITO: dst = &o->qc.max_mito; break;
		case OPT_TARGET: dst = &o->target_sum; break;
		case OPT_MIN_MEAN: dst = &o->hvg.min_mean; break;
		case OPT_MAX_MEAN: dst = &o->hvg.max_mean; break;
		case OPT_MIN_DISP: dst = &o->hvg.min_disp; break;
		case OPT_MAX_DISP: dst = &o->hvg.max_disp; break;
		case OPT_SPAN: dst = &o->hvg.span; break;
		case OPT_MAX_VALUE: dst = &o->max_value; break;
		case OPT_MAX_Z: dst = &o->max_z; break;
		case OPT_BMIN: dst = &o->growth.beta_min; break;
		case OPT_BMAX: dst = &o->growth.beta_max; break;
		case OPT_BCEN: dst = &o->growth.beta_center; break;
		case OPT_BWID: dst = &o->growth.beta_width; break;
		case OPT_DMIN: dst = &o->growth.delta_min; break;
		case OPT_DMAX: dst = &o->growth.delta_max; break;
		case OPT_DCEN: dst = &o->growth.delta_center; break;
		case OPT_DWID: dst = &o->growth.delta_width; break;
		case 'o': a->output = optarg; break;
		case ':': return scuot_cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		default: return scuot_cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
		}
		if (dst) {
			snprintf(name, sizeof name, "--%s", lopts[li].name);
			if (scuot_cli_double(c, name, optarg, dst))
				return 2;
		}
	}
	if (optind == argc)
		return scuot_cli_usage_error(c, "no input file given");
	if (argc - optind > 1)
		return scuot_cli_usage_error(c, "one input file expected, got %d", argc - optind);
	if (!a->output)
		return scuot_cli_usage_error(c, "no output file given (-o norm.h5ad)");
	a->input = argv[optind];
	scuot_err e = { 0 };
	if (scuot_normalize_opts_check(o, &e))
		return scuot_cli_usage_error(c, "%s", e.msg);
	return 0;
}

static int run(const scuot_cli *c, const normalize_args *na, scuot_err *e)
{
	scuot_adata *a = NULL;
	int ret;
	if ((ret = scuot_h5ad_read(na->input, SCUOT_H5AD_ALL, &a, e)))
		goto done;
	scuot_log_info("%s: %lld cells x %lld genes", na->input, (long long)a->n_obs, (long long)a->n_var);
	if ((ret = scuot_normalize_run(a, &na->o, na->input, e)) || (ret = scuot_cli_record(c, a, e)) ||
	    (ret = scuot_h5ad_write(na->output, a, e)))
		goto done;
	scuot_log_info("wrote %s: %lld cells x %lld genes", na->output, (long long)a->n_obs,
	               (long long)a->n_var);
done:
	scuot_adata_free(a);
	return ret;
}

int main(int argc, char **argv)
{
	scuot_cli c;
	normalize_args a;
	scuot_err e = { 0 };
	scuot_cli_init(&c, "normalize", argc, argv);
	memset(&a, 0, sizeof a);
	scuot_normalize_opts_init(&a.o);
	int r = parse_args(argc, argv, &c, &a);
	if (r)
		return r == 1 ? 0 : 2;
	scuot_cli_apply(&c);
	if (run(&c, &a, &e))
		return scuot_cli_fail(&c, &e);
	scuot_cli_finish(&c);
	return 0;
}
