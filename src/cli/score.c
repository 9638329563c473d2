/* score.c -- scuot-score: distances (MMD, EMD) of predicted populations to the held-out cells of a day,
 * normalised by the source-target distance, beside the trivial baselines.  Thin executable over eval/. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "config.h"
#include "core/log.h"
#include "core/mat.h"
#include "core/outfile.h"
#include "eval/eval.h"
#include "io/h5ad.h"
#include "io/meta.h"


typedef struct score_args {
	scuot_eval_opts o;
	const char *truth, *embedding, *day_key, *output, *json, *growth, *wot_table;
	double from, at, to;
	int have_from, have_at, have_to, scale_sv;
	int n_names, n_pred;
	const char **names; /* --name values, argc entries */
	char **pred;        /* PRED.h5ad paths (argv) */
} score_args;

/* One scored population. */
typedef struct pop_row {
	char *name;
	const char *file, *kind;
	double *x, *w; /* owned */
	int64_t n;
	scuot_eval_score s;
} pop_row;

static void usage(FILE *fp, const scuot_cli *c, const score_args *a)
{
	const scuot_eval_opts *o = &a->o;
	fprintf(fp,
	        "Usage: scuot-score --truth pca.h5ad --from T0 --at T --to T1 [options] PRED.h5ad ... -o scores.tsv\n\n"
	        "Score predicted populations at day T against the cells of day T in the truth file (same\n"
	        "embedding), beside four baselines always scored: source (the cells of T0), target (of T1),\n"
	        "union (both, each half the mass) and independent (random source-target pairs (i, j), point\n"
	        "(1-s) x_i + s y_j with s = (T - T0) / (T1 - T0): Waddington-OT's random interpolation).\n"
	        "Every distance is also divided by the same distance between the source and target cells\n"
	        "(column 'normalised', the USD paper's protocol).\n\n"
	        "Inputs:\n"
	        "  --truth FILE          h5ad with the held-out cells (obs day, obsm embedding) [required]\n"
	        "  --from T0, --at T, --to T1\n"
	        "                        days: source, held-out, target; T0 < T < T1 [required]\n"
	        "  --embedding KEY       obsm key of the coordinates, in every file [%s]\n"
	        "  --day-key KEY         obs column of the day in the truth file [%s]\n"
	        "  --name LABEL          name of the next prediction, in order (repeat) [uns/scuot_interpolate/\n"
	        "                        method, else the file name]\n"
	        "  PRED.h5ad             predicted population: obsm KEY, obs 'weight' (absent: uniform),\n"
	        "                        uns/scuot_interpolate t0, t1, at checked against --from/--to/--at\n\n"
	        "Metrics:\n"
	        "  --metrics LIST        any of mmd_rff, mmd, emd, emd2, comma-separated [mmd_rff,mmd,emd,emd2]\n"
	        "                        mmd_rff: Gaussian-kernel MMD by random Fourier features, mean and sd\n"
	        "                        over the draws; mmd: exact Gaussian MMD (biased V-statistic);\n"
	        "                        emd: exact OT distance, Euclidean cost (W1); emd2: square root of the\n"
	        "                        optimal squared-Euclidean cost (W2, Waddington-OT's EMD)\n"
	        "  --rff-features N      random features per draw [%lld]\n"
	        "  --rff-draws N         independent feature draws [%d]\n"
	        "  --bandwidth B         Gaussian kernel sigma, k = exp(-|x-y|^2 / (2 B^2)) [sqrt(dimensions)]\n"
	        "  --emd-max-cells N     EMD: above N cells a side is replaced by a weighted subsample of N\n"
	        "                        draws (logged); 0 = never [%lld]\n"
	        "  --scale-singular-values\n"
	        "                        EMD only: multiply coordinate k by uns/pca/singular_values[k] of the\n"
	        "                        truth file, for embeddings of unit-norm singular vectors (Waddington-OT\n"
	        "                        scales its local PCA coordinates so). scuot-pca's X_pca already holds\n"
	        "                        those scaled scores and is refused with this option [off]\n"
	        "  --baseline-pairs N    pairs of the independent baseline [max(held-out cells, 500)]\n\n"
	        "Output:\n"
	        "  -o, --output FILE     TSV: prediction, kind, metric, value, sd, normalised, n_pred, n_truth\n"
	        "                        [required]\n"
	        "  --json FILE           summary: inputs, options, per metric the values and the best prediction\n"
	        "  --growth-column COL   obs column of per-day growth rates g in --truth: adds the baseline\n"
	        "                        independent_growth (pairs drawn with source weights g^(at - from):\n"
	        "                        Waddington-OT's random interpolation with growth)\n"
	        "  --wot-table FILE      also write Waddington-OT's validation long table (interval_start,\n"
	        "                        interval_mid, interval_end, t0, t1, cv0, cv1, name, distance, full;\n"
	        "                        names F first, L last, R random, Rg random with growth, I interpolated;\n"
	        "                        distance = emd2 as wot's earth_mover_distance) with scuot's metrics\n"
	        "                        as extra columns\n",
	        a->embedding, a->day_key, (long long)o->rff_features, o->rff_draws, (long long)o->emd_max_cells);
	scuot_cli_global_help(fp, c);
	fprintf(fp, "\nExample:\n  scuot-score --truth pca.h5ad --from 2 --at 4 --to 6 --name uot interp_uot.h5ad "
	            "-o scores.tsv --json scores.json\n");
}

/* Returns 0 to run, 1 to exit 0 (help/version), 2 on a usage error. */
static int parse_args(int argc, char **argv, scuot_cli *c, score_args *a)
{
	enum {
		OPT_TRUTH = 1, OPT_FROM, OPT_AT, OPT_TO, OPT_EMB, OPT_DAYKEY, OPT_METRICS, OPT_FEAT, OPT_DRAWS,
		OPT_BW, OPT_EMDMAX, OPT_SCALE, OPT_PAIRS, OPT_NAME, OPT_JSON, OPT_GROWTH, OPT_WOT
	};
	static const struct option lopts[] = {
		{ "truth", required_argument, NULL, OPT_TRUTH },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "at", required_argument, NULL, OPT_AT },
		{ "to", required_argument, NULL, OPT_TO },
		{ "embedding", required_argument, NULL, OPT_EMB },
		{ "day-key", required_argument, NULL, OPT_DAYKEY },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "rff-features", required_argument, NULL, OPT_FEAT },
		{ "rff-draws", required_argument, NULL, OPT_DRAWS },
		{ "bandwidth", required_argument, NULL, OPT_BW },
		{ "emd-max-cells", required_argument, NULL, OPT_EMDMAX },
		{ "scale-singular-values", no_argument, NULL, OPT_SCALE },
		{ "baseline-pairs", required_argument, NULL, OPT_PAIRS },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "growth-column", required_argument, NULL, OPT_GROWTH },
		{ "wot-table", required_argument, NULL, OPT_WOT },
		{ "output", required_argument, NULL, 'o' },
		SCUOT_CLI_GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	scuot_eval_opts *o = &a->o;
	scuot_err e = { 0 };
	int opt, r;
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
		case OPT_TRUTH: a->truth = optarg; break;
		case OPT_FROM:
			if (scuot_cli_double(c, "--from", optarg, &a->from) < 0)
				return 2;
			a->have_from = 1;
			break;
		case OPT_AT:
			if (scuot_cli_double(c, "--at", optarg, &a->at) < 0)
				return 2;
			a->have_at = 1;
			break;
		case OPT_TO:
			if (scuot_cli_double(c, "--to", optarg, &a->to) < 0)
				return 2;
			a->have_to = 1;
			break;
		case OPT_EMB: a->embedding = optarg; break;
		case OPT_DAYKEY: a->day_key = optarg; break;
		case OPT_METRICS:
			if (scuot_eval_metrics_parse(optarg, &o->metrics, &e))
				return scuot_cli_usage_error(c, "%s", e.msg);
			break;
		case OPT_FEAT:
			if (scuot_cli_int(c, "--rff-features", optarg, 1, 1000000, &o->rff_features))
				return 2;
			break;
		case OPT_DRAWS:
			if (scuot_cli_int(c, "--rff-draws", optarg, 1, 100000, &v))
				return 2;
			o->rff_draws = (int)v;
			break;
		case OPT_BW:
			if (scuot_cli_double(c, "--bandwidth", optarg, &o->bandwidth) < 0)
				return 2;
			if (!(o->bandwidth > 0))
				return scuot_cli_usage_error(c, "--bandwidth must be > 0 (got %s)", optarg);
			break;
		case OPT_EMDMAX:
			if (scuot_cli_int(c, "--emd-max-cells", optarg, 0, INT64_MAX, &o->emd_max_cells))
				return 2;
			break;
		case OPT_SCALE: a->scale_sv = 1; break;
		case OPT_PAIRS:
			if (scuot_cli_int(c, "--baseline-pairs", optarg, 1, 100000000, &o->baseline_pairs))
				return 2;
			break;
		case OPT_NAME: a->names[a->n_names++] = optarg; break;
		case OPT_JSON: a->json = optarg; break;
		case OPT_GROWTH: a->growth = optarg; break;
		case OPT_WOT: a->wot_table = optarg; break;
		case 'o': a->output = optarg; break;
		case ':': return scuot_cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		default: return scuot_cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!a->truth)
		return scuot_cli_usage_error(c, "no truth file given (--truth pca.h5ad)");
	if (!a->have_from || !a->have_at || !a->have_to)
		return scuot_cli_usage_error(c, "--from, --at and --to are all required");
	if (!(a->from < a->at && a->at < a->to))
		return scuot_cli_usage_error(c, "--at %g is not strictly between --from %g and --to %g", a->at, a->from,
		                             a->to);
	if (!a->output)
		return scuot_cli_usage_error(c, "no output file given (-o scores.tsv)");
	a->pred = argv + optind;
	a->n_pred = argc - optind;
	if (a->n_names > a->n_pred)
		return scuot_cli_usage_error(c, "%d --name labels for %d prediction files", a->n_names, a->n_pred);
	o->seed = c->seed;
	if (scuot_eval_opts_check(o, &e))
		return scuot_cli_usage_error(c, "%s", e.msg);
	return 0;
}

static int same_day(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1, fabs(a));
}

/* The embedding rows of the cells of day t (scuot_meta_day_rows: EINPUT when there are none, naming the days
 * present). */
static int day_cells(const char *path, const scuot_adata *a, const char *key, double t, const char *opt,
                     const scuot_mat *emb, pop_row *row, scuot_err *e)
{
	int64_t *r = NULL, k = 0, d = emb->ncol;
	int ret = scuot_meta_day_rows(a, key, &t, 1, path, opt, &r, &k, e);
	if (!ret && !(row->x = scuot_alloc((size_t)(k * d), sizeof(double), 0, "day cells", e)))
		ret = e->code;
	if (!ret) {
		row->n = k;
		for (int64_t i = 0; i < k; i++)
			memcpy(row->x + i * d, emb->data + r[i] * d, sizeof(double) * (size_t)d);
	}
	free(r);
	return ret;
}

static int check_finite(const char *path, const char *key, const scuot_mat *m, scuot_err *e)
{
	for (int64_t i = 0; i < m->nrow * m->ncol; i++)
		if (!isfinite(m->data[i]))
			return scuot_err_set(e, SCUOT_EINPUT, "%s: /obsm/%s: cell %lld, coordinate %lld is %g; coordinates "
			                     "must be finite", path, key, (long long)(i / m->ncol), (long long)(i % m->ncol),
			                     m->data[i]);
	return 0;
}

static const scuot_mat *get_embedding(const char *path, const scuot_adata *a, const char *key, scuot_err *e)
{
	const scuot_mat *m = scuot_adata_get_obsm(a, key);
	char keys[512] = "";
	size_t off = 0;
	if (m)
		return m;
	for (int k = 0; k < a->n_obsm && off < sizeof keys; k++)
		off += (size_t)snprintf(keys + off, sizeof keys - off, "%s%s", k ? ", " : "", a->obsm[k].key);
	scuot_err_set(e, SCUOT_EINPUT, "%s: /obsm/%s: no such embedding (obsm holds: %s); choose one with --embedding",
	              path, key, a->n_obsm ? keys : "nothing");
	return NULL;
}

/* The EMD scale factors: uns/pca/singular_values of the truth (d values), refused when the embedding
 * already holds principal-component scores (column norms over the PCA's fit cells equal them). */
static int singular_values(const char *path, const scuot_adata *a, const char *key, const scuot_mat *emb,
                           const scuot_col *daycol, double **out, scuot_err *e)
{
	const scuot_uns *pca = scuot_uns_get(&a->uns, "pca"), *sv = pca ? scuot_uns_get(pca, "singular_values") : NULL;
	const scuot_uns *fd = pca ? scuot_uns_get(pca, "fit_days") : NULL;
	int64_t d = emb->ncol, nfit = 0;
	double *norm2 = NULL;
	int scores = 1;
	if (!sv || sv->type != SCUOT_UNS_ARRAY || sv->ndim != 1)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: --scale-singular-values needs the array /uns/pca/singular_values "
		                     "(as scuot-pca writes it)", path);
	if (sv->dims[0] != d)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: /uns/pca/singular_values has %lld values but the embedding has "
		                     "%lld dimensions", path, (long long)sv->dims[0], (long long)d);
	if (!(norm2 = scuot_alloc((size_t)d, sizeof(double), 1, "column norms", e)))
		return e->code;
	for (int64_t r = 0; r < emb->nrow; r++) {
		int fit = !fd;
		if (fd && fd->type == SCUOT_UNS_ARRAY)
			for (int64_t k = 0; k < fd->dims[0] && !fit; k++)
				fit = same_day(scuot_col_num(daycol, r), fd->arr[k]);
		if (!fit)
			continue;
		nfit++;
		for (int64_t k = 0; k < d; k++)
			norm2[k] += emb->data[r * d + k] * emb->data[r * d + k];
	}
	for (int64_t k = 0; k < d; k++)
		scores &= fabs(sqrt(norm2[k]) - sv->arr[k]) <= 1e-6 * sv->arr[k];
	free(norm2);
	if (nfit && scores)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: --scale-singular-values: /obsm/%s already holds principal-component scores (its "
		                     "column norms over the %lld fit cells equal /uns/pca/singular_values). These are "
		                     "Waddington-OT's scaled coordinates (wot multiplies unit-norm singular vectors by the "
		                     "singular values); scaling again would weight component k by s_k^2. Drop the option",
		                     path, key, (long long)nfit);
	if (!(*out = scuot_alloc((size_t)d, sizeof(double), 0, "singular values", e)))
		return e->code;
	memcpy(*out, sv->arr, sizeof(double) * (size_t)d);
	scuot_log_info("EMD on coordinates multiplied by /uns/pca/singular_values (%g ... %g)", sv->arr[0], sv->arr[d - 1]);
	return 0;
}

/* Read prediction k into row: coordinates, weights, name; checks against the truth. */
static int read_prediction(const score_args *sa, int k, int64_t d, pop_row *row, scuot_err *e)
{
	const char *path = sa->pred[k];
	scuot_adata *a = NULL;
	const scuot_mat *m;
	const scuot_uns *u;
	const char *base = strrchr(path, '/');
	int ret, wc;
	row->file = path, row->kind = "method";
	if ((ret = scuot_h5ad_read(path, SCUOT_H5AD_OBS | SCUOT_H5AD_OBSM | SCUOT_H5AD_UNS, &a, e)))
		goto done;
	if (!(m = get_embedding(path, a, sa->embedding, e))) {
		ret = e->code;
		goto done;
	}
	if (m->ncol != d) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obsm/%s is %lld x %lld but %s: /obsm/%s has %lld dimensions; "
		                    "both must be in the same embedding", path, sa->embedding, (long long)m->nrow,
		                    (long long)m->ncol, sa->truth, sa->embedding, (long long)d);
		goto done;
	}
	if (m->nrow < 1) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: the prediction has no cells", path);
		goto done;
	}
	if ((ret = check_finite(path, sa->embedding, m, e)))
		goto done;
	row->n = m->nrow;
	if (!(row->x = scuot_alloc((size_t)(m->nrow * d), sizeof(double), 0, "prediction", e))) {
		ret = e->code;
		goto done;
	}
	memcpy(row->x, m->data, sizeof(double) * (size_t)(m->nrow * d));
	if ((wc = scuot_df_find(&a->obs, "weight")) >= 0) {
		const scuot_col *c = &a->obs.cols[wc];
		double sum = 0;
		if (c->type == SCUOT_COL_STRING || c->type == SCUOT_COL_CATEGORICAL) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obs/weight is not numeric", path);
			goto done;
		}
		if (!(row->w = scuot_alloc((size_t)row->n, sizeof(double), 0, "weights", e))) {
			ret = e->code;
			goto done;
		}
		for (int64_t i = 0; i < row->n; i++) {
			double w = row->w[i] = scuot_col_num(c, i);
			if (!isfinite(w) || w < 0) {
				ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obs/weight: cell %lld ('%s') has weight %g; weights "
				                    "must be finite and >= 0", path, (long long)i,
				                    a->obs.index ? a->obs.index[i] : "?", w);
				goto done;
			}
			sum += w;
		}
		if (!(sum > 0) || !isfinite(sum)) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obs/weight: the %lld weights sum to %g; the prediction "
			                    "has no mass", path, (long long)row->n, sum);
			goto done;
		}
	}
	if ((u = scuot_uns_get(&a->uns, "scuot_interpolate"))) {
		static const char *const keys[3] = { "t0", "t1", "at" };
		const double want[3] = { sa->from, sa->to, sa->at };
		static const char *const opts[3] = { "--from", "--to", "--at" };
		const scuot_uns *meth = scuot_uns_get(u, "method");
		for (int j = 0; j < 3; j++) {
			const scuot_uns *t = scuot_uns_get(u, keys[j]);
			if (t && t->type == SCUOT_UNS_NUM && !same_day(t->num, want[j])) {
				ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /uns/scuot_interpolate/%s is %g but %s is %g; the "
				                    "prediction is for another pair of days or time", path, keys[j], t->num,
				                    opts[j], want[j]);
				goto done;
			}
		}
		if (k >= sa->n_names && meth && meth->type == SCUOT_UNS_STR && meth->str && *meth->str &&
		    !(row->name = scuot_strdup(meth->str, e))) {
			ret = e->code;
			goto done;
		}
	}
	if (!row->name && !(row->name = scuot_strdup(k < sa->n_names ? sa->names[k] : base ? base + 1 : path, e))) {
		ret = e->code;
		goto done;
	}
	scuot_log_info("%s: prediction '%s', %lld cells%s", path, row->name, (long long)row->n,
	               row->w ? ", weighted" : "");
done:
	scuot_adata_free(a);
	return ret;
}

static void put_num(FILE *fp, double v)
{
	if (isnan(v))
		fputs("NA", fp);
	else
		fprintf(fp, "%.10g", v);
}

static void json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(fp, "\\u%04x", ch);
		else
			fputc(ch, fp);
	}
	fputc('"', fp);
}

static void json_num(FILE *fp, double v)
{
	if (isfinite(v))
		fprintf(fp, "%.10g", v);
	else
		fputs("null", fp);
}

static int write_tsv(const score_args *sa, const pop_row *rows, int nrow, int64_t n_truth, scuot_err *e)
{
	scuot_outfile *o = scuot_outfile_open(sa->output, 1, e);
	if (!o)
		return e->code;
	fprintf(o->fp, "prediction\tkind\tmetric\tvalue\tsd\tnormalised\tn_pred\tn_truth\n");
	for (int r = 0; r < nrow; r++)
		for (int k = 0; k < SCUOT_EVAL_NMETRIC; k++) {
			if (!(sa->o.metrics & 1u << k))
				continue;
			fprintf(o->fp, "%s\t%s\t%s\t", rows[r].name, rows[r].kind, scuot_eval_metric_name(k));
			put_num(o->fp, rows[r].s.value[k]);
			fputc('\t', o->fp);
			put_num(o->fp, rows[r].s.sd[k]);
			fputc('\t', o->fp);
			put_num(o->fp, rows[r].s.normalised[k]);
			fprintf(o->fp, "\t%lld\t%lld\n", (long long)rows[r].n, (long long)n_truth);
		}
	return scuot_outfile_commit(o, e);
}

static int write_json(const scuot_cli *c, const score_args *sa, const scuot_eval *ev, const pop_row *rows, int nrow,
                      int npred, int64_t n_truth, int64_t d, scuot_err *e)
{
	scuot_outfile *o = scuot_outfile_open(sa->json, 1, e);
	FILE *fp;
	int first;
	if (!o)
		return e->code;
	fp = o->fp;
	fprintf(fp, "{\n  \"scuot_version\": ");
	json_str(fp, PACKAGE_VERSION);
	fprintf(fp, ",\n  \"command\": ");
	json_str(fp, c->cmdline);
	fprintf(fp, ",\n  \"truth\": {\"file\": ");
	json_str(fp, sa->truth);
	fprintf(fp, ", \"embedding\": ");
	json_str(fp, sa->embedding);
	fprintf(fp, ", \"day_key\": ");
	json_str(fp, sa->day_key);
	fprintf(fp, ", \"from\": %.10g, \"at\": %.10g, \"to\": %.10g, \"n_truth\": %lld, \"n_source\": %lld, "
	            "\"n_target\": %lld, \"dimensions\": %lld},\n",
	        sa->from, sa->at, sa->to, (long long)n_truth, (long long)rows[npred].n, (long long)rows[npred + 1].n,
	        (long long)d);
	fprintf(fp, "  \"options\": {\"metrics\": [");
	first = 1;
	for (int k = 0; k < SCUOT_EVAL_NMETRIC; k++)
		if (sa->o.metrics & 1u << k) {
			fprintf(fp, "%s\"%s\"", first ? "" : ", ", scuot_eval_metric_name(k));
			first = 0;
		}
	fprintf(fp, "], \"rff_features\": %lld, \"rff_draws\": %d, \"bandwidth\": %.10g, \"emd_max_cells\": %lld, "
	            "\"scale_singular_values\": %s, \"baseline_pairs\": %lld, \"seed\": %llu},\n",
	        (long long)sa->o.rff_features, sa->o.rff_draws, scuot_eval_bandwidth(ev), (long long)sa->o.emd_max_cells,
	        sa->scale_sv ? "true" : "false", (long long)rows[nrow - 1].n, (unsigned long long)sa->o.seed);
	fprintf(fp, "  \"populations\": [");
	for (int r = 0; r < nrow; r++) {
		fprintf(fp, "%s\n    {\"name\": ", r ? "," : "");
		json_str(fp, rows[r].name);
		fprintf(fp, ", \"kind\": \"%s\", \"n\": %lld, \"file\": ", rows[r].kind, (long long)rows[r].n);
		if (rows[r].file)
			json_str(fp, rows[r].file);
		else
			fputs("null", fp);
		fputc('}', fp);
	}
	fprintf(fp, "\n  ],\n  \"metrics\": {");
	first = 1;
	for (int k = 0; k < SCUOT_EVAL_NMETRIC; k++) {
		int best = -1;
		if (!(sa->o.metrics & 1u << k))
			continue;
		fprintf(fp, "%s\n    \"%s\": {\"source_target\": ", first ? "" : ",", scuot_eval_metric_name(k));
		json_num(fp, scuot_eval_source_target(ev, k));
		static const char *const fields[3] = { "values", "sd", "normalised" };
		for (int f = 0; f < 3; f++) {
			fprintf(fp, ", \"%s\": {", fields[f]);
			for (int r = 0; r < nrow; r++) {
				const double *v = f == 0 ? rows[r].s.value : f == 1 ? rows[r].s.sd : rows[r].s.normalised;
				fprintf(fp, "%s", r ? ", " : "");
				json_str(fp, rows[r].name);
				fputs(": ", fp);
				json_num(fp, v[k]);
			}
			fputc('}', fp);
		}
		for (int r = 0; r < npred; r++)
			if (best < 0 || rows[r].s.value[k] < rows[best].s.value[k])
				best = r;
		fprintf(fp, ", \"best\": ");
		if (best >= 0)
			json_str(fp, rows[best].name);
		else
			fputs("null", fp);
		fputc('}', fp);
		first = 0;
	}
	fprintf(fp, "\n  }\n}\n");
	return scuot_outfile_commit(o, e);
}

/* Weights g_i^(at - from) of the source cells (in file order) from the growth column of the truth. */
static int growth_weights(const score_args *sa, const scuot_adata *t, const scuot_col *day, double **out,
                          scuot_err *e)
{
	int gc = scuot_df_find(&t->obs, sa->growth);
	int64_t k = 0;
	if (gc < 0)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: /obs/%s: no such column (--growth-column)", sa->truth, sa->growth);
	if (!(*out = scuot_alloc((size_t)t->n_obs, sizeof(double), 0, "growth weights", e)))
		return e->code;
	for (int64_t r = 0; r < t->n_obs; r++) {
		if (!same_day(scuot_col_num(day, r), sa->from))
			continue;
		double g = scuot_col_num(&t->obs.cols[gc], r);
		if (!(g > 0) || !isfinite(g))
			return scuot_err_set(e, SCUOT_EINPUT, "%s: /obs/%s: cell %s has growth rate %g; growth rates must be "
			                     "positive and finite", sa->truth, sa->growth, t->obs.index[r], g);
		(*out)[k++] = pow(g, sa->at - sa->from);
	}
	return 0;
}

/* Waddington-OT's validation table (wot optimal_transport_validation: names F, L, R, Rg, I), with scuot's
 * metrics beside it.  distance is emd2 (sqrt of exact OT with squared Euclidean cost). */
static int write_wot(const score_args *sa, scuot_eval *ev, const scuot_eval_pop *truth, const pop_row *rows, int nrow,
                     scuot_err *e)
{
	scuot_outfile *o = scuot_outfile_open(sa->wot_table, 1, e);
	if (!o)
		return e->code;
	fprintf(o->fp, "interval_start\tinterval_mid\tinterval_end\tt0\tt1\tcv0\tcv1\tname\tdistance\tfull\tprediction");
	for (int k = 0; k < SCUOT_EVAL_NMETRIC; k++)
		if (sa->o.metrics & 1u << k)
			fprintf(o->fp, "\t%s\t%s_normalised", scuot_eval_metric_name(k), scuot_eval_metric_name(k));
	fputc('\n', o->fp);
	for (int r = 0; r < nrow; r++) {
		const char *name = "I";
		double t0 = sa->at;
		if (!strcmp(rows[r].kind, "baseline")) {
			if (!strcmp(rows[r].name, "source"))
				name = "F", t0 = sa->from;
			else if (!strcmp(rows[r].name, "target"))
				name = "L", t0 = sa->to;
			else if (!strcmp(rows[r].name, "independent"))
				name = "R";
			else if (!strcmp(rows[r].name, "independent_growth"))
				name = "Rg";
			else
				continue; /* the union has no Waddington-OT analogue */
		}
		double dist = rows[r].s.value[SCUOT_EVAL_EMD2], sd;
		if (!(sa->o.metrics & 1u << SCUOT_EVAL_EMD2)) {
			scuot_eval_pop p = { rows[r].name, rows[r].x, rows[r].w, rows[r].n, 16 + (uint64_t)r };
			int ret = scuot_eval_distance(ev, SCUOT_EVAL_EMD2, &p, truth, &dist, &sd, e);
			if (ret) {
				scuot_outfile_abort(o);
				return ret;
			}
		}
		fprintf(o->fp, "%g\t%g\t%g\t%g\t%g\t\t\t%s\t", sa->from, sa->at, sa->to, t0, sa->at, name);
		put_num(o->fp, dist);
		fprintf(o->fp, "\tTrue\t%s", rows[r].name);
		for (int k = 0; k < SCUOT_EVAL_NMETRIC; k++)
			if (sa->o.metrics & 1u << k) {
				fputc('\t', o->fp);
				put_num(o->fp, rows[r].s.value[k]);
				fputc('\t', o->fp);
				put_num(o->fp, rows[r].s.normalised[k]);
			}
		fputc('\n', o->fp);
	}
	return scuot_outfile_commit(o, e);
}

static int run(const scuot_cli *c, const score_args *sa, scuot_err *e)
{
	scuot_adata *t = NULL;
	scuot_eval *ev = NULL;
	pop_row *rows = NULL, truth = { 0 };
	const scuot_mat *emb;
	double *scale = NULL;
	int nbase = sa->growth ? 5 : 4, nrow = sa->n_pred + nbase, ret, dc;
	double *gw = NULL; /* growth weights of the source cells */
	int64_t d, npairs;
	if (!(rows = scuot_alloc((size_t)nrow, sizeof *rows, 1, "populations", e)))
		return e->code;
	if ((ret = scuot_h5ad_read(sa->truth, SCUOT_H5AD_OBS | SCUOT_H5AD_OBSM | SCUOT_H5AD_UNS, &t, e)))
		goto done;
	if (!(emb = get_embedding(sa->truth, t, sa->embedding, e))) {
		ret = e->code;
		goto done;
	}
	d = emb->ncol;
	if ((dc = scuot_df_find(&t->obs, sa->day_key)) < 0) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obs/%s: no such column; name the day column with --day-key",
		                    sa->truth, sa->day_key);
		goto done;
	}
	if ((ret = check_finite(sa->truth, sa->embedding, emb, e)) ||
	    (ret = day_cells(sa->truth, t, sa->day_key, sa->at, "--at", emb, &truth, e)) ||
	    (ret = day_cells(sa->truth, t, sa->day_key, sa->from, "--from", emb, &rows[sa->n_pred], e)) ||
	    (ret = day_cells(sa->truth, t, sa->day_key, sa->to, "--to", emb, &rows[sa->n_pred + 1], e)))
		goto done;
	if (sa->growth && (ret = growth_weights(sa, t, &t->obs.cols[dc], &gw, e)))
		goto done;
	if (sa->scale_sv && (ret = singular_values(sa->truth, t, sa->embedding, emb, &t->obs.cols[dc], &scale, e)))
		goto done;
	scuot_log_info("%s: %lld held-out cells of day %g, %lld source cells (day %g), %lld target cells (day %g), "
	               "%lld dimensions", sa->truth, (long long)truth.n, sa->at, (long long)rows[sa->n_pred].n, sa->from,
	               (long long)rows[sa->n_pred + 1].n, sa->to, (long long)d);
	scuot_adata_free(t);
	t = NULL;
	for (int k = 0; k < sa->n_pred; k++)
		if ((ret = read_prediction(sa, k, d, &rows[k], e)))
			goto done;
	/* baselines */
	scuot_eval_pop src = { "source", rows[sa->n_pred].x, NULL, rows[sa->n_pred].n, 1 };
	scuot_eval_pop tgt = { "target", rows[sa->n_pred + 1].x, NULL, rows[sa->n_pred + 1].n, 2 };
	scuot_eval_pop tru = { "truth", truth.x, NULL, truth.n, 0 };
	pop_row *b = rows + sa->n_pred;
	static const char *const bnames[5] = { "source", "target", "union", "independent", "independent_growth" };
	for (int k = 0; k < nbase; k++)
		if (!(b[k].name = scuot_strdup(bnames[k], e))) {
			ret = e->code;
			goto done;
		}
	for (int k = 0; k < nbase; k++)
		b[k].kind = "baseline";
	if ((ret = scuot_eval_union(&src, &tgt, d, &b[2].x, &b[2].w, e)))
		goto done;
	b[2].n = src.n + tgt.n;
	npairs = sa->o.baseline_pairs ? sa->o.baseline_pairs : truth.n > 500 ? truth.n : 500;
	if ((ret = scuot_eval_independent(&src, &tgt, d, (sa->at - sa->from) / (sa->to - sa->from), npairs, sa->o.seed,
	                                  0x494e4400u, &b[3].x, e)))
		goto done;
	b[3].n = npairs;
	if (sa->growth) {
		scuot_eval_pop srcg = { "source", rows[sa->n_pred].x, gw, rows[sa->n_pred].n, 1 };
		if ((ret = scuot_eval_independent(&srcg, &tgt, d, (sa->at - sa->from) / (sa->to - sa->from), npairs,
		                                  sa->o.seed, 0x494e4447u, &b[4].x, e)))
			goto done;
		b[4].n = npairs;
	}
	if (!(ev = scuot_eval_new(&sa->o, d, &tru, &src, &tgt, scale, e))) {
		ret = e->code;
		goto done;
	}
	scuot_log_info("kernel bandwidth %g", scuot_eval_bandwidth(ev));
	for (int k = 0; k < SCUOT_EVAL_NMETRIC; k++)
		if (sa->o.metrics & 1u << k)
			scuot_log_info("%s between source and target: %g", scuot_eval_metric_name(k),
			               scuot_eval_source_target(ev, k));
	for (int r = 0; r < nrow; r++) {
		scuot_eval_pop p = { rows[r].name, rows[r].x, rows[r].w, rows[r].n, 16 + (uint64_t)r };
		if (r >= sa->n_pred && r < sa->n_pred + 2)
			p.id = (uint64_t)(r - sa->n_pred + 1); /* source and target: the normaliser's subsamples */
		if ((ret = scuot_eval_score_pop(ev, &p, &rows[r].s, e))) {
			scuot_err_prefix(e, "%s: ", rows[r].file ? rows[r].file : rows[r].name);
			goto done;
		}
		char line[256];
		size_t off = 0;
		for (int k = 0; k < SCUOT_EVAL_NMETRIC && off < sizeof line; k++)
			if (sa->o.metrics & 1u << k)
				off += (size_t)snprintf(line + off, sizeof line - off, " %s %.4g", scuot_eval_metric_name(k),
				                        rows[r].s.normalised[k]);
		scuot_log_info("%s (%s), normalised:%s", rows[r].name, rows[r].kind, line);
	}
	if ((ret = write_tsv(sa, rows, nrow, truth.n, e)))
		goto done;
	if (sa->json && (ret = write_json(c, sa, ev, rows, nrow, sa->n_pred, truth.n, d, e))) {
		remove(sa->output);
		goto done;
	}
	if (sa->wot_table && (ret = write_wot(sa, ev, &tru, rows, nrow, e))) {
		remove(sa->output);
		if (sa->json)
			remove(sa->json);
		goto done;
	}
	scuot_log_info("wrote %s%s%s", sa->output, sa->json ? " and " : "", sa->json ? sa->json : "");
done:
	scuot_adata_free(t);
	scuot_eval_free(ev);
	free(scale);
	free(gw);
	free(truth.x);
	for (int r = 0; r < nrow; r++) {
		free(rows[r].name);
		free(rows[r].x);
		free(rows[r].w);
	}
	free(rows);
	return ret;
}

int main(int argc, char **argv)
{
	scuot_cli c;
	score_args a;
	scuot_err e = { 0 };
	int r;
	scuot_cli_init(&c, "score", argc, argv);
	memset(&a, 0, sizeof a);
	scuot_eval_opts_init(&a.o);
	a.embedding = "X_pca";
	a.day_key = "day";
	if (!(a.names = calloc((size_t)argc + 1, sizeof *a.names))) {
		fprintf(stderr, "scuot-score: error: out of memory\n");
		return 1;
	}
	r = parse_args(argc, argv, &c, &a);
	if (r) {
		free(a.names);
		return r == 1 ? 0 : 2;
	}
	scuot_cli_apply(&c);
	r = run(&c, &a, &e);
	free(a.names);
	if (r)
		return scuot_cli_fail(&c, &e);
	scuot_cli_finish(&c);
	return 0;
}
