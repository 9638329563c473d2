/* svg.c -- SVG figures (scatter, grouped bars, histogram, lines) with axes, ticks, labels and legends;
 * see svg.h.  Coordinates are written with 2 decimals; every piece of text goes through the escaper. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/svg.h"

#define MAX_TICKS 32
#define LEGEND_W  150.0

/* The plotting frame: data ranges mapped onto the inner rectangle. */
typedef struct frame {
	double x0, x1, y0, y1;     /* pixel box of the plot area */
	double xlo, xhi, ylo, yhi; /* data ranges */
	int ylog;
} frame;

void scuot_svg_plot_init(scuot_svg_plot *p)
{
	memset(p, 0, sizeof *p);
	p->width = 560, p->height = 360;
}

void scuot_svg_escape(FILE *fp, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: fputc(*s, fp);
		}
}

int scuot_svg_ticks(double lo, double hi, int want, double *t, int max)
{
	double span, step, mag, f;
	int n = 0;
	if (!isfinite(lo) || !isfinite(hi) || max < 1)
		return 0;
	if (hi < lo) {
		double s = lo;
		lo = hi, hi = s;
	}
	if (hi == lo) {
		t[0] = lo;
		return 1;
	}
	if (want < 2)
		want = 2;
	span = (hi - lo) / (want - 1);
	mag = pow(10, floor(log10(span)));
	f = span / mag;
	step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
	for (double v = ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step && n < max; v += step)
		t[n++] = fabs(v) < 1e-12 * step ? 0 : v;
	return n;
}

const char *scuot_svg_palette(int k)
{
	/* Tableau 10 (the matplotlib default cycle) */
	static const char *const pal[10] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
					     "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
	return pal[(k % 10 + 10) % 10];
}

const char *scuot_svg_viridis(double u, char *buf)
{
	/* viridis at 0, 1/8, ..., 1 (matplotlib's table), linearly interpolated */
	static const unsigned char v[9][3] = { { 68, 1, 84 },    { 71, 44, 122 },  { 59, 81, 139 },
					       { 44, 113, 142 }, { 33, 144, 141 }, { 39, 173, 129 },
					       { 92, 200, 99 },  { 170, 220, 50 }, { 253, 231, 37 } };
	double x;
	int k;
	if (!(u >= 0))
		u = 0;
	if (u > 1)
		u = 1;
	x = u * 8;
	k = (int)x;
	if (k > 7)
		k = 7;
	x -= k;
	snprintf(buf, 8, "#%02x%02x%02x", (int)lround(v[k][0] + x * (v[k + 1][0] - v[k][0])),
		 (int)lround(v[k][1] + x * (v[k + 1][1] - v[k][1])),
		 (int)lround(v[k][2] + x * (v[k + 1][2] - v[k][2])));
	return buf;
}

static double fx(const frame *f, double x)
{
	return f->x0 + (x - f->xlo) / (f->xhi - f->xlo) * (f->x1 - f->x0);
}

static double fy(const frame *f, double y)
{
	if (f->ylog)
		y = log10(y);
	return f->y1 - (y - f->ylo) / (f->yhi - f->ylo) * (f->y1 - f->y0);
}

/* Widen a degenerate range and add a small margin. */
static void pad_range(double *lo, double *hi, double frac)
{
	double span = *hi - *lo;
	if (!(span > 0)) {
		double d = fabs(*lo) > 0 ? 0.1 * fabs(*lo) : 1;
		*lo -= d, *hi += d;
		return;
	}
	*lo -= frac * span, *hi += frac * span;
}

static void open_svg(FILE *fp, const scuot_svg_plot *p)
{
	fprintf(fp,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f "
		"%.0f\" "
		"font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n",
		p->width, p->height, p->width, p->height);
	fprintf(fp, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	if (p->title) {
		fprintf(fp, "<title>");
		scuot_svg_escape(fp, p->title);
		fprintf(fp,
			"</title>\n<text x=\"%.2f\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" "
			"font-weight=\"bold\">",
			p->width / 2);
		scuot_svg_escape(fp, p->title);
		fprintf(fp, "</text>\n");
	}
}

static void frame_init(frame *f, const scuot_svg_plot *p, int legend)
{
	f->x0 = 62, f->x1 = p->width - 16 - (legend ? LEGEND_W : 0);
	f->y0 = p->title ? 28 : 12, f->y1 = p->height - 44;
	if (f->x1 < f->x0 + 40)
		f->x1 = f->x0 + 40;
	if (f->y1 < f->y0 + 40)
		f->y1 = f->y0 + 40;
}

static void fmt_tick(char *buf, size_t len, double v, int logscale)
{
	if (logscale)
		snprintf(buf, len, "%g", pow(10, v));
	else
		snprintf(buf, len, "%g", v);
}

/* Frame, ticks and axis labels.  xticks = 0: no numeric x axis (bars draw their own labels). */
static void draw_axes(FILE *fp, const scuot_svg_plot *p, const frame *f, int xticks)
{
	double t[MAX_TICKS];
	char lab[64];
	int n;
	fprintf(fp,
		"<g stroke=\"#000000\" stroke-width=\"1\" fill=\"none\">"
		"<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/></g>\n",
		f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0);
	n = scuot_svg_ticks(f->ylo, f->yhi, 6, t, MAX_TICKS);
	if (f->ylog) {
		/* one tick per power of ten within the range */
		n = 0;
		for (double v = ceil(f->ylo - 1e-9); v <= f->yhi + 1e-9 && n < MAX_TICKS; v++)
			t[n++] = v;
	}
	for (int k = 0; k < n; k++) {
		double y = f->y1 - (t[k] - f->ylo) / (f->yhi - f->ylo) * (f->y1 - f->y0);
		if (y < f->y0 - 0.5 || y > f->y1 + 0.5)
			continue;
		fmt_tick(lab, sizeof lab, t[k], f->ylog);
		fprintf(fp,
			"<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#000000\"/>"
			"<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e0e0e0\"/>"
			"<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%s</text>\n",
			f->x0 - 4, y, f->x0, y, f->x0 + 0.5, y, f->x1 - 0.5, y, f->x0 - 6, y + 4, lab);
	}
	if (xticks) {
		n = scuot_svg_ticks(f->xlo, f->xhi, 7, t, MAX_TICKS);
		for (int k = 0; k < n; k++) {
			double x = fx(f, t[k]);
			if (x < f->x0 - 0.5 || x > f->x1 + 0.5)
				continue;
			fmt_tick(lab, sizeof lab, t[k], 0);
			fprintf(fp,
				"<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#000000\"/>"
				"<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%s</text>\n",
				x, f->y1, x, f->y1 + 4, x, f->y1 + 16, lab);
		}
	}
	if (p->xlabel) {
		fprintf(fp, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">", (f->x0 + f->x1) / 2,
			p->height - 8);
		scuot_svg_escape(fp, p->xlabel);
		fprintf(fp, "</text>\n");
	}
	if (p->ylabel) {
		fprintf(fp, "<text transform=\"translate(14 %.2f) rotate(-90)\" text-anchor=\"middle\">",
			(f->y0 + f->y1) / 2);
		scuot_svg_escape(fp, p->ylabel);
		fprintf(fp, "</text>\n");
	}
}

/* Legend entries at the right of the frame: a swatch (square, or a line when line != 0) and the name. */
static void draw_legend(FILE *fp, const frame *f, int n, const char *const *names, const char *const *colours,
			int line)
{
	double x = f->x1 + 12, y = f->y0 + 6;
	fprintf(fp, "<g class=\"legend\">\n");
	for (int k = 0; k < n; k++, y += 16) {
		if (line)
			fprintf(fp,
				"<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
				"stroke-width=\"2\"/>",
				x, y + 5, x + 14, y + 5, colours[k]);
		else
			fprintf(fp, "<rect x=\"%.2f\" y=\"%.2f\" width=\"10\" height=\"10\" fill=\"%s\"/>", x,
				y, colours[k]);
		fprintf(fp, "<text x=\"%.2f\" y=\"%.2f\">", x + 18, y + 9);
		scuot_svg_escape(fp, names[k]);
		fprintf(fp, "</text>\n");
	}
	fprintf(fp, "</g>\n");
}

static const char *series_colour(const scuot_svg_series *s, int k)
{
	return s[k].colour ? s[k].colour : scuot_svg_palette(k);
}

int scuot_svg_scatter(FILE *fp, const scuot_svg_plot *p, const scuot_svg_series *s, int ns,
		      const char *clabel, scuot_err *e)
{
	frame f = { 0 };
	double clo = INFINITY, chi = -INFINITY;
	const char *names[64], *cols[64];
	int64_t npts = 0;
	int nleg = 0, colour_scale = 0;
	char buf[8];
	f.xlo = f.ylo = INFINITY, f.xhi = f.yhi = -INFINITY;
	for (int k = 0; k < ns; k++)
		for (int64_t i = 0; i < s[k].n; i++) {
			if (!isfinite(s[k].x[i]) || !isfinite(s[k].y[i]))
				continue;
			npts++;
			f.xlo = fmin(f.xlo, s[k].x[i]), f.xhi = fmax(f.xhi, s[k].x[i]);
			f.ylo = fmin(f.ylo, s[k].y[i]), f.yhi = fmax(f.yhi, s[k].y[i]);
			if (s[k].c && isfinite(s[k].c[i])) {
				colour_scale = 1;
				clo = fmin(clo, s[k].c[i]), chi = fmax(chi, s[k].c[i]);
			}
		}
	if (!npts)
		return scuot_err_set(e, SCUOT_EUSAGE, "scatter plot '%s': no finite point to draw",
				     p->title ? p->title : "");
	pad_range(&f.xlo, &f.xhi, 0.04);
	pad_range(&f.ylo, &f.yhi, 0.04);
	frame_init(&f, p, 1);
	open_svg(fp, p);
	draw_axes(fp, p, &f, 1);
	for (int k = 0; k < ns; k++) {
		int64_t step = p->max_points > 0 && s[k].n > p->max_points
				   ? (s[k].n + p->max_points - 1) / p->max_points
				   : 1;
		double r = s[k].radius > 0 ? s[k].radius : 2, op = s[k].opacity > 0 ? s[k].opacity : 0.7;
		fprintf(fp, "<g class=\"series\" fill-opacity=\"%.2f\" fill=\"%s\">\n", op,
			series_colour(s, k));
		for (int64_t i = 0; i < s[k].n; i += step) {
			if (!isfinite(s[k].x[i]) || !isfinite(s[k].y[i]))
				continue;
			fprintf(fp, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.1f\"", fx(&f, s[k].x[i]),
				fy(&f, s[k].y[i]), r);
			if (s[k].c && isfinite(s[k].c[i]))
				fprintf(fp, " fill=\"%s\"",
					scuot_svg_viridis(chi > clo ? (s[k].c[i] - clo) / (chi - clo) : 0.5,
							  buf));
			fprintf(fp, "/>\n");
		}
		fprintf(fp, "</g>\n");
		if (nleg < 64 && s[k].name) {
			names[nleg] = s[k].name;
			cols[nleg++] = s[k].c ? "#21918c" : series_colour(s, k); /* viridis mid-colour */
		}
	}
	draw_legend(fp, &f, nleg, names, cols, 0);
	if (colour_scale) {
		/* colour bar below the legend: 8 steps from clo (bottom) to chi (top) */
		double x = f.x1 + 14, top = f.y0 + 16.0 * nleg + 24, h = 96;
		if (top + h + 12 > f.y1)
			h = fmax(24, f.y1 - top - 12);
		fprintf(fp, "<g class=\"colorbar\">\n");
		for (int q = 0; q < 8; q++)
			fprintf(
			    fp, "<rect x=\"%.2f\" y=\"%.2f\" width=\"12\" height=\"%.2f\" fill=\"%s\"/>\n", x,
			    top + h - (q + 1) * h / 8, h / 8 + 0.5, scuot_svg_viridis((q + 0.5) / 8, buf));
		fprintf(fp,
			"<text x=\"%.2f\" y=\"%.2f\">%.3g</text><text x=\"%.2f\" y=\"%.2f\">%.3g</text>\n",
			x + 16, top + 8, chi, x + 16, top + h, clo);
		if (clabel) {
			fprintf(fp, "<text x=\"%.2f\" y=\"%.2f\">", x - 2, top - 6);
			scuot_svg_escape(fp, clabel);
			fprintf(fp, "</text>\n");
		}
		fprintf(fp, "</g>\n");
	}
	fprintf(fp, "</svg>\n");
	return 0;
}

int scuot_svg_bars(FILE *fp, const scuot_svg_plot *p, int ngroup, const char *const *groups, int nseries,
		   const char *const *series, const double *v, scuot_err *e)
{
	frame f = { 0 };
	const char *cols[64];
	int any = 0;
	f.xlo = 0, f.xhi = ngroup > 0 ? ngroup : 1;
	f.ylo = 0, f.yhi = -INFINITY;
	for (int i = 0; i < ngroup * nseries; i++)
		if (isfinite(v[i])) {
			any = 1;
			f.yhi = fmax(f.yhi, v[i]), f.ylo = fmin(f.ylo, v[i]);
		}
	if (!any)
		return scuot_err_set(e, SCUOT_EUSAGE, "bar chart '%s': every value is missing",
				     p->title ? p->title : "");
	if (f.yhi <= 0)
		f.yhi = 0;
	pad_range(&f.ylo, &f.yhi, 0.05);
	if (f.ylo > 0 || f.ylo > -1e-12)
		f.ylo = fmin(0, f.ylo);
	frame_init(&f, p, 1);
	f.y1 -= 22; /* room for two-line group labels */
	open_svg(fp, p);
	draw_axes(fp, p, &f, 0);
	double gw = (f.x1 - f.x0) / (f.xhi - f.xlo), bw = gw * 0.8 / (nseries > 0 ? nseries : 1);
	double base = fy(&f, 0);
	for (int g = 0; g < ngroup; g++) {
		double gx = f.x0 + g * gw + gw * 0.1;
		for (int k = 0; k < nseries; k++) {
			double val = v[g * nseries + k], x = gx + k * bw;
			if (!isfinite(val)) {
				fprintf(fp,
					"<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
					"font-size=\"8\">n/a</text>\n",
					x + bw / 2, base - 3);
				continue;
			}
			double y = fy(&f, val);
			fprintf(
			    fp,
			    "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>",
			    x, fmin(y, base), bw * 0.95, fabs(base - y), scuot_svg_palette(k));
			scuot_svg_escape(fp, groups[g]);
			fprintf(fp, ", ");
			scuot_svg_escape(fp, series[k]);
			fprintf(fp, ": %.4g</title></rect>\n", val);
		}
		fprintf(
		    fp,
		    "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\" transform=\"rotate(-30 %.2f %.2f)\">",
		    gx + gw * 0.4, f.y1 + 14, gx + gw * 0.4, f.y1 + 14);
		scuot_svg_escape(fp, groups[g]);
		fprintf(fp, "</text>\n");
	}
	fprintf(fp, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#000000\"/>\n", f.x0,
		base, f.x1, base);
	for (int k = 0; k < nseries && k < 64; k++)
		cols[k] = scuot_svg_palette(k);
	draw_legend(fp, &f, nseries < 64 ? nseries : 64, series, cols, 0);
	fprintf(fp, "</svg>\n");
	return 0;
}

int scuot_svg_histogram(FILE *fp, const scuot_svg_plot *p, const scuot_svg_series *s, int ns, int nbins,
			scuot_err *e)
{
	frame f = { 0 };
	double lo = INFINITY, hi = -INFINITY, width, ymax = 0, counts[512];
	const char *names[64], *cols[64];
	int nleg = 0;
	if (nbins < 1)
		nbins = 1;
	if (nbins > 512)
		nbins = 512;
	for (int k = 0; k < ns; k++)
		for (int64_t i = 0; i < s[k].n; i++)
			if (isfinite(s[k].x[i]))
				lo = fmin(lo, s[k].x[i]), hi = fmax(hi, s[k].x[i]);
	if (!(lo <= hi))
		return scuot_err_set(e, SCUOT_EUSAGE, "histogram '%s': no finite value",
				     p->title ? p->title : "");
	if (hi == lo)
		lo -= 0.5, hi += 0.5;
	width = (hi - lo) / nbins;
	/* the largest bin fraction over all series, for the y range */
	for (int k = 0; k < ns; k++) {
		int64_t tot = 0;
		memset(counts, 0, sizeof counts);
		for (int64_t i = 0; i < s[k].n; i++)
			if (isfinite(s[k].x[i])) {
				int b = (int)((s[k].x[i] - lo) / width);
				counts[b >= nbins ? nbins - 1 : b < 0 ? 0 : b]++, tot++;
			}
		for (int b = 0; b < nbins && tot; b++)
			ymax = fmax(ymax, counts[b] / (double)tot);
	}
	f.xlo = lo, f.xhi = hi, f.ylo = 0, f.yhi = ymax > 0 ? ymax * 1.05 : 1;
	frame_init(&f, p, 1);
	open_svg(fp, p);
	draw_axes(fp, p, &f, 1);
	for (int k = 0; k < ns; k++) {
		int64_t tot = 0;
		const char *col = series_colour(s, k);
		memset(counts, 0, sizeof counts);
		for (int64_t i = 0; i < s[k].n; i++)
			if (isfinite(s[k].x[i])) {
				int b = (int)((s[k].x[i] - lo) / width);
				counts[b >= nbins ? nbins - 1 : b < 0 ? 0 : b]++, tot++;
			}
		fprintf(fp,
			"<g class=\"series\" fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"%s\" "
			"stroke-width=\"0.6\">\n",
			col,
			s[k].opacity > 0 ? s[k].opacity
			: ns > 1         ? 0.45
					 : 0.8,
			col);
		for (int b = 0; b < nbins && tot; b++) {
			double frac = counts[b] / (double)tot, xa = fx(&f, lo + b * width),
			       xb = fx(&f, lo + (b + 1) * width);
			if (frac <= 0)
				continue;
			fprintf(fp, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n", xa,
				fy(&f, frac), xb - xa, f.y1 - fy(&f, frac));
		}
		fprintf(fp, "</g>\n");
		if (nleg < 64 && s[k].name)
			names[nleg] = s[k].name, cols[nleg++] = col;
	}
	draw_legend(fp, &f, nleg, names, cols, 0);
	fprintf(fp, "</svg>\n");
	return 0;
}

int scuot_svg_lines(FILE *fp, const scuot_svg_plot *p, const scuot_svg_series *s, int ns, scuot_err *e)
{
	frame f = { 0 };
	const char *names[64], *cols[64];
	int64_t npts = 0;
	int nleg = 0;
	f.ylog = p->ylog;
	f.xlo = f.ylo = INFINITY, f.xhi = f.yhi = -INFINITY;
	for (int k = 0; k < ns; k++)
		for (int64_t i = 0; i < s[k].n; i++) {
			double y = s[k].y[i];
			if (!isfinite(s[k].x[i]) || !isfinite(y) || (p->ylog && !(y > 0)))
				continue;
			if (p->ylog)
				y = log10(y);
			npts++;
			f.xlo = fmin(f.xlo, s[k].x[i]), f.xhi = fmax(f.xhi, s[k].x[i]);
			f.ylo = fmin(f.ylo, y), f.yhi = fmax(f.yhi, y);
		}
	if (!npts)
		return scuot_err_set(e, SCUOT_EUSAGE, "line plot '%s': no point to draw",
				     p->title ? p->title : "");
	pad_range(&f.xlo, &f.xhi, 0.02);
	pad_range(&f.ylo, &f.yhi, 0.05);
	frame_init(&f, p, 1);
	open_svg(fp, p);
	draw_axes(fp, p, &f, 1);
	for (int k = 0; k < ns; k++) {
		const char *col = series_colour(s, k);
		int started = 0;
		fprintf(fp, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"", col);
		for (int64_t i = 0; i < s[k].n; i++) {
			if (!isfinite(s[k].x[i]) || !isfinite(s[k].y[i]) || (p->ylog && !(s[k].y[i] > 0)))
				continue;
			fprintf(fp, "%s%.2f,%.2f", started ? " " : "", fx(&f, s[k].x[i]), fy(&f, s[k].y[i]));
			started = 1;
		}
		fprintf(fp, "\"/>\n");
		if (nleg < 64 && s[k].name)
			names[nleg] = s[k].name, cols[nleg++] = col;
	}
	draw_legend(fp, &f, nleg, names, cols, 1);
	fprintf(fp, "</svg>\n");
	return 0;
}
