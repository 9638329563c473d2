/* transport.c -- scuot-transport: link two days of an embedded time course with one transport method of
 * the table (src/lib/ot/methods.c) and write the result file.  Thin executable over src/lib/ot. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "config.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/sys.h"
#include "io/h5ad.h"
#include "io/meta.h"
#include "io/result.h"
#include "io/tmap.h"
#include "ot/cost.h"
#include "ot/ot.h"

#define MAX_GIVEN 64
#define DEFAULT_TOPK 100

typedef struct tr_args {
	const char *input, *output, *method, *embedding, *day_key, *growth, *tmap;
	double t0, t1;
	int have_t0, have_t1, list;
	int cost, cost_norm;
	uint64_t max_memory;
	int64_t topk;
	const char *preset;
	int n_given; /* method parameters given on the command line, resolved once the method is known */
	const char *given_name[MAX_GIVEN], *given_val[MAX_GIVEN];
} tr_args;

/* Every parameter name of every method, once (the dynamic part of the option table). */
static int all_params(const scuot_ot_param **out, int max)
{
	int nm, n = 0;
	const scuot_ot_method *m = scuot_ot_methods(&nm);
	for (int k = 0; k < nm; k++)
		for (int p = 0; p < m[k].n_params; p++) {
			int q;
			for (q = 0; q < n && strcmp(out[q]->name, m[k].params[p].name); q++)
				;
			if (q == n && n < max)
				out[n++] = &m[k].params[p];
		}
	return n;
}

static void print_param(FILE *fp, const scuot_ot_param *q)
{
	char opt[64];
	if (q->type == SCUOT_PARAM_FLAG)
		snprintf(opt, sizeof opt, "--%s", q->name);
	else
		snprintf(opt, sizeof opt, "--%s %s", q->name, q->type == SCUOT_PARAM_INT ? "N" : "X");
	fprintf(fp, "  %-22s%s", opt, q->help);
	if (q->type == SCUOT_PARAM_FLAG)
		fprintf(fp, " [%s]\n", q->def != 0 ? "on" : "off");
	else
		fprintf(fp, " [%g]\n", q->def);
}

static void list_methods(FILE *fp)
{
	int nm;
	const scuot_ot_method *m = scuot_ot_methods(&nm);
	for (int k = 0; k < nm; k++) {
		fprintf(fp, "%s\t%s\t%s\n", m[k].name, m[k].family, m[k].summary);
	}
}

static void usage(FILE *fp, const scuot_cli *c)
{
	int nm;
	const scuot_ot_method *m = scuot_ot_methods(&nm);
	fprintf(fp,
	        "Usage: scuot-transport --method NAME --from D0 --to D1 [options] pca.h5ad -o result.h5\n\n"
	        "Link the cells of day D0 (source) to those of day D1 (target) in an embedding (obsm) with an\n"
	        "unbalanced transport method, and write one result file: coupling, per-source-cell scaling\n"
	        "factors (growth), dual potentials or snapshots, diagnostics (schema: data/FORMATS.md).\n\n"
	        "Problem:\n"
	        "  --method NAME         transport method (below; --list-methods) [required]\n"
	        "  --from D0, --to D1    source and target days (obs day column) [required]\n"
	        "  --embedding KEY       obsm key of the coordinates [X_pca]\n"
	        "  --day-key COL         obs column of the days [day]\n"
	        "  --cost NAME           sqeuclidean, euclidean or wfr [the method's]\n"
	        "  --cost-norm NAME      divide the cost by its median, mean or max, or none [median]\n"
	        "  --growth-column COL   obs column of per-day growth rates g of the source cells: source\n"
	        "                        masses a_i = g_i^(D1-D0) / n and target masses b_j = sum(a) / m\n"
	        "                        (Waddington-OT's convention) [a_i = 1/n, b_j = 1/m]\n"
	        "  --list-methods        print the methods (name, family, summary) and exit\n"
	        "  --preset wot          method uot with Waddington-OT's meanings and defaults: --epsilon 0.05\n"
	        "                        --lambda1 1 --lambda2 50 --epsilon0 1 --growth-iters 1, cost sqeuclidean\n"
	        "                        divided by its median (options given explicitly override it); use it on a\n"
	        "                        local PCA of the two days (scuot-pca -k 30 --fit-days D0,D1)\n\n"
	        "Resources:\n"
	        "  --max-memory SIZE     budget for kernels and couplings, e.g. 8G or 50%% [50%% of physical\n"
	        "                        memory]; what does not fit is computed in blocks on the fly and the\n"
	        "                        coupling stored sparsified or not at all\n"
	        "  --topk N              coupling entries kept per source cell when the dense coupling is over\n"
	        "                        the budget (0: none) [%d]\n\n"
	        "Output:\n"
	        "  -o, --output FILE     result file (HDF5) [required]\n"
	        "  --export-tmap FILE    also write the coupling as a Waddington-OT transport map (.h5ad: obs =\n"
	        "                        source cells with g0, g1, growth_rate, scaling; var = target cells;\n"
	        "                        X = coupling, or its --topk largest entries per cell when not stored)\n",
	        DEFAULT_TOPK);
	for (int k = 0; k < nm; k++) {
		fprintf(fp, "\nMethod %s (%s): %s\n  %s; default cost %s.\n", m[k].name, m[k].family, m[k].summary,
		        m[k].cite, scuot_cost_kind_name(m[k].default_cost));
		for (int p = 0; p < m[k].n_params; p++)
			print_param(fp, &m[k].params[p]);
	}
	scuot_cli_global_help(fp, c);
	fprintf(fp, "\nExample:\n  scuot-transport --method uot --from 2 --to 4 --epsilon 0.05 pca.h5ad -o uot_2_4.h5\n");
}

/* Returns 0 to run, 1 to exit 0 (help/version/list), 2 on a usage error. */
static int parse_args(int argc, char **argv, scuot_cli *c, tr_args *a)
{
	enum { OPT_METHOD = 1, OPT_FROM, OPT_TO, OPT_EMB, OPT_DAYKEY, OPT_COST, OPT_NORM, OPT_GROWTH, OPT_LIST,
	       OPT_TOPK, OPT_TMAP, OPT_PRESET, OPT_PARAM = 0x2000 };
	static const struct option fixed[] = {
		{ "method", required_argument, NULL, OPT_METHOD },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "embedding", required_argument, NULL, OPT_EMB },
		{ "day-key", required_argument, NULL, OPT_DAYKEY },
		{ "cost", required_argument, NULL, OPT_COST },
		{ "cost-norm", required_argument, NULL, OPT_NORM },
		{ "growth-column", required_argument, NULL, OPT_GROWTH },
		{ "list-methods", no_argument, NULL, OPT_LIST },
		{ "max-memory", required_argument, NULL, SCUOT_OPT_MAX_MEMORY },
		{ "topk", required_argument, NULL, OPT_TOPK },
		{ "export-tmap", required_argument, NULL, OPT_TMAP },
		{ "preset", required_argument, NULL, OPT_PRESET },
		{ "output", required_argument, NULL, 'o' },
		SCUOT_CLI_GLOBAL_LONGOPTS,
	};
	const int nfixed = (int)(sizeof fixed / sizeof fixed[0]);
	const scuot_ot_param *params[SCUOT_OT_MAX_PARAMS * 8];
	int np = all_params(params, SCUOT_OT_MAX_PARAMS * 8);
	struct option lopts[sizeof fixed / sizeof fixed[0] + SCUOT_OT_MAX_PARAMS * 8 + 1];
	memcpy(lopts, fixed, sizeof fixed);
	for (int k = 0; k < np; k++) {
		lopts[nfixed + k].name = params[k]->name;
		lopts[nfixed + k].has_arg = params[k]->type == SCUOT_PARAM_FLAG ? no_argument : required_argument;
		lopts[nfixed + k].flag = NULL;
		lopts[nfixed + k].val = OPT_PARAM + k;
	}
	memset(&lopts[nfixed + np], 0, sizeof lopts[0]);
	int opt, r;
	int64_t v;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:hvqV", lopts, NULL)) != -1) {
		if ((r = scuot_cli_global_opt(c, opt, optarg)) != 0) {
			if (r < 0)
				return 2;
			continue;
		}
		if (opt >= OPT_PARAM && opt < OPT_PARAM + np) {
			if (a->n_given == MAX_GIVEN)
				return scuot_cli_usage_error(c, "too many method options");
			a->given_name[a->n_given] = params[opt - OPT_PARAM]->name;
			a->given_val[a->n_given++] = optarg ? optarg : "1";
			continue;
		}
		switch (opt) {
		case 'h': usage(stdout, c); return 1;
		case 'V': scuot_cli_version(stdout); return 1;
		case OPT_LIST: a->list = 1; break;
		case OPT_METHOD: a->method = optarg; break;
		case OPT_FROM:
			if (scuot_cli_double(c, "--from", optarg, &a->t0))
				return 2;
			a->have_t0 = 1;
			break;
		case OPT_TO:
			if (scuot_cli_double(c, "--to", optarg, &a->t1))
				return 2;
			a->have_t1 = 1;
			break;
		case OPT_EMB: a->embedding = optarg; break;
		case OPT_DAYKEY: a->day_key = optarg; break;
		case OPT_GROWTH: a->growth = optarg; break;
		case OPT_COST:
			if ((a->cost = scuot_cost_kind_parse(optarg)) < 0)
				return scuot_cli_usage_error(c, "--cost: '%s' is not sqeuclidean, euclidean or wfr", optarg);
			break;
		case OPT_NORM:
			if ((a->cost_norm = scuot_cost_norm_parse(optarg)) < 0)
				return scuot_cli_usage_error(c, "--cost-norm: '%s' is not none, median, mean or max", optarg);
			break;
		case SCUOT_OPT_MAX_MEMORY:
			if (scuot_parse_size(optarg, &a->max_memory) || a->max_memory < 1024)
				return scuot_cli_usage_error(c, "--max-memory: '%s' is not a size of at least 1K "
				                             "(e.g. 512M, 8G, 50%%)", optarg);
			break;
		case OPT_TOPK:
			if (scuot_cli_int(c, "--topk", optarg, 0, 1 << 30, &v))
				return 2;
			a->topk = v;
			break;
		case OPT_TMAP: a->tmap = optarg; break;
		case OPT_PRESET:
			if (strcmp(optarg, "wot"))
				return scuot_cli_usage_error(c, "--preset: '%s' is not a preset (wot)", optarg);
			a->preset = optarg;
			break;
		case 'o': a->output = optarg; break;
		case ':': return scuot_cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		default: return scuot_cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (a->list) {
		list_methods(stdout);
		return 1;
	}
	if (a->preset && !a->method)
		a->method = "uot";
	if (!a->method)
		return scuot_cli_usage_error(c, "no method given (--method; --list-methods shows them)");
	if (a->preset && strcmp(a->method, "uot"))
		return scuot_cli_usage_error(c, "--preset wot is a preset of method uot, not %s", a->method);
	if (!scuot_ot_method_find(a->method))
		return scuot_cli_usage_error(c, "--method: no method '%s' (--list-methods shows them)", a->method);
	if (!a->have_t0 || !a->have_t1)
		return scuot_cli_usage_error(c, "give the source and target days with --from and --to");
	if (a->t0 == a->t1)
		return scuot_cli_usage_error(c, "--from and --to are the same day (%g)", a->t0);
	if (optind == argc)
		return scuot_cli_usage_error(c, "no input file given");
	if (argc - optind > 1)
		return scuot_cli_usage_error(c, "one input file expected, got %d", argc - optind);
	if (!a->output)
		return scuot_cli_usage_error(c, "no output file given (-o result.h5)");
	a->input = argv[optind];
	return 0;
}

/* Waddington-OT's defaults (wot optimal_transport OTModel: epsilon 0.05, lambda1 1, lambda2 50, epsilon0 1,
 * growth_iters 1; cost squared Euclidean divided by its median, set in main). */
static const struct { const char *name; double value; } preset_wot[] = {
	{ "epsilon", 0.05 }, { "lambda1", 1 }, { "lambda2", 50 }, { "epsilon0", 1 }, { "growth-iters", 1 },
};

/* Parameter values of method m: defaults, the preset, then the options given.  2 on a usage error. */
static int method_params(const scuot_cli *c, const tr_args *a, const scuot_ot_method *m, double *par)
{
	for (int k = 0; k < m->n_params; k++)
		par[k] = m->params[k].def;
	for (size_t q = 0; a->preset && q < sizeof preset_wot / sizeof preset_wot[0]; q++) {
		int k = scuot_ot_param_index(m, preset_wot[q].name);
		if (k >= 0)
			par[k] = preset_wot[q].value;
	}
	for (int g = 0; g < a->n_given; g++) {
		int k = scuot_ot_param_index(m, a->given_name[g]);
		if (k < 0)
			return scuot_cli_usage_error(c, "--%s is not a parameter of method %s (see --help)",
			                             a->given_name[g], m->name);
		const scuot_ot_param *q = &m->params[k];
		double v;
		if (scuot_parse_double(a->given_val[g], &v) || !isfinite(v) ||
		    (q->type == SCUOT_PARAM_INT && v != floor(v)))
			return scuot_cli_usage_error(c, "--%s: '%s' is not %s", q->name, a->given_val[g],
			                             q->type == SCUOT_PARAM_INT ? "an integer" : "a finite number");
		if (v < q->lo || v > q->hi)
			return scuot_cli_usage_error(c, "--%s %s is out of range [%g, %g]", q->name, a->given_val[g],
			                             q->lo, q->hi);
		par[k] = v;
	}
	return 0;
}

/* Rows of matrix X listed in rows, copied into a new n x d array. */
static double *gather(const scuot_mat *X, const int64_t *rows, int64_t n, scuot_err *e)
{
	double *out = scuot_alloc((size_t)(n * X->ncol), sizeof(double), 0, "coordinates", e);
	if (out)
		for (int64_t i = 0; i < n; i++)
			memcpy(out + i * X->ncol, X->data + rows[i] * X->ncol, sizeof(double) * (size_t)X->ncol);
	return out;
}

static int run(const scuot_cli *c, const tr_args *ta, const scuot_ot_method *m, const double *par, scuot_err *e)
{
	scuot_adata *ad = NULL;
	scuot_ot_result *r = NULL;
	int64_t *rs = NULL, *rt = NULL, n = 0, nt = 0;
	double *x = NULL, *y = NULL, *wa = NULL, *wb = NULL;
	int ret;
	const char *in = ta->input;
	if ((ret = scuot_h5ad_read(in, SCUOT_H5AD_OBS | SCUOT_H5AD_OBSM, &ad, e)))
		goto done;
	const scuot_mat *X = scuot_adata_get_obsm(ad, ta->embedding);
	if (!X) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obsm/%s: no such embedding; run scuot-pca first or name "
		                    "the obsm key with --embedding", in, ta->embedding);
		goto done;
	}
	if ((ret = scuot_meta_day_rows(ad, ta->day_key, &ta->t0, 1, in, "--from", &rs, &n, e)) ||
	    (ret = scuot_meta_day_rows(ad, ta->day_key, &ta->t1, 1, in, "--to", &rt, &nt, e)))
		goto done;
	if (!(x = gather(X, rs, n, e)) || !(y = gather(X, rt, nt, e)) ||
	    !(wa = scuot_alloc((size_t)n, sizeof(double), 0, "source masses", e)) ||
	    !(wb = scuot_alloc((size_t)nt, sizeof(double), 0, "target masses", e))) {
		ret = e->code;
		goto done;
	}
	double suma = 0;
	if (ta->growth) {
		int gc = scuot_df_find(&ad->obs, ta->growth);
		if (gc < 0) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obs/%s: no such column (--growth-column)", in, ta->growth);
			goto done;
		}
		for (int64_t i = 0; i < n; i++) {
			double g = scuot_col_num(&ad->obs.cols[gc], rs[i]);
			if (!(g > 0) || !isfinite(g)) {
				ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obs/%s: cell %s has growth rate %g; growth rates "
				                    "must be positive and finite", in, ta->growth, ad->obs.index[rs[i]], g);
				goto done;
			}
			wa[i] = pow(g, ta->t1 - ta->t0) / (double)n;
			suma += wa[i];
		}
	} else {
		for (int64_t i = 0; i < n; i++)
			wa[i] = 1.0 / (double)n;
		suma = 1.0;
	}
	for (int64_t j = 0; j < nt; j++)
		wb[j] = suma / (double)nt;
	scuot_log_info("%s: %lld source cells (day %g), %lld target cells (day %g), %lld dimensions (%s)", in,
	               (long long)n, ta->t0, (long long)nt, ta->t1, (long long)X->ncol, ta->embedding);
	scuot_ot_problem p = {
		.n = n, .m = nt, .d = X->ncol, .x = x, .y = y, .a = wa, .b = wb, .t0 = ta->t0, .t1 = ta->t1,
		.cost = ta->cost > 0 ? ta->cost : m->default_cost, .cost_norm = ta->cost_norm,
		.delta = 0, .seed = c->seed, .max_memory = (size_t)ta->max_memory, .topk = ta->topk,
	};
	if (p.cost == SCUOT_COST_WFR && p.cost_norm != SCUOT_COSTNORM_NONE) {
		scuot_log_debug("the WFR cost is not normalised (delta sets its scale)");
		p.cost_norm = SCUOT_COSTNORM_NONE;
	}
	if (!(r = scuot_ot_result_new(&p, e))) {
		ret = e->code;
		goto done;
	}
	for (int64_t i = 0; i < n; i++)
		if ((ret = scuot_strv_push(&r->source_ids, ad->obs.index[rs[i]], -1, e)))
			goto done;
	for (int64_t j = 0; j < nt; j++)
		if ((ret = scuot_strv_push(&r->target_ids, ad->obs.index[rt[j]], -1, e)))
			goto done;
	if (!(r->version = scuot_strdup(PACKAGE_VERSION, e)) || !(r->cmdline = scuot_strdup(c->cmdline, e)) ||
	    !(r->input = scuot_strdup(in, e)) || !(r->embedding = scuot_strdup(ta->embedding, e))) {
		ret = e->code;
		goto done;
	}
	scuot_log_info("method %s, cost %s (%s-normalised), budget %.3g GB", m->name, scuot_cost_kind_name(p.cost),
	               scuot_cost_norm_name(p.cost_norm), (double)p.max_memory / 1e9);
	if ((ret = scuot_ot_run(m, &p, par, r, e)))
		goto done;
	scuot_log_info("%s: %lld iterations%s, %.3g s; transport cost %.6g, objective %.6g", m->name,
	               (long long)r->iterations, r->converged ? "" : " (NOT converged)", r->seconds,
	               r->transport_cost, r->objective);
	if (!r->converged)
		scuot_log_warning("%s did not converge within its iteration limit; the result is written but "
		                  "raise the iteration limit or the tolerance", m->name);
	if (ta->tmap) {
		scuot_adata *tm = NULL;
		if ((ret = scuot_tmap_from_result(r, ta->topk, &tm, e)) || (ret = scuot_cli_record(c, tm, e)) ||
		    (ret = scuot_h5ad_write(ta->tmap, tm, e))) {
			scuot_adata_free(tm);
			goto done;
		}
		scuot_log_info("wrote %s (transport map, %lld entries)", ta->tmap, (long long)tm->X->nnz);
		scuot_adata_free(tm);
	}
	if ((ret = scuot_result_write(ta->output, r, e)))
		goto done;
	scuot_log_info("wrote %s", ta->output);
done:
	free(rs);
	free(rt);
	free(x);
	free(y);
	free(wa);
	free(wb);
	scuot_ot_result_free(r);
	scuot_adata_free(ad);
	return ret;
}

int main(int argc, char **argv)
{
	scuot_cli c;
	tr_args a;
	scuot_err e = { 0 };
	double par[SCUOT_OT_MAX_PARAMS];
	scuot_cli_init(&c, "transport", argc, argv);
	memset(&a, 0, sizeof a);
	a.embedding = "X_pca", a.day_key = "day", a.cost = -1, a.cost_norm = SCUOT_COSTNORM_MEDIAN, a.topk = DEFAULT_TOPK;
	int r = parse_args(argc, argv, &c, &a);
	if (r)
		return r == 1 ? 0 : 2;
	if (a.preset) { /* Waddington-OT's cost, unless given */
		if (a.cost < 0)
			a.cost = SCUOT_COST_SQEUCLIDEAN;
	}
	const scuot_ot_method *m = scuot_ot_method_find(a.method);
	if (method_params(&c, &a, m, par))
		return 2;
	if (!a.max_memory) {
		uint64_t phys = scuot_sys_phys_mem();
		a.max_memory = phys ? phys / 2 : (uint64_t)4 << 30;
	}
	scuot_cli_apply(&c);
	if (run(&c, &a, m, par, &e))
		return scuot_cli_fail(&c, &e);
	scuot_cli_finish(&c);
	return 0;
}
