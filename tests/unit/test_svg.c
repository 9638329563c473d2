/* test_svg.c -- unit tests of the SVG figures: escaping, nice ticks, colours, and each plot kind's elements
 * (axes, ticks, labels, legend, one mark per value) and refusals. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/svg.h"

/* Run fn into a memory stream and return the text (caller frees). */
#define CAPTURE(buf, len, stmt)                                                                              \
	do {                                                                                                 \
		FILE *fp_ = open_memstream(&(buf), &(len));                                                  \
		cr_assert(fp_);                                                                              \
		FILE *fp = fp_;                                                                              \
		stmt;                                                                                        \
		fclose(fp_);                                                                                 \
	} while (0)

static int count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

Test(svg, escape)
{
	char *b = NULL;
	size_t len = 0;
	CAPTURE(b, len, scuot_svg_escape(fp, "a<b & \"c\" > 'd'"));
	cr_expect_str_eq(b, "a&lt;b &amp; &quot;c&quot; &gt; &#39;d&#39;");
	free(b);
}

Test(svg, nice_ticks)
{
	double t[32];
	int n = scuot_svg_ticks(0.03, 0.97, 6, t, 32);
	cr_assert_eq(n, 4, "ticks of [0.03, 0.97]: %d", n);
	const double want[4] = { 0.2, 0.4, 0.6, 0.8 };
	for (int k = 0; k < 4; k++)
		cr_expect(fabs(t[k] - want[k]) < 1e-12, "tick %d: %g, expected %g", k, t[k], want[k]);
	n = scuot_svg_ticks(-13, 47, 7, t, 32);
	cr_expect_eq(n, 6, "ticks of [-13, 47]: %d", n);
	cr_expect(fabs(t[0] + 10) < 1e-12 && fabs(t[5] - 40) < 1e-12, "first %g last %g", t[0], t[n - 1]);
	cr_expect_eq(scuot_svg_ticks(NAN, 1, 5, t, 32), 0);
	cr_expect_eq(scuot_svg_ticks(2, 2, 5, t, 32), 1);
}

Test(svg, colours)
{
	char b[8];
	cr_expect_str_eq(scuot_svg_viridis(0, b), "#440154");
	cr_expect_str_eq(scuot_svg_viridis(1, b), "#fde725");
	cr_expect_str_eq(scuot_svg_viridis(-3, b), "#440154");
	cr_expect_str_eq(scuot_svg_palette(0), "#1f77b4");
	cr_expect_str_eq(scuot_svg_palette(10), "#1f77b4");
}

Test(svg, scatter_elements)
{
	const double x[4] = { 0, 1, 2, NAN }, y[4] = { 1, 3, 2, 0 }, c[4] = { 0.5, 1, 2, 1 };
	scuot_svg_series s[2] = { { "cells <a>", x, y, NULL, 4, NULL, 0, 0 },
				  { "pred", x, y, c, 3, NULL, 0, 0 } };
	scuot_svg_plot p;
	scuot_err e = { 0 };
	char *b = NULL;
	size_t len = 0;
	int r;
	scuot_svg_plot_init(&p);
	p.title = "T & U", p.xlabel = "PC1", p.ylabel = "PC2";
	CAPTURE(b, len, r = scuot_svg_scatter(fp, &p, s, 2, "weight", &e));
	cr_assert_eq(r, 0, "%s", e.msg);
	cr_expect(!strncmp(b, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39));
	cr_expect_eq(count(b, "<circle"), 6, "circles: %d (3 finite + 3 coloured)", count(b, "<circle"));
	cr_expect(strstr(b, "T &amp; U") && strstr(b, "cells &lt;a&gt;") && strstr(b, ">PC1<") &&
		  strstr(b, ">PC2<"));
	cr_expect(strstr(b, "class=\"colorbar\"") && strstr(b, ">weight<"), "colour bar missing");
	cr_expect(strstr(b, "#fde725"), "largest colour value not drawn in viridis yellow");
	cr_expect(count(b, "text-anchor=\"end\"") >= 3, "y tick labels");
	cr_expect(!strcmp(b + strlen(b) - 7, "</svg>\n"));
	free(b);
	b = NULL;
	const double nan2[1] = { NAN };
	scuot_svg_series bad = { "x", nan2, nan2, NULL, 1, NULL, 0, 0 };
	CAPTURE(b, len, r = scuot_svg_scatter(fp, &p, &bad, 1, NULL, &e));
	cr_expect_eq(r, SCUOT_EUSAGE);
	free(b);
}

Test(svg, bars_histogram_lines)
{
	const char *groups[3] = { "uot", "emd", "source" }, *series[2] = { "mmd", "emd" };
	const double v[6] = { 0.3, 0.4, 0.5, NAN, 0.9, 1.0 };
	const double h[6] = { 0, 0, 1, 1, 1, 2 }, st[3] = { 0, 1, 2 }, cu[3] = { 1, 0.1, 0.01 };
	scuot_svg_series hs = { "uot", h, NULL, NULL, 6, NULL, 0, 0 },
			 ls = { "ksd", st, cu, NULL, 3, NULL, 0, 0 };
	scuot_svg_plot p;
	scuot_err e = { 0 };
	char *b = NULL;
	size_t len = 0;
	int r;
	scuot_svg_plot_init(&p);
	CAPTURE(b, len, r = scuot_svg_bars(fp, &p, 3, groups, 2, series, v, &e));
	cr_assert_eq(r, 0, "%s", e.msg);
	cr_expect_eq(count(b, "<title>"), 5, "bars with a tooltip: %d", count(b, "<title>"));
	cr_expect_eq(count(b, ">n/a<"), 1);
	cr_expect(strstr(b, ">source<") && strstr(b, ">mmd<"), "group and legend labels");
	free(b);
	b = NULL;
	CAPTURE(b, len, r = scuot_svg_histogram(fp, &p, &hs, 1, 2, &e));
	cr_assert_eq(r, 0, "%s", e.msg);
	/* bins [0, 1) and [1, 2]: 2 and 4 values of 6, plus the frame and the legend swatch */
	cr_expect_eq(count(b, "<rect"), 5, "rects: %d", count(b, "<rect"));
	free(b);
	b = NULL;
	p.ylog = 1;
	CAPTURE(b, len, r = scuot_svg_lines(fp, &p, &ls, 1, &e));
	cr_assert_eq(r, 0, "%s", e.msg);
	cr_expect_eq(count(b, "<polyline"), 1);
	cr_expect(strstr(b, ">0.01<") && strstr(b, ">1<"), "log ticks at powers of ten");
	free(b);
	b = NULL;
	const double allnan[2] = { NAN, NAN };
	CAPTURE(b, len, r = scuot_svg_bars(fp, &p, 1, groups, 2, series, allnan, &e));
	cr_expect_eq(r, SCUOT_EUSAGE);
	free(b);
}

Test(report, tsv_reader)
{
	char path[] = "/tmp/scuot-test-tsv.XXXXXX";
	int fd = mkstemp(path);
	scuot_report_tsv *t = NULL;
	scuot_err e = { 0 };
	cr_assert(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	fputs("a\tb\tc\n1\t\t3\r\nx\ty\tz\n\n", fp);
	fclose(fp);
	cr_assert_eq(scuot_report_tsv_read(path, &t, &e), 0, "%s", e.msg);
	cr_expect_eq(t->ncol, 3);
	cr_expect_eq(t->nrow, 2);
	cr_expect_str_eq(t->rows[0][1], "");
	cr_expect_str_eq(t->rows[0][2], "3");
	cr_expect_eq(scuot_report_tsv_col(t, "c"), 2);
	cr_expect_eq(scuot_report_tsv_col(t, "d"), -1);
	scuot_report_tsv_free(t);
	fp = fopen(path, "w");
	fputs("a\tb\n1\t2\t3\n", fp);
	fclose(fp);
	cr_expect_eq(scuot_report_tsv_read(path, &t, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "line 2 has 3 fields but the header has 2"), "message: %s", e.msg);
	remove(path);
}
