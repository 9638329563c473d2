/* interp.c -- predicted populations between two days from a transport result: pair sampling on the
 * coupling (Waddington-OT's interpolate_with_ot rule, or WFR geodesics with mass), or a stored snapshot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/log.h"
#include "core/rng.h"
#include "flow/flow.h"
#include "ot/cost.h"
#include "ot/interp.h"

const char *scuot_interp_rule_name(int rule)
{
	static const char *names[] = { "auto", "linear", "wfr", "snapshot", "mmd-split", "map" };
	return rule >= 0 && rule <= SCUOT_INTERP_MAP ? names[rule] : "?";
}

void scuot_interp_pop_clear(scuot_interp_pop *p)
{
	if (!p)
		return;
	free(p->x);
	free(p->w);
	free(p->src);
	free(p->tgt);
	memset(p, 0, sizeof *p);
}

double scuot_wfr_geodesic(const double *x0, double m0, const double *x1, double m1, int64_t d, double delta,
                          double s, double *x)
{
	double dist2 = 0;
	for (int64_t k = 0; k < d; k++)
		dist2 += (x1[k] - x0[k]) * (x1[k] - x0[k]);
	double dist = sqrt(dist2), theta = dist / (2 * delta);
	if (theta > M_PI / 2)
		theta = M_PI / 2;
	double r0 = sqrt(m0), r1 = sqrt(m1);
	double re = (1 - s) * r0 + s * r1 * cos(theta), im = s * r1 * sin(theta);
	double phi = (re == 0 && im == 0) ? 0 : atan2(im, re);
	double step = dist > 0 ? 2 * delta * phi / dist : 0;
	for (int64_t k = 0; k < d; k++)
		x[k] = x0[k] + step * (x1[k] - x0[k]);
	return re * re + im * im;
}

/* Sampling weight of pair (i, j) with coupling value p at fraction s. */
static inline double pair_weight(const scuot_ot_result *r, int rule, double s, int64_t i, int64_t j, double p,
                                 double cosm)
{
	if (p <= 0)
		return 0;
	if (rule == SCUOT_INTERP_LINEAR)
		return r->col_sum[j] > 0 ? p / pow(r->col_sum[j], 1 - s) : 0;
	/* WFR: plan mass times |z(s)|^2 with cone radii sqrt(a_i / rowsum_i), sqrt(b_j / colsum_j) */
	double q0 = r->a[i] / r->row_sum[i], q1 = r->b[j] / r->col_sum[j];
	return p * ((1 - s) * (1 - s) * q0 + s * s * q1 + 2 * s * (1 - s) * sqrt(q0 * q1) * cosm);
}

/* cos(min(|x_i - y_j| / (2 delta), pi/2)). */
static inline double wfr_cos(const scuot_ot_result *r, int64_t i, int64_t j)
{
	double d2 = 0;
	for (int64_t k = 0; k < r->d; k++) {
		double t = r->x[i * r->d + k] - r->y[j * r->d + k];
		d2 += t * t;
	}
	double th = sqrt(d2) / (2 * r->delta);
	return th >= M_PI / 2 ? 0 : cos(th);
}

/* Copy snapshot best of r into out; the rule recorded is rule. */
static int snapshot_copy(const scuot_ot_result *r, int best, double s, int rule, scuot_interp_pop *out,
                         scuot_err *e)
{
	const scuot_ot_snapshot *sn = &r->snap[best];
	int64_t np = sn->np, d = r->d;
	out->x = scuot_alloc((size_t)(np * d), sizeof(double), 0, "population", e);
	out->w = scuot_alloc((size_t)np, sizeof(double), 0, "population masses", e);
	out->src = scuot_alloc((size_t)np, sizeof(int64_t), 0, "population sources", e);
	out->tgt = scuot_alloc((size_t)np, sizeof(int64_t), 0, "population targets", e);
	if (!out->x || !out->w || !out->src || !out->tgt)
		return e->code;
	memcpy(out->x, sn->x, sizeof(double) * (size_t)(np * d));
	memcpy(out->w, sn->w, sizeof(double) * (size_t)np);
	out->mass = 0;
	for (int64_t k = 0; k < np; k++) {
		out->mass += sn->w[k];
		out->src[k] = sn->ancestor ? sn->ancestor[k] : -1;
		out->tgt[k] = -1;
	}
	out->np = np, out->d = d, out->s = sn->s, out->rule = rule;
	scuot_log_info("snapshot %d of %d (s = %.4g, asked %.4g): %lld particles", best, r->n_snap, sn->s, s,
	               (long long)np);
	return 0;
}

static int snapshot_pop(const scuot_ot_result *r, double s, scuot_interp_pop *out, scuot_err *e)
{
	int best = 0;
	for (int k = 1; k < r->n_snap; k++)
		if (fabs(r->snap[k].s - s) < fabs(r->snap[best].s - s))
			best = k;
	return snapshot_copy(r, best, s, SCUOT_INTERP_SNAPSHOT, out, e);
}

/* The snapshot whose MMD to the source and to the target split as s : (1 - s); its s becomes that split. */
static int mmd_split_pop(const scuot_ot_result *r, double s, scuot_interp_pop *out, scuot_err *e)
{
	const double **xs = NULL, **ws = NULL;
	int64_t *np = NULL;
	double *d0 = NULL, *d1 = NULL, sigma = 0;
	int best, ret;
	for (int k = 0; k < r->n_params; k++)
		if (r->param_names[k] && !strcmp(r->param_names[k], "sigma"))
			sigma = r->params[k];
	if (!(sigma > 0) || !isfinite(sigma))
		sigma = scuot_flow_median_sigma(r->x, r->n, r->y, r->m, r->d);
	if (!(xs = scuot_alloc((size_t)r->n_snap, sizeof *xs, 0, "snapshot list", e)) ||
	    !(ws = scuot_alloc((size_t)r->n_snap, sizeof *ws, 0, "snapshot list", e)) ||
	    !(np = scuot_alloc((size_t)r->n_snap, sizeof *np, 0, "snapshot list", e)) ||
	    !(d0 = scuot_alloc((size_t)r->n_snap, sizeof *d0, 0, "snapshot MMDs", e)) ||
	    !(d1 = scuot_alloc((size_t)r->n_snap, sizeof *d1, 0, "snapshot MMDs", e))) {
		ret = e->code;
		goto done;
	}
	for (int k = 0; k < r->n_snap; k++)
		xs[k] = r->snap[k].x, ws[k] = r->snap[k].w, np[k] = r->snap[k].np;
	if ((best = scuot_flow_mmd_split(xs, np, ws, r->n_snap, r->x, r->n, r->a, r->y, r->m, r->b, r->d, sigma, s, d0,
	                                 d1, e)) < 0) {
		scuot_err_prefix(e, "the %s result's snapshots: ", r->method);
		ret = e->code;
		goto done;
	}
	if ((ret = snapshot_copy(r, best, s, SCUOT_INTERP_MMD_SPLIT, out, e)))
		goto done;
	out->s = d0[best] + d1[best] > 0 ? d0[best] / (d0[best] + d1[best]) : 0.5;
	scuot_log_info("MMD split (sigma %.4g): snapshot %d has MMD %.4g to the source and %.4g to the target "
	               "(split %.4g, asked %.4g)", sigma, best, d0[best], d1[best], out->s, s);
done:
	free(xs);
	free(ws);
	free(np);
	free(d0);
	free(d1);
	return ret;
}

/* A map's two snapshots: both particle sets of the same size, the first at s = 0 and the last at s = 1. */
static int is_map(const scuot_ot_result *r)
{
	return r->n_snap == 2 && r->snap[0].s == 0 && r->snap[1].s == 1 && r->snap[0].np == r->snap[1].np;
}

/* The point (1-s) x0 + s x1 and mass (1-s) w0 + s w1 of every particle of a map's two snapshots. */
static int map_pop(const scuot_ot_result *r, double s, scuot_interp_pop *out, scuot_err *e)
{
	if (!is_map(r))
		return scuot_err_set(e, SCUOT_EINPUT, "the %s result does not hold a map (two snapshots of the same "
		                     "particles at s = 0 and s = 1)", r->method);
	int ret = snapshot_copy(r, 0, s, SCUOT_INTERP_MAP, out, e);
	if (ret)
		return ret;
	const scuot_ot_snapshot *b = &r->snap[1];
	out->mass = 0;
	for (int64_t k = 0; k < b->np; k++) {
		for (int64_t j = 0; j < r->d; j++)
			out->x[k * r->d + j] = (1 - s) * out->x[k * r->d + j] + s * b->x[k * r->d + j];
		out->w[k] = (1 - s) * out->w[k] + s * b->w[k];
		out->mass += out->w[k];
	}
	out->s = s;
	return 0;
}

int scuot_interp(const scuot_ot_result *r, double s, int rule, int64_t npoints, uint64_t seed,
                 scuot_interp_pop *out, scuot_err *e)
{
	int64_t n = r->n, m = r->m, d = r->d;
	int has_pi = r->pi.kind != SCUOT_COUPLING_NONE || (r->f && r->g && r->eps > 0);
	double *rows = NULL, *cat = NULL, *cum = NULL;
	unsigned int *counts = NULL;
	gsl_rng *rng = NULL;
	int ret = 0;
	memset(out, 0, sizeof *out);
	if (!(s >= 0 && s <= 1))
		return scuot_err_set(e, SCUOT_EUSAGE, "interpolation fraction %g is not in [0, 1]", s);
	if (rule == SCUOT_INTERP_AUTO)
		rule = !has_pi && is_map(r) ? SCUOT_INTERP_MAP : !has_pi && r->n_snap > 0 ? SCUOT_INTERP_MMD_SPLIT :
		       r->cost == SCUOT_COST_WFR ? SCUOT_INTERP_WFR : SCUOT_INTERP_LINEAR;
	if (rule == SCUOT_INTERP_SNAPSHOT) {
		if (r->n_snap < 1)
			return scuot_err_set(e, SCUOT_EINPUT, "the %s result has no snapshots", r->method);
		return snapshot_pop(r, s, out, e);
	}
	if (rule == SCUOT_INTERP_MAP)
		return map_pop(r, s, out, e);
	if (rule == SCUOT_INTERP_MMD_SPLIT) {
		if (r->n_snap < 1)
			return scuot_err_set(e, SCUOT_EINPUT, "the %s result has no snapshots", r->method);
		return mmd_split_pop(r, s, out, e);
	}
	if (!has_pi)
		return scuot_err_set(e, SCUOT_EINPUT, "the %s result holds no coupling to interpolate (stored neither "
		                     "dense, sparse nor as dual potentials)", r->method);
	if (!r->row_sum || !r->col_sum)
		return scuot_err_set(e, SCUOT_EINPUT, "the %s result has no marginals", r->method);
	if (rule == SCUOT_INTERP_WFR && !(r->delta > 0))
		return scuot_err_set(e, SCUOT_EINPUT, "the %s result has no WFR length scale delta; the WFR geodesic "
		                     "needs a result of method wfr", r->method);
	if (npoints < 1)
		return scuot_err_set(e, SCUOT_EUSAGE, "population size %lld is not positive", (long long)npoints);
	/* categories: n source rows, then (WFR) n destroyed sources and m created targets */
	int64_t ncat = rule == SCUOT_INTERP_WFR ? 2 * n + m : n;
	int64_t blk = (int64_t)((1 << 18) / m); /* 2 MB of rows at a time */
	if (blk < 1)
		blk = 1;
	if (blk > n)
		blk = n;
	if (!(rows = scuot_alloc((size_t)(blk * m), sizeof(double), 0, "coupling rows", e)) ||
	    !(cat = scuot_alloc((size_t)ncat, sizeof(double), 1, "row weights", e)) ||
	    !(cum = scuot_alloc((size_t)m, sizeof(double), 0, "row cumulative weights", e)) ||
	    !(counts = scuot_alloc((size_t)ncat, sizeof(unsigned int), 1, "row counts", e))) {
		ret = e->code;
		goto done;
	}
	/* pass 1: total weight of each row */
	for (int64_t i0 = 0; i0 < n; i0 += blk) {
		int64_t i1 = i0 + blk < n ? i0 + blk : n;
		if ((ret = scuot_ot_result_coupling_rows(r, i0, i1, rows, e)))
			goto done;
		for (int64_t i = i0; i < i1; i++) {
			const double *p = rows + (i - i0) * m;
			double t = 0;
			for (int64_t j = 0; j < m; j++)
				if (p[j] > 0)
					t += pair_weight(r, rule, s, i, j, p[j], rule == SCUOT_INTERP_WFR ? wfr_cos(r, i, j) : 0);
			cat[i] = t;
		}
	}
	if (rule == SCUOT_INTERP_WFR) {
		for (int64_t i = 0; i < n; i++)
			if (!(r->row_sum[i] > 0))
				cat[n + i] = (1 - s) * (1 - s) * r->a[i];
		for (int64_t j = 0; j < m; j++)
			if (!(r->col_sum[j] > 0))
				cat[2 * n + j] = s * s * r->b[j];
	}
	double total = 0;
	for (int64_t k = 0; k < ncat; k++)
		total += cat[k];
	if (!(total > 0) || !isfinite(total)) {
		ret = scuot_err_set(e, SCUOT_ENUMERIC, "the %s coupling has no mass to interpolate (total %g)", r->method,
		                    total);
		goto done;
	}
	if (!(rng = scuot_rng_new(seed, 0, e))) {
		ret = e->code;
		goto done;
	}
	gsl_ran_multinomial(rng, (size_t)ncat, (unsigned int)npoints, cat, counts);
	out->x = scuot_alloc((size_t)(npoints * d), sizeof(double), 0, "population", e);
	out->w = scuot_alloc((size_t)npoints, sizeof(double), 0, "population masses", e);
	out->src = scuot_alloc((size_t)npoints, sizeof(int64_t), 0, "population sources", e);
	out->tgt = scuot_alloc((size_t)npoints, sizeof(int64_t), 0, "population targets", e);
	if (!out->x || !out->w || !out->src || !out->tgt) {
		ret = e->code;
		goto done;
	}
	out->mass = rule == SCUOT_INTERP_WFR ? total : 1.0;
	int64_t k = 0;
	/* pass 2: columns of each drawn row, from a stream of its own (independent of blocking) */
	for (int64_t i0 = 0; i0 < n; i0 += blk) {
		int64_t i1 = i0 + blk < n ? i0 + blk : n, need = 0;
		for (int64_t i = i0; i < i1; i++)
			need += counts[i];
		if (!need)
			continue;
		if ((ret = scuot_ot_result_coupling_rows(r, i0, i1, rows, e)))
			goto done;
		for (int64_t i = i0; i < i1; i++) {
			if (!counts[i])
				continue;
			const double *p = rows + (i - i0) * m;
			double t = 0;
			for (int64_t j = 0; j < m; j++) {
				if (p[j] > 0)
					t += pair_weight(r, rule, s, i, j, p[j], rule == SCUOT_INTERP_WFR ? wfr_cos(r, i, j) : 0);
				cum[j] = t;
			}
			scuot_rng_reseed(rng, seed, (uint64_t)i + 1);
			for (unsigned c = 0; c < counts[i]; c++, k++) {
				double u = gsl_rng_uniform(rng) * t;
				int64_t lo = 0, hi = m - 1;
				while (lo < hi) { /* first j with cum[j] > u */
					int64_t mid = (lo + hi) / 2;
					if (cum[mid] > u)
						hi = mid;
					else
						lo = mid + 1;
				}
				int64_t j = lo;
				out->src[k] = i, out->tgt[k] = j;
				if (rule == SCUOT_INTERP_WFR)
					scuot_wfr_geodesic(r->x + i * d, r->a[i] / r->row_sum[i], r->y + j * d,
					                   r->b[j] / r->col_sum[j], d, r->delta, s, out->x + k * d);
				else
					for (int64_t q = 0; q < d; q++)
						out->x[k * d + q] = (1 - s) * r->x[i * d + q] + s * r->y[j * d + q];
			}
		}
	}
	if (rule == SCUOT_INTERP_WFR) { /* destroyed sources stay in place, created targets appear in place */
		for (int64_t c = n; c < ncat; c++)
			for (unsigned q = 0; q < counts[c]; q++, k++) {
				int src = c < 2 * n;
				int64_t idx = src ? c - n : c - 2 * n;
				memcpy(out->x + k * d, (src ? r->x : r->y) + idx * d, sizeof(double) * (size_t)d);
				out->src[k] = src ? idx : -1, out->tgt[k] = src ? -1 : idx;
			}
	}
	for (int64_t q = 0; q < npoints; q++)
		out->w[q] = out->mass / (double)npoints;
	out->np = npoints, out->d = d, out->s = s, out->rule = rule;
done:
	if (ret)
		scuot_interp_pop_clear(out);
	gsl_rng_free(rng);
	free(rows);
	free(cat);
	free(cum);
	free(counts);
	return ret;
}
