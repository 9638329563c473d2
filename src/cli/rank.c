/* rank.c -- scuot-rank: per source cell scaling factors of transport results (rank, percentile, obs
 * annotations), Spearman comparison of methods, and growth genes.  Thin executable over src/lib/rank. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/log.h"
#include "core/mat.h"
#include "core/outfile.h"
#include "core/strmap.h"
#include "io/h5ad.h"
#include "io/result.h"
#include "io/tmap.h"
#include "rank/rank.h"

#define MAX_ANNOT 32

/* outputs committed by this run, removed again when a later step fails */
static int wrote_genes, wrote_compare;

typedef struct rank_args {
	const char *method, *obs, *annotate, *expr, *genes, *compare, *output;
	double top_fraction;
	int n_res;
	char **res;
	int n_annot;
	char *annot[MAX_ANNOT];
	char *annot_buf;
} rank_args;

static void usage(FILE *fp, const scuot_cli *c, const rank_args *a)
{
	fprintf(
	    fp,
	    "Usage: scuot-rank [options] RESULT.h5 ... -o cells.tsv [--genes genes.tsv --expr norm.h5ad]\n\n"
	    "Rank the source cells of transport results by their scaling factor (row sum of the coupling\n"
	    "divided by the cell's mass: growth), compare methods' rankings, and find the genes that set "
	    "the\n"
	    "fastest-growing cells apart.\n\n"
	    "Inputs:\n"
	    "  RESULT.h5             transport results (scuot-transport); several results must share the "
	    "days\n"
	    "                        when --compare is given\n"
	    "  --method NAME         refuse results of any other method [any]\n"
	    "  --obs FILE.h5ad       h5ad whose obs columns annotate the cells (matched by obs name) "
	    "[--expr]\n"
	    "  --annotate LIST       obs columns to pass through, comma-separated (e.g. cluster,lineage)\n"
	    "  --expr norm.h5ad      log-normalised expression (X, genes = var), cells matched by obs name "
	    "to\n"
	    "                        the result's source cells; needed by --genes\n\n"
	    "Growth genes:\n"
	    "  --top-fraction F      the top group: fraction F of source cells with the largest scaling\n"
	    "                        factor, 0 < F < 1 [%g]\n"
	    "  --genes FILE          TSV per method: Welch t-test and Wilcoxon rank-sum (tie-corrected "
	    "normal\n"
	    "                        approximation) of top vs rest, log2 fold change, detection rates,\n"
	    "                        Benjamini-Hochberg FDR; sorted by Wilcoxon z (up in the top cells "
	    "first)\n\n"
	    "Outputs:\n"
	    "  -o, --output FILE     TSV: method, from, to, cell, day, scaling, log2_scaling, rank (1 = "
	    "largest),\n"
	    "                        percentile, top (1 = in the top group), posterior_growth_rate ((a_i n\n"
	    "                        scaling_i)^(1/(to - from)) per day, as moscot), then the --annotate columns\n"
	    "                        [required]\n"
	    "  --compare FILE        TSV matrix of Spearman correlations between the results' scaling "
	    "factors\n"
	    "                        (needs at least 2 results of the same pair of days)\n",
	    a->top_fraction);
	scuot_cli_global_help(fp, c);
	fprintf(
	    fp,
	    "\nExample:\n  scuot-rank uot_2_4.h5 emd_2_4.h5 --expr norm.h5ad --annotate lineage -o cells.tsv "
	    "--genes genes.tsv --compare spearman.tsv\n");
}

static int split_annot(scuot_cli *c, rank_args *a, const char *list)
{
	char *p;
	free(a->annot_buf);
	a->n_annot = 0;
	if (!(a->annot_buf = strdup(list)))
		return scuot_cli_usage_error(c, "out of memory");
	for (p = strtok(a->annot_buf, ","); p; p = strtok(NULL, ",")) {
		if (a->n_annot == MAX_ANNOT)
			return scuot_cli_usage_error(c, "--annotate: at most %d columns", MAX_ANNOT);
		a->annot[a->n_annot++] = p;
	}
	if (!a->n_annot)
		return scuot_cli_usage_error(c, "--annotate: no column named");
	return 0;
}

/* Returns 0 to run, 1 to exit 0 (help/version), 2 on a usage error. */
static int parse_args(int argc, char **argv, scuot_cli *c, rank_args *a)
{
	enum { OPT_METHOD = 1, OPT_OBS, OPT_ANNOT, OPT_EXPR, OPT_GENES, OPT_TOP, OPT_COMPARE };
	static const struct option lopts[] = { { "method", required_argument, NULL, OPT_METHOD },
					       { "obs", required_argument, NULL, OPT_OBS },
					       { "annotate", required_argument, NULL, OPT_ANNOT },
					       { "expr", required_argument, NULL, OPT_EXPR },
					       { "genes", required_argument, NULL, OPT_GENES },
					       { "top-fraction", required_argument, NULL, OPT_TOP },
					       { "compare", required_argument, NULL, OPT_COMPARE },
					       { "output", required_argument, NULL, 'o' },
					       SCUOT_CLI_GLOBAL_LONGOPTS,
					       { NULL, 0, NULL, 0 } };
	int opt, r;
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
		case OPT_METHOD: a->method = optarg; break;
		case OPT_OBS: a->obs = optarg; break;
		case OPT_ANNOT:
			if (split_annot(c, a, optarg))
				return 2;
			break;
		case OPT_EXPR: a->expr = optarg; break;
		case OPT_GENES: a->genes = optarg; break;
		case OPT_TOP:
			if (scuot_cli_double(c, "--top-fraction", optarg, &a->top_fraction) < 0)
				return 2;
			if (!(a->top_fraction > 0 && a->top_fraction < 1))
				return scuot_cli_usage_error(
				    c, "--top-fraction %s is not in (0, 1); e.g. 0.1 for the top 10%%",
				    optarg);
			break;
		case OPT_COMPARE: a->compare = optarg; break;
		case 'o': a->output = optarg; break;
		case ':': return scuot_cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		default: return scuot_cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
		}
	}
	a->res = argv + optind;
	a->n_res = argc - optind;
	if (!a->n_res)
		return scuot_cli_usage_error(c, "no transport result given (RESULT.h5 from scuot-transport)");
	if (!a->output)
		return scuot_cli_usage_error(c, "no output file given (-o cells.tsv)");
	if (a->genes && !a->expr)
		return scuot_cli_usage_error(c, "--genes needs the expression file (--expr norm.h5ad)");
	if (a->n_annot && !a->obs && !a->expr)
		return scuot_cli_usage_error(
		    c, "--annotate needs an h5ad with the obs columns (--obs or --expr)");
	if (a->compare && a->n_res < 2)
		return scuot_cli_usage_error(c, "--compare needs at least 2 results (got %d)", a->n_res);
	return 0;
}

/* Rows of the h5ad for each source cell of r (by obs name); EINPUT naming the missing cells. */
static int match_cells(const char *path, const scuot_adata *ad, const scuot_ot_result *r, const char *rpath,
		       int64_t *row, scuot_err *e)
{
	scuot_strmap *m = scuot_strmap_index(ad->obs.index, ad->n_obs, path, e);
	int64_t missing = 0, first = -1;
	if (!m)
		return e->code;
	for (int64_t i = 0; i < r->n; i++)
		if ((row[i] = scuot_strmap_get(m, r->source_ids.a[i])) < 0 && !missing++)
			first = i;
	scuot_strmap_free(m);
	if (missing)
		return scuot_err_set(
		    e, SCUOT_EINPUT,
		    "%s: %lld of the %lld source cells of %s (day %g) are not in its obs "
		    "index, e.g. '%s'; give the h5ad these cells came from (the same scuot-ingest run)",
		    path, (long long)missing, (long long)r->n, rpath, r->t0, r->source_ids.a[first]);
	return 0;
}

static int check_result(const char *path, const scuot_ot_result *r, scuot_err *e)
{
	if (r->n < 1 || !r->scaling)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: /marginals/scaling: no scaling factors", path);
	if (r->source_ids.n != r->n)
		return scuot_err_set(e, SCUOT_EINPUT,
				     "%s: /problem/source_ids has %lld names for %lld source cells", path,
				     (long long)r->source_ids.n, (long long)r->n);
	for (int64_t i = 0; i < r->n; i++)
		if (!isfinite(r->scaling[i]) || r->scaling[i] < 0)
			return scuot_err_set(
			    e, SCUOT_EINPUT,
			    "%s: /marginals/scaling: cell %lld ('%s') has scaling factor %g; "
			    "factors must be finite and >= 0",
			    path, (long long)i, r->source_ids.a[i], r->scaling[i]);
	return 0;
}

/* A result file, or a transport map (.h5ad, Waddington-OT's layout or scuot-transport --export-tmap): its
 * coupling gives the scaling factors; the coordinates are not needed here. */
static int read_input(const rank_args *a, const char *path, scuot_ot_result **out, scuot_err *e)
{
	size_t len = strlen(path);
	if (len < 5 || strcmp(path + len - 5, ".h5ad"))
		return scuot_result_read(path, a->method, out, e);
	scuot_adata *t = NULL;
	double *zero = NULL, t0, t1;
	int ret;
	if ((ret = scuot_h5ad_read(path, SCUOT_H5AD_X | SCUOT_H5AD_OBS | SCUOT_H5AD_VAR | SCUOT_H5AD_UNS, &t, e)) ||
	    (ret = scuot_tmap_days(t, path, &t0, &t1, e)))
		goto done;
	if (!(zero = scuot_alloc((size_t)(t->n_obs > t->n_var ? t->n_obs : t->n_var) + 1, sizeof(double), 1,
	                         "coordinates", e))) {
		ret = e->code;
		goto done;
	}
	if ((ret = scuot_tmap_to_result(t, path, zero, zero, 1, t0, t1, out, e)))
		goto done;
	if (a->method && strcmp((*out)->method, a->method)) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: holds a map of method %s, expected %s", path, (*out)->method,
		                    a->method);
		scuot_ot_result_free(*out);
		*out = NULL;
	}
done:
	free(zero);
	scuot_adata_free(t);
	return ret;
}

static int write_cells(const rank_args *a, scuot_ot_result **res, const scuot_adata *obs, int64_t **obs_rows,
		       const int *acol, uint8_t **top, scuot_err *e)
{
	scuot_outfile *o = scuot_outfile_open(a->output, 1, e);
	int64_t *rank = NULL;
	char buf[256];
	int ret = 0;
	if (!o)
		return e->code;
	fprintf(o->fp, "method\tfrom\tto\tcell\tday\tscaling\tlog2_scaling\trank\tpercentile\ttop\t"
	            "posterior_growth_rate");
	for (int k = 0; k < a->n_annot; k++)
		fprintf(o->fp, "\t%s", a->annot[k]);
	fputc('\n', o->fp);
	for (int q = 0; q < a->n_res; q++) {
		const scuot_ot_result *r = res[q];
		free(rank);
		if (!(rank = scuot_alloc((size_t)r->n, sizeof *rank, 0, "ranks", e)) ||
		    (ret = scuot_rank_desc(r->scaling, r->n, rank, e))) {
			ret = e->code;
			goto fail;
		}
		for (int64_t i = 0; i < r->n; i++) {
			fprintf(o->fp, "%s\t%g\t%g\t%s\t%g\t%.10g\t", r->method, r->t0, r->t1,
				r->source_ids.a[i], r->t0, r->scaling[i]);
			if (r->scaling[i] > 0)
				fprintf(o->fp, "%.6g", log2(r->scaling[i]));
			else
				fputs("-inf", o->fp);
			fprintf(o->fp, "\t%lld\t%.4f\t%s\t%.6g", (long long)rank[i],
				scuot_rank_percentile(rank[i], r->n),
				top && top[q] ? (top[q][i] ? "1" : "0") : "NA",
				pow(r->a[i] * (double)r->n * r->scaling[i], 1.0 / (r->t1 - r->t0)));
			for (int k = 0; k < a->n_annot; k++) {
				const char *s = scuot_col_text(&obs->obs.cols[acol[k]], obs_rows[q][i], buf,
							       (int)sizeof buf);
				fputc('\t', o->fp);
				for (; *s; s++) /* keep the table rectangular */
					fputc(*s == '\t' || *s == '\n' ? ' ' : *s, o->fp);
			}
			fputc('\n', o->fp);
		}
	}
	free(rank);
	return scuot_outfile_commit(o, e);
fail:
	free(rank);
	scuot_outfile_abort(o);
	return ret;
}

static int write_compare(const rank_args *a, scuot_ot_result **res, scuot_err *e)
{
	scuot_outfile *o = NULL;
	double *y = NULL, *rho = NULL;
	scuot_strmap *m = NULL;
	const scuot_ot_result *r0 = res[0];
	int ret = 0, n = a->n_res;
	if (!(y = scuot_alloc((size_t)r0->n, sizeof *y, 0, "scaling", e)) ||
	    !(rho = scuot_alloc((size_t)n * (size_t)n, sizeof *rho, 0, "correlations", e)) ||
	    !(m = scuot_strmap_index(r0->source_ids.a, r0->n, a->res[0], e))) {
		ret = e->code;
		goto done;
	}
	for (int q = 1; q < n; q++) {
		const scuot_ot_result *r = res[q];
		if (r->t0 != r0->t0 || r->t1 != r0->t1 || r->n != r0->n) {
			ret = scuot_err_set(
			    e, SCUOT_EINPUT,
			    "%s: days %g -> %g with %lld source cells, but %s has days %g -> %g "
			    "with %lld; --compare needs results of the same pair of days",
			    a->res[q], r->t0, r->t1, (long long)r->n, a->res[0], r0->t0, r0->t1,
			    (long long)r0->n);
			goto done;
		}
		for (int64_t i = 0; i < r->n; i++)
			if (scuot_strmap_get(m, r->source_ids.a[i]) < 0) {
				ret = scuot_err_set(
				    e, SCUOT_EINPUT,
				    "%s: source cell '%s' is not a source cell of %s; --compare "
				    "needs results on the same cells",
				    a->res[q], r->source_ids.a[i], a->res[0]);
				goto done;
			}
	}
	for (int p = 0; p < n; p++)
		for (int q = 0; q < n; q++) {
			/* the scaling factors of q in the cell order of result 0 */
			for (int64_t i = 0; i < r0->n; i++)
				y[scuot_strmap_get(m, res[q]->source_ids.a[i])] = res[q]->scaling[i];
			double *x = NULL;
			if (!(x = scuot_alloc((size_t)r0->n, sizeof *x, 0, "scaling", e))) {
				ret = e->code;
				goto done;
			}
			for (int64_t i = 0; i < r0->n; i++)
				x[scuot_strmap_get(m, res[p]->source_ids.a[i])] = res[p]->scaling[i];
			ret = r0->n < 2 ? (rho[p * n + q] = NAN, 0)
					: scuot_rank_spearman(x, y, r0->n, &rho[p * n + q], e);
			free(x);
			if (ret)
				goto done;
		}
	if (!(o = scuot_outfile_open(a->compare, 1, e))) {
		ret = e->code;
		goto done;
	}
	fprintf(o->fp, "method");
	for (int q = 0; q < n; q++)
		fprintf(o->fp, "\t%s", res[q]->method);
	fputc('\n', o->fp);
	for (int p = 0; p < n; p++) {
		fprintf(o->fp, "%s", res[p]->method);
		for (int q = 0; q < n; q++)
			if (isnan(rho[p * n + q]))
				fprintf(o->fp, "\tNA");
			else
				fprintf(o->fp, "\t%.6f", rho[p * n + q]);
		fputc('\n', o->fp);
		if (n <= 8)
			for (int q = p + 1; q < n; q++)
				scuot_log_info("Spearman %s vs %s: %.4f", res[p]->method, res[q]->method,
					       rho[p * n + q]);
	}
	ret = scuot_outfile_commit(o, e);
	o = NULL;
	wrote_compare = !ret;
done:
	scuot_outfile_abort(o);
	scuot_strmap_free(m);
	free(y);
	free(rho);
	return ret;
}

static void put_g(FILE *fp, double v)
{
	if (isnan(v))
		fputs("NA", fp);
	else if (isinf(v))
		fputs(v > 0 ? "inf" : "-inf", fp);
	else
		fprintf(fp, "%.6g", v);
}

/* Growth genes of each result into one TSV; top[q] receive the top-group flags. */
static int growth_genes(const rank_args *a, scuot_ot_result **res, const scuot_adata *ex, uint8_t **top,
			scuot_err *e)
{
	scuot_outfile *o = NULL;
	scuot_csr *sub = NULL;
	scuot_rank_de *de = NULL;
	int64_t *rows = NULL, n1;
	int ret = 0;
	if (!ex->X)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: no expression matrix X", a->expr);
	if (!(de = scuot_alloc((size_t)(ex->n_var ? ex->n_var : 1), sizeof *de, 0, "gene statistics", e)))
		return e->code;
	if (!(o = scuot_outfile_open(a->genes, 1, e))) {
		ret = e->code;
		goto done;
	}
	fprintf(o->fp, "method\tfrom\tto\trank\tgene\tmean_top\tmean_rest\tdet_top\tdet_rest\tlog2fc\tt\tt_"
		       "df\tt_p\tt_fdr"
		       "\twilcoxon_u\twilcoxon_z\twilcoxon_p\twilcoxon_fdr\tn_top\tn_rest\n");
	for (int q = 0; q < a->n_res; q++) {
		const scuot_ot_result *r = res[q];
		if (!(rows = scuot_alloc((size_t)r->n, sizeof *rows, 0, "cell rows", e))) {
			ret = e->code;
			goto done;
		}
		if ((ret = match_cells(a->expr, ex, r, a->res[q], rows, e)))
			goto done;
		if (!(sub = scuot_csr_select_rows(ex->X, rows, r->n, e))) {
			ret = e->code;
			goto done;
		}
		if ((ret = scuot_rank_top_group(r->scaling, r->n, a->top_fraction, top[q], &n1, e))) {
			scuot_err_prefix(e, "%s: ", a->res[q]);
			ret = SCUOT_EINPUT;
			e->code = ret;
			goto done;
		}
		double lo = r->scaling[0], hi = r->scaling[0];
		for (int64_t i = 1; i < r->n; i++)
			lo = r->scaling[i] < lo ? r->scaling[i] : lo,
			hi = r->scaling[i] > hi ? r->scaling[i] : hi;
		if (hi - lo <= 1e-9 * hi)
			scuot_log_warning(
			    "%s: every source cell has scaling factor %g (a balanced method such as %s); the "
			    "top "
			    "group is the first cells in file order and its growth genes mean nothing",
			    a->res[q], hi, r->method);
		if ((ret = scuot_rank_de_run(sub, top[q], de, e)))
			goto done;
		scuot_rank_de_sort(de, ex->n_var);
		int64_t nsig = 0;
		for (int64_t g = 0; g < ex->n_var; g++) {
			const scuot_rank_de *d = &de[g];
			char buf[256];
			nsig += d->w_fdr < 0.05;
			fprintf(o->fp, "%s\t%g\t%g\t%lld\t%s", r->method, r->t0, r->t1, (long long)g + 1,
				ex->var.index ? ex->var.index[d->gene]
					      : (snprintf(buf, sizeof buf, "%lld", (long long)d->gene), buf));
			const double v[14] = { d->mean1, d->mean0, d->det1, d->det0,  d->log2fc,
					       d->t,     d->t_df,  d->t_p,  d->t_fdr, d->u,
					       d->z,     d->w_p,   d->w_fdr };
			for (int k = 0; k < 13; k++) {
				fputc('\t', o->fp);
				put_g(o->fp, v[k]);
			}
			fprintf(o->fp, "\t%lld\t%lld\n", (long long)n1, (long long)(r->n - n1));
		}
		scuot_log_info("%s: %s %g -> %g: top %lld of %lld source cells; %lld of %lld genes at "
			       "Wilcoxon FDR < 0.05",
			       a->res[q], r->method, r->t0, r->t1, (long long)n1, (long long)r->n,
			       (long long)nsig, (long long)ex->n_var);
		scuot_csr_free(sub);
		sub = NULL;
		free(rows);
		rows = NULL;
	}
	ret = scuot_outfile_commit(o, e);
	o = NULL;
	wrote_genes = !ret;
done:
	scuot_outfile_abort(o);
	scuot_csr_free(sub);
	free(rows);
	free(de);
	return ret;
}

static int run(const rank_args *a, scuot_err *e)
{
	scuot_ot_result **res = NULL;
	scuot_adata *obs = NULL, *ex = NULL;
	int64_t **obs_rows = NULL;
	uint8_t **top = NULL;
	int acol[MAX_ANNOT], ret = 0;
	const char *obs_path = a->obs ? a->obs : a->expr;
	if (!(res = scuot_alloc((size_t)a->n_res, sizeof *res, 1, "results", e)) ||
	    !(obs_rows = scuot_alloc((size_t)a->n_res, sizeof *obs_rows, 1, "rows", e)) ||
	    !(top = scuot_alloc((size_t)a->n_res, sizeof *top, 1, "groups", e))) {
		ret = e->code;
		goto done;
	}
	for (int q = 0; q < a->n_res; q++) {
		if ((ret = read_input(a, a->res[q], &res[q], e)) || (ret = check_result(a->res[q], res[q], e)))
			goto done;
		scuot_log_info("%s: %s, days %g -> %g, %lld source cells", a->res[q], res[q]->method,
			       res[q]->t0, res[q]->t1, (long long)res[q]->n);
	}
	if (a->n_annot) {
		if ((ret = scuot_h5ad_read(obs_path, SCUOT_H5AD_OBS, &obs, e)))
			goto done;
		for (int k = 0; k < a->n_annot; k++)
			if ((acol[k] = scuot_df_find(&obs->obs, a->annot[k])) < 0) {
				char cols[512] = "";
				size_t off = 0;
				for (int j = 0; j < obs->obs.ncol && off < sizeof cols; j++)
					off += (size_t)snprintf(cols + off, sizeof cols - off, "%s%s",
								j ? ", " : "", obs->obs.cols[j].name);
				ret =
				    scuot_err_set(e, SCUOT_EINPUT,
						  "%s: /obs/%s: no such column (--annotate); obs holds: %s",
						  obs_path, a->annot[k], obs->obs.ncol ? cols : "no columns");
				goto done;
			}
		for (int q = 0; q < a->n_res; q++) {
			if (!(obs_rows[q] =
				  scuot_alloc((size_t)res[q]->n, sizeof **obs_rows, 0, "rows", e))) {
				ret = e->code;
				goto done;
			}
			if ((ret = match_cells(obs_path, obs, res[q], a->res[q], obs_rows[q], e)))
				goto done;
		}
	}
	if (a->genes) {
		for (int q = 0; q < a->n_res; q++)
			if (!(top[q] = scuot_alloc((size_t)res[q]->n, 1, 1, "top flags", e))) {
				ret = e->code;
				goto done;
			}
		if ((ret =
			 scuot_h5ad_read(a->expr, SCUOT_H5AD_X | SCUOT_H5AD_OBS | SCUOT_H5AD_VAR, &ex, e)) ||
		    (ret = growth_genes(a, res, ex, top, e)))
			goto done;
	}
	if (a->compare && (ret = write_compare(a, res, e)))
		goto done;
	if ((ret = write_cells(a, res, obs, obs_rows, acol, a->genes ? top : NULL, e)))
		goto done;
	scuot_log_info("wrote %s%s%s%s%s", a->output, a->genes ? ", " : "", a->genes ? a->genes : "",
		       a->compare ? ", " : "", a->compare ? a->compare : "");
done:
	if (ret) {
		/* no partial set of outputs: the ones already committed go too */
		if (wrote_genes)
			remove(a->genes);
		if (wrote_compare)
			remove(a->compare);
	}
	for (int q = 0; res && q < a->n_res; q++) {
		scuot_ot_result_free(res[q]);
		free(obs_rows[q]);
		free(top[q]);
	}
	free(res);
	free(obs_rows);
	free(top);
	scuot_adata_free(obs);
	scuot_adata_free(ex);
	return ret;
}

int main(int argc, char **argv)
{
	scuot_cli c;
	rank_args a;
	scuot_err e = { 0 };
	int r;
	scuot_cli_init(&c, "rank", argc, argv);
	memset(&a, 0, sizeof a);
	a.top_fraction = 0.1;
	r = parse_args(argc, argv, &c, &a);
	if (r) {
		free(a.annot_buf);
		return r == 1 ? 0 : 2;
	}
	scuot_cli_apply(&c);
	r = run(&a, &e);
	free(a.annot_buf);
	if (r)
		return scuot_cli_fail(&c, &e);
	scuot_cli_finish(&c);
	return 0;
}
