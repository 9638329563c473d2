/* interp.h -- populations between the two days of a transport result: Waddington-OT's pair-sampling rule
 * on a coupling, the WFR (Hellinger-Kantorovich) geodesic between paired Diracs, or a stored snapshot. */
#ifndef SCUOT_OT_INTERP_H
#define SCUOT_OT_INTERP_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"
#include "ot/ot.h"

#ifdef __cplusplus
extern "C" {
#endif

enum scuot_interp_rule {
	SCUOT_INTERP_AUTO = 0, /* wfr for WFR-cost results, mmd-split for results without a coupling, else linear */
	SCUOT_INTERP_LINEAR,   /* pairs drawn prop. to pi_ij / colsum_j^(1-s), point (1-s) x_i + s y_j */
	SCUOT_INTERP_WFR,      /* pairs drawn prop. to their geodesic mass at s, point on the WFR geodesic */
	SCUOT_INTERP_SNAPSHOT, /* the stored snapshot whose s is nearest */
	SCUOT_INTERP_MMD_SPLIT, /* the stored snapshot whose exact Gaussian MMDs to the source and to the target
	                         * split as s : (1 - s) (bandwidth: the result's parameter sigma when > 0, else the
	                         * median source-target distance); s = 1/2 is the USD paper's midpoint */
	SCUOT_INTERP_MAP        /* maps (UOT-GAN, barycentric projection): the first and last snapshots hold the
	                         * same particles, at s = 0 and 1; point (1-s) x0 + s x1, mass (1-s) w0 + s w1
	                         * (auto picks it for a result without coupling whose snapshots are exactly these) */
};

/* A predicted population: np points (np x d), their masses, and the pair each came from (-1 when none). */
typedef struct scuot_interp_pop {
	int64_t np, d;
	double *x, *w;
	int64_t *src, *tgt;
	double s;    /* fraction of the way from source to target */
	double mass; /* total mass of the population (w sums to it) */
	int rule;
} scuot_interp_pop;

/* Population of r at fraction s in [0, 1] with npoints draws, deterministic for seed (any thread count). */
SCUOT_EXPORT int scuot_interp(const scuot_ot_result *r, double s, int rule, int64_t npoints, uint64_t seed,
                              scuot_interp_pop *out, scuot_err *e);
SCUOT_EXPORT void scuot_interp_pop_clear(scuot_interp_pop *p);
/* Mass and position at fraction s of the WFR geodesic from m0 at x0 to m1 at x1 (d dims, length scale
 * delta): the straight line in the cone, z = (1-s) sqrt(m0) + s sqrt(m1) e^{i theta}, theta =
 * |x1 - x0| / (2 delta) < pi/2 (Chizat, Peyre, Schmitzer, Vialard 2018, "An interpolating distance between
 * optimal transport and Fisher-Rao metrics", Sec. 3; Liero, Mielke, Savare 2018).  Returns m(s); x gets
 * x0 + 2 delta arg(z) (x1 - x0) / |x1 - x0|. */
SCUOT_EXPORT double scuot_wfr_geodesic(const double *x0, double m0, const double *x1, double m1, int64_t d,
                                       double delta, double s, double *x);
SCUOT_EXPORT const char *scuot_interp_rule_name(int rule);

#ifdef __cplusplus
}
#endif
#endif
