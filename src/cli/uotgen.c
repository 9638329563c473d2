/* uotgen.c -- scuot-uotgen: UOT-gen (swfr paper, Sec. 5): train a spherical-WFR geodesic from weighted samples to
 * N(0, I) (Algorithm 2), generate weighted samples from it, update it online (Algorithm 3).  Thin over uotgen.h. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/log.h"
#include "core/mat.h"
#include "core/outfile.h"
#include "io/meta.h"
#include "neural/uotgen.h"

#define MAX_COLS 4096
#define INIT_LR_FACTOR 0.1 /* --init without --lr: the default rate times this */

typedef struct ug_args {
	int mode; /* 't' train, 's' sample */
	const char *input, *output, *init, *wcol, *lwcol;
	char *cols_buf;
	const char *cols[MAX_COLS];
	int ncols;
	int64_t n;
	int model_set; /* a model setting was given (refused with --init) */
	int lr_set;    /* --lr was given */
	const char *model_opt; /* its long name */
	scuot_uotgen_opts o;
} ug_args;

static void usage(FILE *fp, const scuot_cli *c)
{
	scuot_uotgen_opts d;
	scuot_uotgen_opts_init(&d);
	fprintf(fp,
	        "Usage: scuot-uotgen train [options] SAMPLES.tsv -o MODEL.h5\n"
	        "       scuot-uotgen sample [options] MODEL.h5 -n N -o GENERATED.tsv\n\n"
	        "UOT-gen (Jing, Li, Liu, Zhou, learning geodesics under spherical WFR, Sec. 5): a spherical\n"
	        "Wasserstein-Fisher-Rao geodesic (an OT-Flow potential moving and reweighting particles) learned from\n"
	        "weighted samples of a distribution rho0 to N(0, I) (Algorithm 2), then run backwards from N(0, I)\n"
	        "draws to generate new weighted samples of rho0.  Bayesian use: samples of the prior weighted by the\n"
	        "likelihood give weighted samples of the posterior; when new data arrive, the generated samples\n"
	        "reweighted by the new likelihood train the model again from where it was (Algorithm 3, --init).\n\n"
	        "train: SAMPLES is a TSV or CSV table with a header (or FILE.h5ad: its obs); the column id (else the\n"
	        "first column) names the samples.\n"
	        "  --columns A,B,...     the coordinates [every numeric column but the weight columns]\n"
	        "  --weight-column NAME  weights >= 0 [equal]\n"
	        "  --log-weight-column NAME\n"
	        "                        log weights, e.g. the log-likelihood of new data; multiplied into the\n"
	        "                        weights (Algorithm 3, step 4)\n"
	        "  --init MODEL.h5       continue training this model (Algorithm 3, step 5): its settings, whitening\n"
	        "                        and parameters are kept (Adam's moments restart)\n"
	        "  -o, --output FILE     the model (HDF5) [required]\n"
	        "Model settings (not with --init):\n"
	        "  --alpha X             source coefficient alpha of the spherical WFR metric; large: pure transport\n"
	        "                        [%g]\n"
	        "  --width N             potential: width of the two-layer ResNet [%lld]\n"
	        "  --rank N              potential: rows of A in s^T A^T A s / 2 (0: the dimension) [%lld]\n"
	        "  --gamma1 X            weight of J_SWFR (the squared distance) in the cost [%g]\n"
	        "  --gamma2 X            weight of the velocity-weight regulariser J_R [%g]\n"
	        "  --rk-steps N          RK4 steps on [0, 1] [%d]\n"
	        "  --no-whiten           work in the data's own units (default: coordinates minus the samples'\n"
	        "                        mean over their pooled standard deviation, unweighted)\n"
	        "Training budget:\n"
	        "  --iters N             Adam iterations [%lld]\n"
	        "  --batch N             samples per iteration (0: all) [%lld]\n"
	        "  --tbatch N            N(0, I) draws per iteration [%lld]\n"
	        "  --lr X                Adam learning rate [%g; with --init %g: the model is trained, a large rate\n"
	        "                        throws it off]\n"
	        "  --lr-decay X          the rate falls geometrically to X times --lr over the iterations [%g]\n\n"
	        "sample: MODEL is a file written by scuot-uotgen train.\n"
	        "  -n N                  number of N(0, I) draws taken back to rho0 [required]\n"
	        "  -o, --output FILE     TSV: id, the coordinates, weight (mean 1) [required]\n",
	        d.alpha, (long long)d.width, (long long)d.rank, d.gamma1, d.gamma2, d.steps, (long long)d.iters,
	        (long long)d.batch, (long long)d.tbatch, d.lr, INIT_LR_FACTOR * d.lr, d.lr_decay);
	scuot_cli_global_help(fp, c);
	fprintf(fp, "\nExample (the posterior of a Bayesian model, then an online update):\n"
	            "  scuot-uotgen train --weight-column likelihood prior.tsv -o post.h5\n"
	            "  scuot-uotgen sample post.h5 -n 4096 -o post.tsv\n"
	            "  (add a column loglik: the log-likelihood of the new data at each sample)\n"
	            "  scuot-uotgen train --init post.h5 --weight-column weight --log-weight-column loglik "
	            "post.tsv -o post2.h5\n");
}

static int split_cols(scuot_cli *c, ug_args *a, const char *list)
{
	free(a->cols_buf);
	a->ncols = 0;
	if (!(a->cols_buf = strdup(list)))
		return scuot_cli_usage_error(c, "out of memory");
	for (char *p = strtok(a->cols_buf, ","); p; p = strtok(NULL, ",")) {
		if (a->ncols == MAX_COLS)
			return scuot_cli_usage_error(c, "--columns: at most %d columns", MAX_COLS);
		a->cols[a->ncols++] = p;
	}
	return a->ncols ? 0 : scuot_cli_usage_error(c, "--columns: no column named");
}

/* Returns 0 to run, 1 to exit 0 (help/version), 2 on a usage error. */
static int parse_args(int argc, char **argv, scuot_cli *c, ug_args *a)
{
	enum { OPT_COLS = 1, OPT_W, OPT_LW, OPT_INIT, OPT_ALPHA, OPT_WIDTH, OPT_RANK, OPT_G1, OPT_G2, OPT_RK,
	       OPT_NOWHITEN, OPT_ITERS, OPT_BATCH, OPT_TBATCH, OPT_LR, OPT_LRD };
	static const struct option lopts[] = { { "columns", required_argument, NULL, OPT_COLS },
					       { "weight-column", required_argument, NULL, OPT_W },
					       { "log-weight-column", required_argument, NULL, OPT_LW },
					       { "init", required_argument, NULL, OPT_INIT },
					       { "alpha", required_argument, NULL, OPT_ALPHA },
					       { "width", required_argument, NULL, OPT_WIDTH },
					       { "rank", required_argument, NULL, OPT_RANK },
					       { "gamma1", required_argument, NULL, OPT_G1 },
					       { "gamma2", required_argument, NULL, OPT_G2 },
					       { "rk-steps", required_argument, NULL, OPT_RK },
					       { "no-whiten", no_argument, NULL, OPT_NOWHITEN },
					       { "iters", required_argument, NULL, OPT_ITERS },
					       { "batch", required_argument, NULL, OPT_BATCH },
					       { "tbatch", required_argument, NULL, OPT_TBATCH },
					       { "lr", required_argument, NULL, OPT_LR },
					       { "lr-decay", required_argument, NULL, OPT_LRD },
					       { "output", required_argument, NULL, 'o' },
					       SCUOT_CLI_GLOBAL_LONGOPTS,
					       { NULL, 0, NULL, 0 } };
	int opt, r, li = -1;
	int64_t v;
	double x;
	if (argc >= 2 && (!strcmp(argv[1], "train") || !strcmp(argv[1], "sample"))) {
		a->mode = argv[1][0];
		argv[1] = argv[0];
		argc--, argv++;
	}
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:n:hvqV", lopts, &li)) != -1) {
		if ((r = scuot_cli_global_opt(c, opt, optarg)) != 0) {
			if (r < 0)
				return 2;
			continue;
		}
		if (opt >= OPT_ALPHA && opt <= OPT_NOWHITEN && li >= 0)
			a->model_set = 1, a->model_opt = lopts[li].name;
		switch (opt) {
		case 'h': usage(stdout, c); return 1;
		case 'V': scuot_cli_version(stdout); return 1;
		case OPT_COLS:
			if (split_cols(c, a, optarg))
				return 2;
			break;
		case OPT_W: a->wcol = optarg; break;
		case OPT_LW: a->lwcol = optarg; break;
		case OPT_INIT: a->init = optarg; break;
		case OPT_ALPHA:
			if (scuot_cli_double(c, "--alpha", optarg, &x) < 0)
				return 2;
			if (!(x >= 1e-6 && x <= 1e12))
				return scuot_cli_usage_error(c, "--alpha %s is out of range [1e-06, 1e+12]", optarg);
			a->o.alpha = x;
			break;
		case OPT_WIDTH:
			if (scuot_cli_int(c, "--width", optarg, 1, 4096, &v) < 0)
				return 2;
			a->o.width = v;
			break;
		case OPT_RANK:
			if (scuot_cli_int(c, "--rank", optarg, 0, 4096, &v) < 0)
				return 2;
			a->o.rank = v;
			break;
		case OPT_G1:
		case OPT_G2:
			if (scuot_cli_double(c, opt == OPT_G1 ? "--gamma1" : "--gamma2", optarg, &x) < 0)
				return 2;
			if (!(x >= 0 && x <= 1e6))
				return scuot_cli_usage_error(c, "%s %s is out of range [0, 1e+06]",
				                             opt == OPT_G1 ? "--gamma1" : "--gamma2", optarg);
			*(opt == OPT_G1 ? &a->o.gamma1 : &a->o.gamma2) = x;
			break;
		case OPT_RK:
			if (scuot_cli_int(c, "--rk-steps", optarg, 1, 4096, &v) < 0)
				return 2;
			a->o.steps = (int)v;
			break;
		case OPT_NOWHITEN: a->o.whiten = 0; break;
		case OPT_ITERS:
			if (scuot_cli_int(c, "--iters", optarg, 1, 1000000000, &v) < 0)
				return 2;
			a->o.iters = v;
			break;
		case OPT_BATCH:
		case OPT_TBATCH:
			if (scuot_cli_int(c, opt == OPT_BATCH ? "--batch" : "--tbatch", optarg, opt == OPT_BATCH ? 0 : 1,
			                  100000000, &v) < 0)
				return 2;
			*(opt == OPT_BATCH ? &a->o.batch : &a->o.tbatch) = v;
			break;
		case OPT_LR:
			if (scuot_cli_double(c, "--lr", optarg, &x) < 0)
				return 2;
			if (!(x > 0 && x <= 10))
				return scuot_cli_usage_error(c, "--lr %s is out of range (0, 10]", optarg);
			a->o.lr = x, a->lr_set = 1;
			break;
		case OPT_LRD:
			if (scuot_cli_double(c, "--lr-decay", optarg, &x) < 0)
				return 2;
			if (!(x > 0 && x <= 1))
				return scuot_cli_usage_error(c, "--lr-decay %s is out of range (0, 1]", optarg);
			a->o.lr_decay = x;
			break;
		case 'n':
			if (scuot_cli_int(c, "-n", optarg, 1, 100000000, &a->n) < 0)
				return 2;
			break;
		case 'o': a->output = optarg; break;
		case ':': return scuot_cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		default: return scuot_cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!a->mode)
		return scuot_cli_usage_error(c, "say what to do first: scuot-uotgen train ... or scuot-uotgen sample ...");
	if (optind != argc - 1)
		return scuot_cli_usage_error(c, optind == argc ? "no input file given (%s)" : "more than one input file "
		                             "given (%s)", a->mode == 't' ? "SAMPLES.tsv" : "MODEL.h5");
	a->input = argv[optind];
	if (!a->output)
		return scuot_cli_usage_error(c, "no output file given (-o %s)", a->mode == 't' ? "MODEL.h5" :
		                             "GENERATED.tsv");
	if (a->mode == 't') {
		if (a->n)
			return scuot_cli_usage_error(c, "-n belongs to scuot-uotgen sample (train writes the model only)");
		if (a->init && a->model_set)
			return scuot_cli_usage_error(c, "--%s would change the model given by --init; its settings are kept",
			                             a->model_opt);
		if (a->wcol && a->lwcol && !strcmp(a->wcol, a->lwcol))
			return scuot_cli_usage_error(c, "--weight-column and --log-weight-column name the same column");
	} else {
		if (!a->n)
			return scuot_cli_usage_error(c, "how many samples? (-n N)");
		if (a->ncols || a->wcol || a->lwcol || a->init || a->model_set)
			return scuot_cli_usage_error(c, "scuot-uotgen sample takes -n, -o and --seed only");
	}
	return 0;
}

static int listed(const ug_args *a, const char *name)
{
	for (int k = 0; k < a->ncols; k++)
		if (!strcmp(a->cols[k], name))
			return 1;
	return 0;
}

/* The coordinates (n x d), weights (NULL: equal) and column names of the training table. */
static int read_samples(const ug_args *a, double **xo, double **wo, int64_t *no, int64_t *dout, char ***names,
                        scuot_err *e)
{
	scuot_df df;
	const char *col;
	int is_text, ret, idx[MAX_COLS], d = 0, jw = -1, jl = -1;
	double *x = NULL, *w = NULL;
	if ((ret = scuot_meta_read_table(a->input, NULL, &df, &col, &is_text, e)))
		return ret;
	int64_t n = df.n;
	for (int k = 0; k < a->ncols; k++)
		if (scuot_df_find(&df, a->cols[k]) < 0) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no column '%s' (--columns)", a->input, a->cols[k]);
			goto done;
		}
	const char *wn[2] = { a->wcol, a->lwcol };
	int *wj[2] = { &jw, &jl };
	for (int k = 0; k < 2; k++) {
		if (!wn[k])
			continue;
		if ((*wj[k] = scuot_df_find(&df, wn[k])) < 0 || df.cols[*wj[k]].type != SCUOT_COL_FLOAT) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: %s '%s' (%s)", a->input, *wj[k] < 0 ? "no column" :
			                    "non-numeric column", wn[k], k ? "--log-weight-column" : "--weight-column");
			goto done;
		}
		if (listed(a, wn[k])) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: column '%s' is both a coordinate and a weight", a->input,
			                    wn[k]);
			goto done;
		}
	}
	for (int j = 0; j < df.ncol; j++) {
		int want = a->ncols ? listed(a, df.cols[j].name) : df.cols[j].type == SCUOT_COL_FLOAT && j != jw && j != jl;
		if (!want)
			continue;
		if (df.cols[j].type != SCUOT_COL_FLOAT) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: column '%s' is not numeric", a->input, df.cols[j].name);
			goto done;
		}
		if (d == MAX_COLS) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: more than %d coordinate columns", a->input, MAX_COLS);
			goto done;
		}
		idx[d++] = j;
	}
	if (!d || !n) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: %s", a->input, !n ? "no samples" : "no numeric coordinate "
		                    "column (name them with --columns)");
		goto done;
	}
	if (!(x = scuot_alloc((size_t)(n * d), sizeof(double), 0, "samples", e)) ||
	    ((jw >= 0 || jl >= 0) && !(w = scuot_alloc((size_t)n, sizeof(double), 0, "weights", e))) ||
	    !(*names = calloc((size_t)d, sizeof(char *)))) {
		ret = e->code ? e->code : scuot_err_set(e, SCUOT_ENOMEM, "out of memory for column names");
		goto done;
	}
	for (int q = 0; q < d; q++) {
		(*names)[q] = df.cols[idx[q]].name;
		for (int64_t i = 0; i < n; i++) {
			double v = df.cols[idx[q]].f[i];
			if (!isfinite(v)) {
				ret = scuot_err_set(e, SCUOT_EINPUT, "%s: sample '%s', column '%s' is %s", a->input, df.index[i],
				                    df.cols[idx[q]].name, isnan(v) ? "missing or NaN" : "infinite");
				goto done;
			}
			x[i * d + q] = v;
		}
	}
	if (w) {
		double lmax = -INFINITY;
		for (int64_t i = 0; i < n; i++) {
			double wi = jw >= 0 ? df.cols[jw].f[i] : 1, li = jl >= 0 ? df.cols[jl].f[i] : 0;
			if (!(wi >= 0) || !isfinite(wi) || isnan(li) || li == INFINITY) {
				ret = scuot_err_set(e, SCUOT_EINPUT, "%s: sample '%s' has %s %g; weights must be finite and >= 0, "
				                    "log weights finite or -inf", a->input, df.index[i], !(wi >= 0) ||
				                    !isfinite(wi) ? "weight" : "log weight", !(wi >= 0) || !isfinite(wi) ? wi : li);
				goto done;
			}
			w[i] = wi > 0 ? log(wi) + li : -INFINITY;
			if (w[i] > lmax)
				lmax = w[i];
		}
		if (lmax == -INFINITY) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: every sample has weight 0", a->input);
			goto done;
		}
		for (int64_t i = 0; i < n; i++)
			w[i] = exp(w[i] - lmax);
	}
	/* the names stay owned by df until it is cleared: copy them */
	for (int q = 0; q < d; q++)
		if (!((*names)[q] = strdup((*names)[q]))) {
			scuot_strs_free(*names, q);
			*names = NULL;
			ret = scuot_err_set(e, SCUOT_ENOMEM, "out of memory for column names");
			goto done;
		}
	*xo = x, *wo = w, *no = n, *dout = d;
	x = w = NULL;
done:
	if (ret && *names) {
		free(*names);
		*names = NULL;
	}
	free(x);
	free(w);
	scuot_df_clear(&df);
	return ret;
}

static double ess(const double *w, int64_t n)
{
	double s = 0, s2 = 0;
	for (int64_t i = 0; i < n; i++)
		s += w[i], s2 += w[i] * w[i];
	return s2 > 0 ? s * s / s2 : 0;
}

static int train(const scuot_cli *c, ug_args *a, scuot_err *e)
{
	double *x = NULL, *w = NULL, cost[4];
	int64_t n = 0, d = 0;
	char **names = NULL;
	scuot_uotgen *u = NULL;
	int ret;
	a->o.seed = c->seed;
	if ((ret = read_samples(a, &x, &w, &n, &d, &names, e)))
		goto done;
	if (a->init) {
		if (!a->lr_set)
			a->o.lr *= INIT_LR_FACTOR;
		if ((ret = scuot_uotgen_load(&u, a->init, e)))
			goto done;
		if (scuot_uotgen_dim(u) != d) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: %lld coordinates, but the model %s has %lld", a->input,
			                    (long long)d, a->init, (long long)scuot_uotgen_dim(u));
			goto done;
		}
		char *const *l = scuot_uotgen_labels(u);
		for (int64_t q = 0; l && q < d; q++)
			if (strcmp(l[q], names[q])) {
				ret = scuot_err_set(e, SCUOT_EINPUT, "%s: coordinate %lld is '%s', but the model %s was trained on "
				                    "'%s' there (order the columns with --columns)", a->input, (long long)q + 1,
				                    names[q], a->init, l[q]);
				goto done;
			}
	} else if ((ret = scuot_uotgen_new(&u, x, n, d, &a->o, e)) || (ret = scuot_uotgen_set_labels(u, names, e))) {
		goto done;
	}
	scuot_log_info("uotgen: %lld samples in %lld dimensions%s, effective sample size %.1f; %s, %lld iterations",
	               (long long)n, (long long)d, w ? " (weighted)" : "", w ? ess(w, n) : (double)n,
	               a->init ? "continuing the model's training (Algorithm 3)" : "a new model (Algorithm 2)",
	               (long long)a->o.iters);
	if ((ret = scuot_uotgen_train(u, x, w, n, &a->o, NULL, e))) {
		scuot_err_prefix(e, "%s: ", a->input);
		goto done;
	}
	scuot_uotgen_costs(u, cost);
	scuot_log_info("uotgen: last iteration J %.6g (J_KL %.6g, J_SWFR %.6g, J_R %.6g); %lld iterations in all",
	               cost[0], cost[1], cost[2], cost[3], (long long)scuot_uotgen_iterations(u));
	ret = scuot_uotgen_save(u, a->output, e);
done:
	if (names)
		scuot_strs_free(names, d);
	free(x);
	free(w);
	scuot_uotgen_free(u);
	return ret;
}

static int sample(const scuot_cli *c, const ug_args *a, scuot_err *e)
{
	scuot_uotgen *u = NULL;
	scuot_outfile *of = NULL;
	double *x = NULL, *w = NULL;
	int ret;
	if ((ret = scuot_uotgen_load(&u, a->input, e)))
		return ret;
	int64_t d = scuot_uotgen_dim(u), n = a->n;
	if (scuot_uotgen_iterations(u) == 0)
		scuot_log_warning("uotgen: %s was never trained; the samples are its initial flow", a->input);
	if (!(x = scuot_alloc((size_t)n * (size_t)d, sizeof(double), 0, "generated samples", e)) ||
	    !(w = scuot_alloc((size_t)n, sizeof(double), 0, "generated weights", e))) {
		ret = e->code;
		goto done;
	}
	if ((ret = scuot_uotgen_sample(u, n, c->seed, x, w, e)))
		goto done;
	scuot_log_info("uotgen: %lld weighted samples, effective sample size %.1f", (long long)n, ess(w, n));
	if (!(of = scuot_outfile_open(a->output, 1, e))) {
		ret = e->code;
		goto done;
	}
	char *const *l = scuot_uotgen_labels(u);
	fputs("id", of->fp);
	for (int64_t q = 0; q < d; q++)
		if (l)
			fprintf(of->fp, "\t%s", l[q]);
		else
			fprintf(of->fp, "\tx%lld", (long long)q + 1);
	fputs("\tweight\n", of->fp);
	for (int64_t i = 0; i < n; i++) {
		fprintf(of->fp, "g%lld", (long long)i + 1);
		for (int64_t q = 0; q < d; q++)
			fprintf(of->fp, "\t%.10g", x[i * d + q]);
		fprintf(of->fp, "\t%.10g\n", w[i]);
	}
	ret = scuot_outfile_commit(of, e);
	of = NULL;
done:
	scuot_outfile_abort(of);
	free(x);
	free(w);
	scuot_uotgen_free(u);
	return ret;
}

int main(int argc, char **argv)
{
	scuot_cli c;
	ug_args a;
	scuot_err e = { 0 };
	int r;
	scuot_cli_init(&c, "uotgen", argc, argv);
	memset(&a, 0, sizeof a);
	scuot_uotgen_opts_init(&a.o);
	r = parse_args(argc, argv, &c, &a);
	if (r) {
		free(a.cols_buf);
		return r == 1 ? 0 : 2;
	}
	scuot_cli_apply(&c);
	r = a.mode == 't' ? train(&c, &a, &e) : sample(&c, &a, &e);
	free(a.cols_buf);
	if (r)
		return scuot_cli_fail(&c, &e);
	scuot_cli_finish(&c);
	return 0;
}
