/* report.c -- scuot-report: one self-contained HTML file (inline SVG, no scripts) from the scores, transport
 * results, predictions and growth genes of a run.  Thin executable over src/lib/report. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "config.h"
#include "core/log.h"
#include "report/report.h"

typedef struct report_args {
	scuot_report_input in;
	scuot_report_heldout *days; /* argc entries */
	const char **results, **genes, **pred, **mkeys, **mvals;
	char **mbuf;
	int n_mbuf;
	const char *output;
} report_args;

static void usage(FILE *fp, const scuot_cli *c, const report_args *a)
{
	fprintf(
	    fp,
	    "Usage: scuot-report [options] -o report.html\n"
	    "         [--heldout T0,T,T1 --scores scores.tsv [--truth pca.h5ad] [--pred P.h5ad ...]] ...\n"
	    "         [--result R.h5 ...] [--genes genes.tsv ...] [--evaluation evaluation.tsv]\n\n"
	    "Write one HTML file that opens offline: run metadata, per held-out day the normalised MMD and "
	    "EMD\n"
	    "of every method and baseline (best in bold) with bar charts and PCA scatter plots of source,\n"
	    "target, held-out and predicted cells, MMD-versus-step curves of particle flows, scaling-factor\n"
	    "histograms and the top growth genes.  Figures are inline SVG.\n\n"
	    "Held-out days (repeat the group per day; --scores, --truth and --pred belong to the last "
	    "--heldout):\n"
	    "  --heldout T0,T,T1     source day, held-out day, target day\n"
	    "  --scores FILE         scuot-score TSV of that day [required per --heldout]\n"
	    "  --truth FILE          h5ad with obs day and the embedding (the pca.h5ad scored against)\n"
	    "  --pred FILE           a prediction (scuot-interpolate h5ad) drawn over the cells\n\n"
	    "Other inputs:\n"
	    "  --result FILE         transport result: runs table, scaling factors, MMD curves (repeat)\n"
	    "  --genes FILE          scuot-rank genes TSV (repeat)\n"
	    "  --top-genes N         growth genes shown per method and pair [%d]\n"
	    "  --evaluation FILE     a TSV shown as a table (the workflow's evaluation.tsv)\n"
	    "  --config FILE         a text file shown verbatim (the workflow's configuration)\n"
	    "  --meta KEY=VALUE      a line of the run table (repeat)\n"
	    "  --title TEXT          [%s]\n"
	    "  --embedding KEY       obsm key in the h5ad inputs [%s]\n"
	    "  --day-key KEY         obs column of the day in --truth files [%s]\n\n"
	    "Output:\n"
	    "  -o, --output FILE     the HTML report [required]\n",
	    a->in.top_genes, a->in.title, a->in.embedding, a->in.day_key);
	scuot_cli_global_help(fp, c);
	fprintf(
	    fp,
	    "\nExample:\n  scuot-report --heldout 2,4,6 --scores scores_day4.tsv --truth pca_2_6.h5ad --pred "
	    "uot_at4.h5ad --result uot_2_4.h5 --genes genes.tsv -o report.html\n");
}

static int parse_days(scuot_cli *c, const char *arg, scuot_report_heldout *d)
{
	char *end;
	const char *p = arg;
	double v[3];
	for (int k = 0; k < 3; k++) {
		v[k] = strtod(p, &end);
		if (end == p || (k < 2 && *end != ',') || (k == 2 && *end))
			return scuot_cli_usage_error(
			    c, "--heldout '%s': expected three days T0,T,T1 (e.g. 2,4,6)", arg);
		p = end + 1;
	}
	if (!(v[0] < v[1] && v[1] < v[2]))
		return scuot_cli_usage_error(
		    c, "--heldout '%s': the held-out day must lie strictly between the others", arg);
	d->from = v[0], d->at = v[1], d->to = v[2];
	return 0;
}

/* Returns 0 to run, 1 to exit 0 (help/version), 2 on a usage error. */
static int parse_args(int argc, char **argv, scuot_cli *c, report_args *a)
{
	enum {
		OPT_HELDOUT = 1,
		OPT_SCORES,
		OPT_TRUTH,
		OPT_PRED,
		OPT_RESULT,
		OPT_GENES,
		OPT_TOPG,
		OPT_EVAL,
		OPT_CONFIG,
		OPT_META,
		OPT_TITLE,
		OPT_EMB,
		OPT_DAYKEY
	};
	static const struct option lopts[] = { { "heldout", required_argument, NULL, OPT_HELDOUT },
					       { "scores", required_argument, NULL, OPT_SCORES },
					       { "truth", required_argument, NULL, OPT_TRUTH },
					       { "pred", required_argument, NULL, OPT_PRED },
					       { "result", required_argument, NULL, OPT_RESULT },
					       { "genes", required_argument, NULL, OPT_GENES },
					       { "top-genes", required_argument, NULL, OPT_TOPG },
					       { "evaluation", required_argument, NULL, OPT_EVAL },
					       { "config", required_argument, NULL, OPT_CONFIG },
					       { "meta", required_argument, NULL, OPT_META },
					       { "title", required_argument, NULL, OPT_TITLE },
					       { "embedding", required_argument, NULL, OPT_EMB },
					       { "day-key", required_argument, NULL, OPT_DAYKEY },
					       { "output", required_argument, NULL, 'o' },
					       SCUOT_CLI_GLOBAL_LONGOPTS,
					       { NULL, 0, NULL, 0 } };
	scuot_report_input *in = &a->in;
	scuot_report_heldout *cur = NULL;
	int opt, r, npred = 0;
	int64_t v;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:hvqV", lopts, NULL)) != -1) {
		if ((r = scuot_cli_global_opt(c, opt, optarg)) != 0) {
			if (r < 0)
				return 2;
			continue;
		}
		switch (opt) {
		case 'h': usage(stdout, c, a); return 1;
		case 'V': scuot_cli_version(stdout); return 1;
		case OPT_HELDOUT:
			cur = &a->days[in->n_heldout++];
			if (parse_days(c, optarg, cur))
				return 2;
			cur->pred = a->pred + npred;
			break;
		case OPT_SCORES:
		case OPT_TRUTH:
		case OPT_PRED:
			if (!cur)
				return scuot_cli_usage_error(c, "--%s comes before any --heldout T0,T,T1",
							     opt == OPT_SCORES  ? "scores"
							     : opt == OPT_TRUTH ? "truth"
										: "pred");
			if (opt == OPT_SCORES) {
				if (cur->scores)
					return scuot_cli_usage_error(c, "two --scores for --heldout %g,%g,%g",
								     cur->from, cur->at, cur->to);
				cur->scores = optarg;
			} else if (opt == OPT_TRUTH) {
				cur->truth = optarg;
			} else {
				a->pred[npred++] = optarg;
				cur->n_pred++;
			}
			break;
		case OPT_RESULT: a->results[in->n_results++] = optarg; break;
		case OPT_GENES: a->genes[in->n_genes++] = optarg; break;
		case OPT_TOPG:
			if (scuot_cli_int(c, "--top-genes", optarg, 1, 100000, &v))
				return 2;
			in->top_genes = (int)v;
			break;
		case OPT_EVAL: in->evaluation = optarg; break;
		case OPT_CONFIG: in->config = optarg; break;
		case OPT_META: {
			char *eq = strchr(optarg, '='), *k;
			if (!eq || eq == optarg)
				return scuot_cli_usage_error(c, "--meta '%s': expected KEY=VALUE", optarg);
			if (!(k = strndup(optarg, (size_t)(eq - optarg))))
				return scuot_cli_usage_error(c, "out of memory");
			a->mbuf[a->n_mbuf++] = k;
			a->mkeys[in->n_meta] = k;
			a->mvals[in->n_meta++] = eq + 1;
			break;
		}
		case OPT_TITLE: in->title = optarg; break;
		case OPT_EMB: in->embedding = optarg; break;
		case OPT_DAYKEY: in->day_key = optarg; break;
		case 'o': a->output = optarg; break;
		case ':': return scuot_cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		default: return scuot_cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return scuot_cli_usage_error(
		    c, "unexpected argument '%s' (inputs are given with options; see --help)", argv[optind]);
	if (!a->output)
		return scuot_cli_usage_error(c, "no output file given (-o report.html)");
	for (int h = 0; h < in->n_heldout; h++)
		if (!a->days[h].scores)
			return scuot_cli_usage_error(c, "--heldout %g,%g,%g has no --scores file",
						     a->days[h].from, a->days[h].at, a->days[h].to);
	if (!in->n_heldout && !in->n_results && !in->n_genes)
		return scuot_cli_usage_error(
		    c, "nothing to report: give --heldout/--scores, --result or --genes");
	in->heldout = a->days, in->results = a->results, in->genes = a->genes;
	in->meta_keys = a->mkeys, in->meta_values = a->mvals;
	return 0;
}

int main(int argc, char **argv)
{
	scuot_cli c;
	report_args a;
	scuot_err e = { 0 };
	int r = 2;
	size_t n = (size_t)argc + 1;
	scuot_cli_init(&c, "report", argc, argv);
	memset(&a, 0, sizeof a);
	scuot_report_input_init(&a.in);
	a.in.version = PACKAGE_VERSION;
	a.in.command = c.cmdline;
	a.days = calloc(n, sizeof *a.days), a.results = calloc(n, sizeof *a.results);
	a.genes = calloc(n, sizeof *a.genes), a.pred = calloc(n, sizeof *a.pred);
	a.mkeys = calloc(n, sizeof *a.mkeys), a.mvals = calloc(n, sizeof *a.mvals),
	a.mbuf = calloc(n, sizeof *a.mbuf);
	if (!a.days || !a.results || !a.genes || !a.pred || !a.mkeys || !a.mvals || !a.mbuf) {
		fprintf(stderr, "scuot-report: error: out of memory\n");
		r = 1;
		goto done;
	}
	if ((r = parse_args(argc, argv, &c, &a))) {
		r = r == 1 ? 0 : 2;
		goto done;
	}
	scuot_cli_apply(&c);
	if ((r = scuot_report_write(&a.in, a.output, &e))) {
		r = scuot_cli_fail(&c, &e);
		goto done;
	}
	scuot_log_info("wrote %s (%d held-out days, %d results, %d gene tables)", a.output, a.in.n_heldout,
		       a.in.n_results, a.in.n_genes);
	scuot_cli_finish(&c);
done:
	for (int k = 0; a.mbuf && k < a.n_mbuf; k++)
		free(a.mbuf[k]);
	free(a.days), free(a.results), free(a.genes), free(a.pred), free(a.mkeys), free(a.mvals),
	    free(a.mbuf);
	return r;
}
