/* tmap.h -- Waddington-OT transport maps: a coupling as AnnData (obs = source cells with growth columns,
 * var = target cells, X = the coupling), written for wot/moscot-style tools and read back as a result. */
#ifndef SCUOT_IO_TMAP_H
#define SCUOT_IO_TMAP_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"
#include "core/mat.h"
#include "io/adata.h"
#include "ot/ot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The coupling of r as a tmap: X (float32 CSR) holds n pi (Waddington-OT's scale: row i sums to the
 * growth of cell i over the interval), every positive entry of a stored dense or exact sparse coupling,
 * else the topk largest of each row (rebuilt from the dual potentials when none is stored); obs columns g0 = a_i n (prior growth over the interval: 1 without a prior), g1 = row_sum_i n
 * (posterior, as Waddington-OT's g1 after one growth iteration), growth_rate = g1^(1/(t1 - t0)) (per-day
 * posterior rate, moscot's posterior_growth_rates) and scaling; uns/tmap t0, t1, method, parameters. */
SCUOT_EXPORT int scuot_tmap_from_result(const scuot_ot_result *r, int64_t topk, scuot_adata **out, scuot_err *e);
/* A result (method "tmap" unless uns/tmap/method says otherwise) from a tmap read from file name: the
 * coupling X / n as an exact sparse one, x and y the coordinates of its obs and var cells (rows in tmap order,
 * d columns), masses a_i = g0_i / n when obs has g0, else 1/n, and b_j = sum(a) / m. */
SCUOT_EXPORT int scuot_tmap_to_result(const scuot_adata *tmap, const char *name, const double *x, const double *y,
                                      int64_t d, double t0, double t1, scuot_ot_result **out, scuot_err *e);

/* The two days of a map read from path: uns/tmap t0 and t1 when present (scuot's maps), else the file name
 * Waddington-OT gives its maps, PREFIX_T0_T1.h5ad.  SCUOT_EINPUT when neither says. */
SCUOT_EXPORT int scuot_tmap_days(const scuot_adata *tmap, const char *path, double *t0, double *t1, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
