/* svg.h -- small SVG figures for the HTML report: scatter plots (optionally coloured by a value, with a
 * colour bar), grouped bars, histograms and line plots, each with axes, ticks, labels and a legend. */
#ifndef SCUOT_REPORT_SVG_H
#define SCUOT_REPORT_SVG_H

#include <stdint.h>
#include <stdio.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Size and labels of one figure; text is escaped when written. */
typedef struct scuot_svg_plot {
	double width, height;                /* pixels [560 x 360] */
	const char *title, *xlabel, *ylabel; /* NULL = none */
	int ylog;                            /* lines: log10 y axis (values <= 0 are left out) [0] */
	int64_t max_points;                  /* scatter: at most this many points per series, evenly thinned
	                                     * (every k-th point); 0 = all [0] */
} scuot_svg_plot;

/* Defaults as in the brackets above. */
SCUOT_EXPORT void scuot_svg_plot_init(scuot_svg_plot *p);

/* A series of points (scatter) or a polyline (lines); arrays borrowed. */
typedef struct scuot_svg_series {
	const char *name;    /* legend label */
	const double *x, *y; /* n values; non-finite points are left out */
	const double
	    *c; /* scatter: values mapped through the viridis colour map (colour bar); NULL = colour */
	int64_t n;
	const char *colour; /* "#rrggbb"; NULL = the palette colour of the series number */
	double radius;      /* scatter: point radius in pixels (0 = 2) */
	double opacity;     /* fill opacity (0 = 0.7) */
} scuot_svg_series;

/* Write text to fp with &, <, >, " and ' escaped (for SVG and HTML text and attributes). */
SCUOT_EXPORT void scuot_svg_escape(FILE *fp, const char *s);
/* Tick positions: "nice" steps (1, 2 or 5 times a power of 10) covering [lo, hi] with about want ticks,
 * into t[0..max); returns the count (0 when lo or hi is not finite). */
SCUOT_EXPORT int scuot_svg_ticks(double lo, double hi, int want, double *t, int max);
/* Colour number k of the palette (10 colours, repeating) as "#rrggbb". */
SCUOT_EXPORT const char *scuot_svg_palette(int k);
/* The viridis colour of u in [0, 1] (clamped) into buf (8 bytes) as "#rrggbb". */
SCUOT_EXPORT const char *scuot_svg_viridis(double u, char *buf);

/* Scatter plot of ns series (drawn in order, so later series lie on top).  Series with c set share one
 * colour scale labelled clabel.  Each figure writes one <svg> element.  SCUOT_EUSAGE when no series has
 * a finite point. */
SCUOT_EXPORT int scuot_svg_scatter(FILE *fp, const scuot_svg_plot *p, const scuot_svg_series *s, int ns,
				   const char *clabel, scuot_err *e);
/* Grouped bar chart: ngroup groups along x (labels groups), in each nseries bars (labels series, palette
 * colours), heights v[g * nseries + k]; NaN bars are left out and marked "n/a".  Bars start at 0.
 * SCUOT_EUSAGE when every value is NaN. */
SCUOT_EXPORT int scuot_svg_bars(FILE *fp, const scuot_svg_plot *p, int ngroup, const char *const *groups,
				int nseries, const char *const *series, const double *v, scuot_err *e);
/* Histograms of ns series over shared bins (nbins equal bins over the range of all finite values),
 * overlaid with translucent fills; y is the fraction of each series' values in a bin.  SCUOT_EUSAGE when
 * no value is finite. */
SCUOT_EXPORT int scuot_svg_histogram(FILE *fp, const scuot_svg_plot *p, const scuot_svg_series *s, int ns,
				     int nbins, scuot_err *e);
/* Line plot of ns series (x increasing).  SCUOT_EUSAGE when no series has a point to draw. */
SCUOT_EXPORT int scuot_svg_lines(FILE *fp, const scuot_svg_plot *p, const scuot_svg_series *s, int ns,
				 scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
