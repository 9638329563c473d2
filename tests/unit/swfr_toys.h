/* swfr_toys.h -- not a public header: the 2-D toy densities of the swfr paper's Sec. 6.2, drawn the same way by
 * tests/unit/test_swfr.c and the figure driver tests/bench/swfr/papers.c. */
#ifndef SCUOT_TESTS_SWFR_TOYS_H
#define SCUOT_TESTS_SWFR_TOYS_H

#include <math.h>
#include <stdint.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* The 2-D toy densities of FFJORD (Grathwohl et al. 2019, toy_data.py), which OT-Flow (Onken et al. 2021) and
 * the swfr paper (Sec. 6.2, Fig. 6) reuse, n draws into x (n x 2):
 *   "8 Gaussians": (4 (cos k pi/4, sin k pi/4) + N(0, 0.5^2 I)) / sqrt(2), k uniform on 0..7 (FFJORD divides
 *                  by 1.414): centres on the circle of radius 2 sqrt(2), standard deviation 0.354;
 *   "two moons":   sklearn's make_moons with noise 0.1 (the upper half circle (cos s, sin s) and the lower
 *                  one (1 - cos s, 1/2 - sin s), each with probability 1/2, s uniform on [0, pi] where
 *                  sklearn takes equally spaced s, plus N(0, 0.1^2 I)), mapped as FFJORD by
 *                  p -> 2 p + (-1, -0.2): variances near 3 (x) and 1 (y). */
static inline void draw_toy(int moons, gsl_rng *r, int64_t n, double *x)
{
	for (int64_t i = 0; i < n; i++) {
		if (!moons) {
			double th = M_PI / 4 * (double)gsl_rng_uniform_int(r, 8);
			x[2 * i] = (4 * cos(th) + gsl_ran_gaussian(r, 0.5)) / M_SQRT2;
			x[2 * i + 1] = (4 * sin(th) + gsl_ran_gaussian(r, 0.5)) / M_SQRT2;
		} else {
			double s = M_PI * gsl_rng_uniform(r), u, v;
			if (gsl_rng_uniform(r) < 0.5)
				u = cos(s), v = sin(s);
			else
				u = 1 - cos(s), v = 0.5 - sin(s);
			x[2 * i] = 2 * (u + gsl_ran_gaussian(r, 0.1)) - 1;
			x[2 * i + 1] = 2 * (v + gsl_ran_gaussian(r, 0.1)) - 0.2;
		}
	}
}

#endif
