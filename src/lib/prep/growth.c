/* growth.c -- birth, death and growth-rate priors from proliferation and apoptosis scores, as in
 * Waddington-OT (Schiebinger et al. 2019, Cell 176:928; wot notebook 2 "compute growth rates"):
 *   birth = beta_min + (beta_max - beta_min) / (1 + exp(-(4 / beta_width) (p - beta_center)))
 *   death = delta_min + (delta_max - delta_min) / (1 + exp(-(4 / delta_width) (a - delta_center)))
 *   growth = exp(birth - death), the expected number of descendants after one unit of time.
 * Defaults are the notebook's: beta 0.3..1.7, centre 0.25, width 0.5; delta 0.3..1.7, centre 0.1,
 * width 0.2. */
#include <math.h>
#include <string.h>

#include "prep/prep.h"

void scuot_growth_opts_init(scuot_growth_opts *o)
{
	memset(o, 0, sizeof *o);
	o->beta_min = 0.3, o->beta_max = 1.7, o->beta_center = 0.25, o->beta_width = 0.5;
	o->delta_min = 0.3, o->delta_max = 1.7, o->delta_center = 0.1, o->delta_width = 0.2;
}

int scuot_growth_opts_check(const scuot_growth_opts *o, scuot_err *e)
{
	if (!(o->beta_min <= o->beta_max))
		return scuot_err_set(e, SCUOT_EUSAGE, "--beta-min %g is above --beta-max %g", o->beta_min,
		                     o->beta_max);
	if (!(o->delta_min <= o->delta_max))
		return scuot_err_set(e, SCUOT_EUSAGE, "--delta-min %g is above --delta-max %g", o->delta_min,
		                     o->delta_max);
	if (!(o->beta_width > 0) || !(o->delta_width > 0))
		return scuot_err_set(e, SCUOT_EUSAGE,
		                     "--beta-width and --delta-width must be positive (%g, %g)",
		                     o->beta_width, o->delta_width);
	if (!isfinite(o->beta_center) || !isfinite(o->delta_center))
		return scuot_err_set(e, SCUOT_EUSAGE, "--beta-center and --delta-center must be finite");
	return 0;
}

/* WOT's gen_logistic: lo + logistic(x; L = hi - lo, k = 4 / width, x0 = center). */
static double gen_logistic(double x, double lo, double hi, double center, double width)
{
	return lo + (hi - lo) / (1 + exp(-(4 / width) * (x - center)));
}

void scuot_growth_rates(const scuot_growth_opts *o, const double *prolif, const double *apop, int64_t n,
                        double *birth, double *death, double *growth)
{
	for (int64_t i = 0; i < n; i++) {
		double b = gen_logistic(prolif[i], o->beta_min, o->beta_max, o->beta_center, o->beta_width);
		double d = gen_logistic(apop[i], o->delta_min, o->delta_max, o->delta_center, o->delta_width);
		if (birth)
			birth[i] = b;
		if (death)
			death[i] = d;
		if (growth)
			growth[i] = exp(b - d);
	}
}
