/* sim_internal.h -- NOT a public header: helpers shared by the files of src/lib/sim and its unit tests.
 * Names here may change without notice; executables include sim.h only. */
#ifndef SCUOT_SIM_INTERNAL_H
#define SCUOT_SIM_INTERNAL_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "sim/sim.h"

/* Birth rate scale of a cell: 1 - e + 2 e logistic(p) (mean 1 over p ~ N(0, s^2)). */
double scuot_sim_prolif_factor(double p, double effect);

/* One count: negative binomial with mean mu and Var = mu + phi mu^2 by gamma-Poisson (Poisson when
 * phi == 0), then forced to 0 with probability dropout / (1 + mu).  Always draws the same number of
 * uniforms for the dropout decision, so streams stay aligned. */
unsigned scuot_sim_nb_draw(gsl_rng *r, double mu, double phi, double dropout);

#endif
