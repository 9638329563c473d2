/* report.c -- the HTML report: reads scores, transport results, predictions and growth-gene tables and
 * writes one self-contained page with inline SVG figures (report/svg.h); see report.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mat.h"
#include "core/outfile.h"
#include "io/adata.h"
#include "io/h5ad.h"
#include "io/result.h"
#include "report/report.h"
#include "report/svg.h"

#define MAX_POP            64
#define SCATTER_MAX_POINTS 1500

static const char *const css =
    "body{font-family:sans-serif;margin:24px auto;max-width:1200px;color:#222;line-height:1.4}\n"
    "h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}\n"
    "h3{font-size:15px}table{border-collapse:collapse;margin:8px 0 16px 0;font-size:13px}\n"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}td.n{text-align:right;"
    "font-variant-numeric:tabular-nums}th{background:#f0f0f0}tr.baseline td{color:#555;background:#fafafa}\n"
    "pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px}.figs{display:flex;flex-wrap:wrap;gap:"
    "12px}\n"
    ".note{color:#555;font-style:italic}\n";

void scuot_report_input_init(scuot_report_input *in)
{
	memset(in, 0, sizeof *in);
	in->title = "scuot report";
	in->embedding = "X_pca";
	in->day_key = "day";
	in->top_genes = 15;
}

void scuot_report_escape(FILE *fp, const char *s)
{
	scuot_svg_escape(fp, s);
}

/* ---- TSV ---- */

void scuot_report_tsv_free(scuot_report_tsv *t)
{
	if (!t)
		return;
	for (int64_t r = 0; r < t->nrow; r++)
		free(t->rows[r]);
	free(t->rows);
	free(t->head);
	free(t->buf);
	free(t);
}

/* Split line (NUL-terminated, no newline) at tabs into its nf fields. */
static void split_tabs(char *line, char **f, int nf)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p; p++)
		if (*p == '\t') {
			*p = 0;
			if (n < nf)
				f[n++] = p + 1;
		}
}

int scuot_report_tsv_read(const char *path, scuot_report_tsv **out, scuot_err *e)
{
	scuot_report_tsv *t = NULL;
	FILE *fp = NULL;
	long len;
	int ret = 0;
	int64_t nlines = 0, line = 0;
	char *p, *next;
	*out = NULL;
	if (!(fp = fopen(path, "rb")))
		return scuot_err_sys(e, SCUOT_EINPUT, "%s: cannot open", path);
	if (fseek(fp, 0, SEEK_END) || (len = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
		ret = scuot_err_sys(e, SCUOT_EINPUT, "%s: cannot read", path);
		goto fail;
	}
	if (!(t = scuot_alloc(1, sizeof *t, 1, "table", e)) ||
	    !(t->buf = scuot_alloc((size_t)len + 1, 1, 0, "table text", e))) {
		ret = e->code;
		goto fail;
	}
	if (fread(t->buf, 1, (size_t)len, fp) != (size_t)len) {
		ret = scuot_err_sys(e, SCUOT_EINPUT, "%s: cannot read", path);
		goto fail;
	}
	t->buf[len] = 0;
	if (memchr(t->buf, 0, (size_t)len)) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: binary data; expected a tab-separated table", path);
		goto fail;
	}
	for (p = t->buf; *p; p++)
		nlines += *p == '\n';
	nlines++;
	if (!(t->rows = scuot_alloc((size_t)nlines, sizeof *t->rows, 1, "table rows", e))) {
		ret = e->code;
		goto fail;
	}
	for (p = t->buf; p && *p; p = next) {
		char *nl = strchr(p, '\n');
		int nf = 1;
		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = 0;
		if (nl && nl > p && nl[-1] == '\r')
			nl[-1] = 0;
		line++;
		if (!*p && !t->head) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: line 1 is empty; expected a header line",
					    path);
			goto fail;
		}
		if (!*p)
			continue;
		for (char *q = p; *q; q++)
			nf += *q == '\t';
		char **f = scuot_alloc((size_t)nf, sizeof *f, 1, "table fields", e);
		if (!f) {
			ret = e->code;
			goto fail;
		}
		split_tabs(p, f, nf);
		if (!t->head) {
			t->head = f, t->ncol = nf;
			continue;
		}
		if (nf != t->ncol) {
			free(f);
			ret = scuot_err_set(e, SCUOT_EINPUT,
					    "%s: line %lld has %d fields but the header has %d", path,
					    (long long)line, nf, t->ncol);
			goto fail;
		}
		t->rows[t->nrow++] = f;
	}
	if (!t->head) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
				    "%s: empty file; expected a tab-separated table with a header", path);
		goto fail;
	}
	fclose(fp);
	*out = t;
	return 0;
fail:
	if (fp)
		fclose(fp);
	scuot_report_tsv_free(t);
	return ret;
}

int scuot_report_tsv_col(const scuot_report_tsv *t, const char *name)
{
	for (int k = 0; k < t->ncol; k++)
		if (!strcmp(t->head[k], name))
			return k;
	return -1;
}

/* ---- inputs ---- */

static int check_file(const char *path, const char *as, scuot_err *e)
{
	if (access(path, R_OK))
		return scuot_err_sys(e, SCUOT_EINPUT, "%s: cannot read the file given as %s", path, as);
	return 0;
}

int scuot_report_check_inputs(const scuot_report_input *in, scuot_err *e)
{
	int ret;
	for (int h = 0; h < in->n_heldout; h++) {
		const scuot_report_heldout *d = &in->heldout[h];
		if ((ret = check_file(d->scores, "--scores", e)) ||
		    (d->truth && (ret = check_file(d->truth, "--truth", e))))
			return ret;
		for (int k = 0; k < d->n_pred; k++)
			if ((ret = check_file(d->pred[k], "--pred", e)))
				return ret;
	}
	for (int k = 0; k < in->n_results; k++)
		if ((ret = check_file(in->results[k], "--result", e)))
			return ret;
	for (int k = 0; k < in->n_genes; k++)
		if ((ret = check_file(in->genes[k], "--genes", e)))
			return ret;
	if (in->evaluation && (ret = check_file(in->evaluation, "--evaluation", e)))
		return ret;
	if (in->config && (ret = check_file(in->config, "--config", e)))
		return ret;
	return 0;
}

static int is_number(const char *s, double *v)
{
	char *end;
	if (!*s)
		return 0;
	*v = strtod(s, &end);
	return *end == 0;
}

static void cell(FILE *fp, const char *s, int bold)
{
	double v;
	int num = is_number(s, &v);
	fprintf(fp, "<td%s>%s", num ? " class=\"n\"" : "", bold ? "<b>" : "");
	if (num && strchr(s, '.') && strlen(s) > 8)
		fprintf(fp, "%.4g", v);
	else
		scuot_report_escape(fp, s);
	fprintf(fp, "%s</td>", bold ? "</b>" : "");
}

/* A whole TSV as an HTML table. */
static void tsv_table(FILE *fp, const scuot_report_tsv *t, int64_t max_rows)
{
	fprintf(fp, "<table>\n<tr>");
	for (int k = 0; k < t->ncol; k++) {
		fprintf(fp, "<th>");
		scuot_report_escape(fp, t->head[k]);
		fprintf(fp, "</th>");
	}
	fprintf(fp, "</tr>\n");
	for (int64_t r = 0; r < t->nrow && (max_rows <= 0 || r < max_rows); r++) {
		fprintf(fp, "<tr>");
		for (int k = 0; k < t->ncol; k++)
			cell(fp, t->rows[r][k], 0);
		fprintf(fp, "</tr>\n");
	}
	fprintf(fp, "</table>\n");
}

/* ---- sections ---- */

static int section_meta(FILE *fp, const scuot_report_input *in, scuot_ot_result **res, scuot_err *e)
{
	fprintf(fp, "<h2 id=\"run\">Run</h2>\n<table>\n");
	fprintf(fp, "<tr><th>scuot version</th><td>");
	scuot_report_escape(fp, in->version ? in->version : "unknown");
	fprintf(fp, "</td></tr>\n");
	if (in->command) {
		fprintf(fp, "<tr><th>report command</th><td><code>");
		scuot_report_escape(fp, in->command);
		fprintf(fp, "</code></td></tr>\n");
	}
	for (int k = 0; k < in->n_meta; k++) {
		fprintf(fp, "<tr><th>");
		scuot_report_escape(fp, in->meta_keys[k]);
		fprintf(fp, "</th><td>");
		scuot_report_escape(fp, in->meta_values[k]);
		fprintf(fp, "</td></tr>\n");
	}
	fprintf(fp,
		"<tr><th>held-out days</th><td>%d</td></tr>\n<tr><th>transport results</th><td>%d</td></tr>\n"
		"</table>\n",
		in->n_heldout, in->n_results);
	if (in->n_results) {
		fprintf(
		    fp,
		    "<h3>Transport runs</h3>\n<table>\n<tr><th>days</th><th>method</th><th>parameters</th>"
		    "<th>seed</th><th>iterations</th><th>converged</th><th>solve s</th><th>cells</th>"
		    "<th>scuot</th><th>input</th></tr>\n");
		for (int k = 0; k < in->n_results; k++) {
			const scuot_ot_result *r = res[k];
			fprintf(fp, "<tr><td>%g &rarr; %g</td><td>", r->t0, r->t1);
			scuot_report_escape(fp, r->method);
			fprintf(fp, "</td><td>");
			for (int q = 0; q < r->n_params; q++) {
				scuot_report_escape(fp, r->param_names[q]);
				fprintf(fp, "=%g%s", r->params[q], q + 1 < r->n_params ? ", " : "");
			}
			fprintf(fp,
				"</td><td class=\"n\">%llu</td><td class=\"n\">%lld</td><td>%s</td><td "
				"class=\"n\">%.3g</td>"
				"<td class=\"n\">%lld &times; %lld</td><td>",
				(unsigned long long)r->seed, (long long)r->iterations,
				r->converged ? "yes" : "<b>no</b>", r->seconds, (long long)r->n,
				(long long)r->m);
			scuot_report_escape(fp, r->version ? r->version : "");
			fprintf(fp, "</td><td>");
			scuot_report_escape(fp, r->input ? r->input : "");
			fprintf(fp, "</td></tr>\n");
		}
		fprintf(fp, "</table>\n");
	}
	if (in->config) {
		FILE *cf = fopen(in->config, "rb");
		char line[4096];
		if (!cf)
			return scuot_err_sys(e, SCUOT_EINPUT, "%s: cannot open the --config file",
					     in->config);
		fprintf(fp, "<h3>Configuration (");
		scuot_report_escape(fp, in->config);
		fprintf(fp, ")</h3>\n<pre>");
		while (fgets(line, sizeof line, cf))
			scuot_report_escape(fp, line);
		fprintf(fp, "</pre>\n");
		fclose(cf);
	}
	return 0;
}

/* Scores of one held-out day: table (normalised, best per metric in bold) and bar chart. */
static int heldout_scores(FILE *fp, const scuot_report_heldout *d, scuot_err *e)
{
	static const char *const metrics[4] = { "mmd_rff", "mmd", "emd", "emd2" };
	scuot_report_tsv *t = NULL;
	const char *pops[MAX_POP], *kinds[MAX_POP], *mnames[4];
	double v[MAX_POP * 4], raw[MAX_POP * 4];
	int have[4] = { 0 }, npop = 0, nm = 0, mi[4];
	int cp, ck, cm, cv, cn, ret;
	scuot_svg_plot pl;
	if ((ret = scuot_report_tsv_read(d->scores, &t, e)))
		return ret;
	cp = scuot_report_tsv_col(t, "prediction"), ck = scuot_report_tsv_col(t, "kind");
	cm = scuot_report_tsv_col(t, "metric"), cv = scuot_report_tsv_col(t, "value");
	cn = scuot_report_tsv_col(t, "normalised");
	if (cp < 0 || ck < 0 || cm < 0 || cv < 0 || cn < 0) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
				    "%s: not a scuot-score table (needs the columns prediction, kind, "
				    "metric, value, normalised)",
				    d->scores);
		goto done;
	}
	for (int i = 0; i < MAX_POP * 4; i++)
		v[i] = raw[i] = NAN;
	for (int64_t r = 0; r < t->nrow; r++) {
		char **f = t->rows[r];
		int p, m;
		for (m = 0; m < 4 && strcmp(metrics[m], f[cm]); m++)
			;
		if (m == 4)
			continue;
		for (p = 0; p < npop && strcmp(pops[p], f[cp]); p++)
			;
		if (p == npop) {
			if (npop == MAX_POP)
				continue;
			pops[npop] = f[cp], kinds[npop++] = f[ck];
		}
		have[m] = 1;
		if (!is_number(f[cn], &v[p * 4 + m]))
			v[p * 4 + m] = NAN;
		if (!is_number(f[cv], &raw[p * 4 + m]))
			raw[p * 4 + m] = NAN;
	}
	if (!npop) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no scores of the metrics mmd_rff, mmd, emd or emd2",
				    d->scores);
		goto done;
	}
	for (int m = 0; m < 4; m++)
		if (have[m])
			mi[nm] = m, mnames[nm++] = metrics[m];
	fprintf(fp, "<h3 id=\"day%g\">Day %g held out (predicted from days %g and %g)</h3>\n", d->at, d->at,
		d->from, d->to);
	fprintf(fp,
		"<p>Distances to the held-out day-%g cells, divided by the distance between the day-%g and "
		"day-%g cells (normalised; lower is better, best of each column in bold). Source",
		d->at, d->from, d->to);
	fprintf(fp, ", target, union and independent are the trivial baselines. From <code>");
	scuot_report_escape(fp, d->scores);
	fprintf(fp, "</code>.</p>\n<table>\n<tr><th>prediction</th><th>kind</th>");
	for (int k = 0; k < nm; k++)
		fprintf(fp, "<th>%s (normalised)</th>", mnames[k]);
	for (int k = 0; k < nm; k++)
		fprintf(fp, "<th>%s</th>", mnames[k]);
	fprintf(fp, "</tr>\n");
	for (int p = 0; p < npop; p++) {
		int base = !strcmp(kinds[p], "baseline");
		fprintf(fp, "<tr%s><td>", base ? " class=\"baseline\"" : "");
		scuot_report_escape(fp, pops[p]);
		fprintf(fp, "</td><td>");
		scuot_report_escape(fp, kinds[p]);
		fprintf(fp, "</td>");
		for (int k = 0; k < nm; k++) {
			double x = v[p * 4 + mi[k]];
			int best = isfinite(x);
			for (int q = 0; q < npop && best; q++)
				best = !(v[q * 4 + mi[k]] < x);
			if (isfinite(x))
				fprintf(fp, "<td class=\"n\">%s%.4f%s</td>", best ? "<b>" : "", x,
					best ? "</b>" : "");
			else
				fprintf(fp, "<td class=\"n\">NA</td>");
		}
		for (int k = 0; k < nm; k++)
			fprintf(fp, "<td class=\"n\">%.4g</td>", raw[p * 4 + mi[k]]);
		fprintf(fp, "</tr>\n");
	}
	fprintf(fp, "</table>\n");
	{
		double bars[MAX_POP * 4];
		char title[128];
		for (int p = 0; p < npop; p++)
			for (int k = 0; k < nm; k++)
				bars[p * nm + k] = v[p * 4 + mi[k]];
		scuot_svg_plot_init(&pl);
		snprintf(title, sizeof title, "Day %g: normalised distances to the held-out cells", d->at);
		pl.title = title, pl.ylabel = "distance / source-target distance";
		pl.width = 160 + 70.0 * npop;
		if (pl.width < 560)
			pl.width = 560;
		if ((ret = scuot_svg_bars(fp, &pl, npop, pops, nm, mnames, bars, e)))
			goto done;
	}
done:
	scuot_report_tsv_free(t);
	return ret;
}

/* Coordinates (first two embedding dimensions) of the truth cells of day t. */
static int day_xy(const char *path, const scuot_adata *a, const scuot_mat *m, int dc, double t, double **x,
		  double **y, int64_t *n, scuot_err *e)
{
	int64_t k = 0;
	for (int64_t r = 0; r < a->n_obs; r++)
		k += fabs(scuot_col_num(&a->obs.cols[dc], r) - t) <= 1e-9 * fmax(1, fabs(t));
	if (!k)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: no cells of day %g", path, t);
	if (!(*x = scuot_alloc((size_t)k, sizeof(double), 0, "coordinates", e)) ||
	    !(*y = scuot_alloc((size_t)k, sizeof(double), 0, "coordinates", e)))
		return e->code;
	k = 0;
	for (int64_t r = 0; r < a->n_obs; r++)
		if (fabs(scuot_col_num(&a->obs.cols[dc], r) - t) <= 1e-9 * fmax(1, fabs(t))) {
			(*x)[k] = m->data[r * m->ncol];
			(*y)[k++] = m->data[r * m->ncol + 1];
		}
	*n = k;
	return 0;
}

static int heldout_scatter(FILE *fp, const scuot_report_input *in, const scuot_report_heldout *d,
			   scuot_err *e)
{
	scuot_adata *t = NULL, *p = NULL;
	double *xs[3] = { 0 }, *ys[3] = { 0 }, *px = NULL, *py = NULL, *pw = NULL;
	int64_t ns[3] = { 0 };
	int ret = 0, dc;
	const scuot_mat *m;
	if ((ret = scuot_h5ad_read(d->truth, SCUOT_H5AD_OBS | SCUOT_H5AD_OBSM, &t, e)))
		return ret;
	if (!(m = scuot_adata_get_obsm(t, in->embedding)) || m->ncol < 2) {
		ret = scuot_err_set(e, SCUOT_EINPUT,
				    "%s: /obsm/%s: %s; the scatter plots need two coordinates", d->truth,
				    in->embedding, m ? "fewer than 2 dimensions" : "no such embedding");
		goto done;
	}
	if ((dc = scuot_df_find(&t->obs, in->day_key)) < 0) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obs/%s: no such column", d->truth, in->day_key);
		goto done;
	}
	const double days[3] = { d->from, d->to, d->at };
	for (int k = 0; k < 3; k++)
		if ((ret = day_xy(d->truth, t, m, dc, days[k], &xs[k], &ys[k], &ns[k], e)))
			goto done;
	fprintf(fp, "<div class=\"figs\">\n");
	for (int k = 0; k < d->n_pred; k++) {
		const scuot_mat *pm;
		const scuot_uns *u;
		int wc;
		char title[160], n0[32], n1[32], n2[32];
		const char *name = d->pred[k];
		if ((ret = scuot_h5ad_read(d->pred[k], SCUOT_H5AD_OBS | SCUOT_H5AD_OBSM | SCUOT_H5AD_UNS, &p,
					   e)))
			goto done;
		if (!(pm = scuot_adata_get_obsm(p, in->embedding)) || pm->ncol != m->ncol) {
			ret =
			    scuot_err_set(e, SCUOT_EINPUT, "%s: /obsm/%s: %s", d->pred[k], in->embedding,
					  pm ? "not the truth's number of dimensions" : "no such embedding");
			goto done;
		}
		if ((u = scuot_uns_get(&p->uns, "scuot_interpolate")) && (u = scuot_uns_get(u, "method")) &&
		    u->type == SCUOT_UNS_STR && u->str)
			name = u->str;
		if (!(px = scuot_alloc((size_t)(pm->nrow ? pm->nrow : 1), sizeof(double), 0, "coordinates",
				       e)) ||
		    !(py = scuot_alloc((size_t)(pm->nrow ? pm->nrow : 1), sizeof(double), 0, "coordinates",
				       e)) ||
		    !(pw = scuot_alloc((size_t)(pm->nrow ? pm->nrow : 1), sizeof(double), 0, "weights", e))) {
			ret = e->code;
			goto done;
		}
		wc = scuot_df_find(&p->obs, "weight");
		for (int64_t i = 0; i < pm->nrow; i++) {
			px[i] = pm->data[i * pm->ncol], py[i] = pm->data[i * pm->ncol + 1];
			pw[i] = wc >= 0 ? scuot_col_num(&p->obs.cols[wc], i) * (double)pm->nrow : 1;
		}
		snprintf(n0, sizeof n0, "day %g (source)", d->from);
		snprintf(n1, sizeof n1, "day %g (target)", d->to);
		snprintf(n2, sizeof n2, "day %g (held out)", d->at);
		const scuot_svg_series s[4] = {
			{ n0, xs[0], ys[0], NULL, ns[0], "#bbbbbb", 1.6, 0.5 },
			{ n1, xs[1], ys[1], NULL, ns[1], "#f4b183", 1.6, 0.5 },
			{ n2, xs[2], ys[2], NULL, ns[2], "#d62728", 2.0, 0.6 },
			{ "predicted", px, py, pw, pm->nrow, NULL, 1.6, 0.6 },
		};
		scuot_svg_plot pl;
		scuot_svg_plot_init(&pl);
		snprintf(title, sizeof title, "%s at day %g", name, d->at);
		pl.title = title, pl.xlabel = "PC1", pl.ylabel = "PC2", pl.max_points = SCATTER_MAX_POINTS;
		pl.width = 600, pl.height = 420;
		if ((ret = scuot_svg_scatter(fp, &pl, s, 4, "weight x N", e)))
			goto done;
		free(px), free(py), free(pw);
		px = py = pw = NULL;
		scuot_adata_free(p);
		p = NULL;
	}
	fprintf(fp,
		"</div>\n<p class=\"note\">First two coordinates of <code>%s</code>; predicted points "
		"coloured by "
		"their mass times the number of points (1 = average), at most %d points drawn per "
		"population.</p>\n",
		in->embedding, SCATTER_MAX_POINTS);
done:
	for (int k = 0; k < 3; k++)
		free(xs[k]), free(ys[k]);
	free(px), free(py), free(pw);
	scuot_adata_free(p);
	scuot_adata_free(t);
	return ret;
}

/* The distinct (t0, t1) pairs of the results, in first-seen order. */
static int result_pairs(scuot_ot_result **res, int n, double *pairs)
{
	int np = 0;
	for (int k = 0; k < n; k++) {
		int q;
		for (q = 0; q < np && !(pairs[2 * q] == res[k]->t0 && pairs[2 * q + 1] == res[k]->t1); q++)
			;
		if (q == np)
			pairs[2 * np] = res[k]->t0, pairs[2 * np + 1] = res[k]->t1, np++;
	}
	return np;
}

static int is_mmd_curve(const scuot_ot_result *r)
{
	char low[32];
	size_t k;
	if (r->n_curve < 2 || !r->curve)
		return 0;
	for (k = 0; k + 1 < sizeof low && r->curve_name[k]; k++)
		low[k] = (char)(r->curve_name[k] >= 'A' && r->curve_name[k] <= 'Z' ? r->curve_name[k] + 32
										   : r->curve_name[k]);
	low[k] = 0;
	return strstr(low, "mmd") != NULL;
}

static int section_results(FILE *fp, scuot_ot_result **res, int n, scuot_err *e)
{
	double *pairs = NULL, **lg = NULL, **steps = NULL;
	scuot_svg_series *s = NULL;
	int np, ret = 0, ncurves = 0;
	if (!n)
		return 0;
	if (!(pairs = scuot_alloc((size_t)n * 2, sizeof *pairs, 0, "pairs", e)) ||
	    !(lg = scuot_alloc((size_t)n, sizeof *lg, 1, "scaling", e)) ||
	    !(steps = scuot_alloc((size_t)n, sizeof *steps, 1, "steps", e)) ||
	    !(s = scuot_alloc((size_t)n, sizeof *s, 1, "series", e))) {
		ret = e->code;
		goto done;
	}
	np = result_pairs(res, n, pairs);
	for (int k = 0; k < n; k++)
		ncurves += is_mmd_curve(res[k]);
	fprintf(fp, "<h2 id=\"flows\">Particle flows: MMD along the flow</h2>\n");
	if (!ncurves)
		fprintf(
		    fp,
		    "<p class=\"note\">None of the %d transport results is a particle flow with an MMD curve "
		    "(<code>/diagnostics/curve</code> named mmd); the static couplings (emd, sinkhorn, uot, "
		    "wfr) "
		    "have none.</p>\n",
		    n);
	else
		fprintf(fp, "<div class=\"figs\">\n");
	for (int q = 0; q < np && ncurves; q++) {
		int ns = 0;
		char title[96];
		for (int k = 0; k < n; k++) {
			const scuot_ot_result *r = res[k];
			if (r->t0 != pairs[2 * q] || r->t1 != pairs[2 * q + 1] || !is_mmd_curve(r))
				continue;
			if (!(steps[k] = scuot_alloc((size_t)r->n_curve, sizeof(double), 0, "steps", e))) {
				ret = e->code;
				goto done;
			}
			for (int i = 0; i < r->n_curve; i++)
				steps[k][i] = i;
			s[ns++] =
			    (scuot_svg_series){ r->method, steps[k], r->curve, NULL, r->n_curve, NULL, 0, 0 };
		}
		if (!ns)
			continue;
		scuot_svg_plot pl;
		scuot_svg_plot_init(&pl);
		snprintf(title, sizeof title, "Days %g to %g: MMD to the target", pairs[2 * q],
			 pairs[2 * q + 1]);
		pl.title = title, pl.xlabel = "step", pl.ylabel = "MMD (log scale)", pl.ylog = 1;
		if ((ret = scuot_svg_lines(fp, &pl, s, ns, e)))
			goto done;
	}
	if (ncurves)
		fprintf(fp, "</div>\n");
	fprintf(
	    fp,
	    "<h2 id=\"scaling\">Scaling factors</h2>\n<p>Per source cell: row sum of the coupling divided by "
	    "the cell's mass (1 = as many descendants as the prior; above 1 growth). log2 scale.</p>\n"
	    "<div class=\"figs\">\n");
	for (int q = 0; q < np; q++) {
		int ns = 0;
		char title[96];
		for (int k = 0; k < n; k++) {
			const scuot_ot_result *r = res[k];
			if (r->t0 != pairs[2 * q] || r->t1 != pairs[2 * q + 1] || !r->scaling)
				continue;
			if (!(lg[k] = scuot_alloc((size_t)(r->n ? r->n : 1), sizeof(double), 0,
						  "log2 scaling", e))) {
				ret = e->code;
				goto done;
			}
			for (int64_t i = 0; i < r->n; i++)
				lg[k][i] = r->scaling[i] > 0 ? log2(r->scaling[i]) : NAN;
			s[ns++] = (scuot_svg_series){ r->method, lg[k], NULL, NULL, r->n, NULL, 0, 0 };
		}
		if (!ns)
			continue;
		scuot_svg_plot pl;
		scuot_svg_plot_init(&pl);
		snprintf(title, sizeof title, "Days %g to %g: scaling factors of the day-%g cells",
			 pairs[2 * q], pairs[2 * q + 1], pairs[2 * q]);
		pl.title = title, pl.xlabel = "log2 scaling factor", pl.ylabel = "fraction of source cells";
		if ((ret = scuot_svg_histogram(fp, &pl, s, ns, 40, e))) {
			/* every scaling factor zero or missing: say so instead of failing the report */
			fprintf(fp, "<p class=\"note\">");
			scuot_report_escape(fp, e->msg);
			fprintf(fp, "</p>\n");
			memset(e, 0, sizeof *e);
			ret = 0;
		}
	}
	fprintf(fp, "</div>\n");
done:
	for (int k = 0; lg && k < n; k++)
		free(lg[k]);
	for (int k = 0; steps && k < n; k++)
		free(steps[k]);
	free(lg);
	free(steps);
	free(s);
	free(pairs);
	return ret;
}

static int section_genes(FILE *fp, const scuot_report_input *in, scuot_err *e)
{
	static const char *const show[] = { "rank",         "gene",    "log2fc",   "mean_top",
					    "mean_rest",    "det_top", "det_rest", "wilcoxon_z",
					    "wilcoxon_fdr", "t",       "t_fdr" };
	const int nshow = (int)(sizeof show / sizeof *show);
	int ret = 0;
	if (!in->n_genes)
		return 0;
	fprintf(fp,
		"<h2 id=\"genes\">Growth genes</h2>\n<p>Genes that distinguish the source cells of largest "
		"scaling "
		"factor from the rest (scuot-rank): sorted by the Wilcoxon z-score, so genes up in the "
		"fast-growing "
		"cells come first; the first %d per method and pair of days. FDR: Benjamini-Hochberg.</p>\n",
		in->top_genes);
	for (int f = 0; f < in->n_genes; f++) {
		scuot_report_tsv *t = NULL;
		int col[16], cm, c0, c1;
		if ((ret = scuot_report_tsv_read(in->genes[f], &t, e)))
			return ret;
		cm = scuot_report_tsv_col(t, "method"), c0 = scuot_report_tsv_col(t, "from"),
		c1 = scuot_report_tsv_col(t, "to");
		for (int k = 0; k < nshow; k++)
			col[k] = scuot_report_tsv_col(t, show[k]);
		if (cm < 0 || col[1] < 0) {
			scuot_report_tsv_free(t);
			return scuot_err_set(e, SCUOT_EINPUT,
					     "%s: not a scuot-rank genes table (needs the columns method and "
					     "gene)",
					     in->genes[f]);
		}
		for (int64_t r = 0; r < t->nrow;) {
			int64_t end = r, shown = 0;
			while (end < t->nrow && !strcmp(t->rows[end][cm], t->rows[r][cm]) &&
			       (c0 < 0 || !strcmp(t->rows[end][c0], t->rows[r][c0])))
				end++;
			fprintf(fp, "<h3>");
			scuot_report_escape(fp, t->rows[r][cm]);
			if (c0 >= 0 && c1 >= 0) {
				fprintf(fp, ", days ");
				scuot_report_escape(fp, t->rows[r][c0]);
				fprintf(fp, " &rarr; ");
				scuot_report_escape(fp, t->rows[r][c1]);
			}
			fprintf(fp, "</h3>\n<table>\n<tr>");
			for (int k = 0; k < nshow; k++)
				if (col[k] >= 0)
					fprintf(fp, "<th>%s</th>", show[k]);
			fprintf(fp, "</tr>\n");
			for (int64_t q = r; q < end && shown < in->top_genes; q++, shown++) {
				fprintf(fp, "<tr>");
				for (int k = 0; k < nshow; k++)
					if (col[k] >= 0)
						cell(fp, t->rows[q][col[k]], 0);
				fprintf(fp, "</tr>\n");
			}
			fprintf(fp, "</table>\n");
			r = end;
		}
		scuot_report_tsv_free(t);
	}
	return 0;
}

int scuot_report_write(const scuot_report_input *in, const char *path, scuot_err *e)
{
	scuot_outfile *o = NULL;
	scuot_ot_result **res = NULL;
	scuot_report_tsv *ev = NULL;
	FILE *fp;
	int ret;
	if ((ret = scuot_report_check_inputs(in, e)))
		return ret;
	if (!(res = scuot_alloc((size_t)(in->n_results ? in->n_results : 1), sizeof *res, 1, "results", e)))
		return e->code;
	for (int k = 0; k < in->n_results; k++)
		if ((ret = scuot_result_read(in->results[k], NULL, &res[k], e)))
			goto done;
	if (in->evaluation && (ret = scuot_report_tsv_read(in->evaluation, &ev, e)))
		goto done;
	if (!(o = scuot_outfile_open(path, 1, e))) {
		ret = e->code;
		goto done;
	}
	fp = o->fp;
	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	scuot_report_escape(fp, in->title);
	fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", css);
	scuot_report_escape(fp, in->title);
	fprintf(
	    fp,
	    "</h1>\n<p>Contents: <a href=\"#run\">run</a> &middot; <a href=\"#scores\">scores</a> &middot; "
	    "<a href=\"#flows\">particle flows</a> &middot; <a href=\"#scaling\">scaling factors</a> "
	    "&middot; "
	    "<a href=\"#genes\">growth genes</a></p>\n");
	if ((ret = section_meta(fp, in, res, e)))
		goto done;
	fprintf(fp, "<h2 id=\"scores\">Scores at held-out days</h2>\n");
	if (!in->n_heldout)
		fprintf(fp, "<p class=\"note\">No held-out day was scored.</p>\n");
	for (int h = 0; h < in->n_heldout; h++) {
		if ((ret = heldout_scores(fp, &in->heldout[h], e)))
			goto done;
		if (in->heldout[h].truth && in->heldout[h].n_pred &&
		    (ret = heldout_scatter(fp, in, &in->heldout[h], e)))
			goto done;
	}
	if (ev) {
		fprintf(fp, "<h3>Evaluation table (");
		scuot_report_escape(fp, in->evaluation);
		fprintf(fp, ")</h3>\n");
		tsv_table(fp, ev, 0);
	}
	if ((ret = section_results(fp, res, in->n_results, e)) || (ret = section_genes(fp, in, e)))
		goto done;
	fprintf(fp, "<hr>\n<p class=\"note\">Written by scuot-report ");
	scuot_report_escape(fp, in->version ? in->version : "");
	fprintf(fp, "; a single file with inline SVG figures, no scripts or external "
		    "resources.</p>\n</body>\n</html>\n");
	ret = scuot_outfile_commit(o, e);
	o = NULL;
done:
	scuot_outfile_abort(o);
	for (int k = 0; k < in->n_results; k++)
		scuot_ot_result_free(res[k]);
	free(res);
	scuot_report_tsv_free(ev);
	return ret;
}
