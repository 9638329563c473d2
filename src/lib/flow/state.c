/* state.c -- what every particle flow shares: particles started at the source cells, snapshots with the
 * MMD split, the MMD curves, scaling factors and row sums written into the transport result. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mat.h"
#include "flow/flow.h"
#include "flow/flow_internal.h"
#include "kern/kern.h"

int flow_state_init(flow_state *s, const scuot_ot_problem *p, int unbalanced, scuot_err *e)
{
	double bsum = 0;
	memset(s, 0, sizeof *s);
	s->n = p->n, s->m = p->m, s->d = p->d, s->y = p->y;
	if (!(s->x = scuot_alloc((size_t)(p->n * p->d), sizeof(double), 0, "particles", e)) ||
	    !(s->w = scuot_alloc((size_t)p->n, sizeof(double), 0, "particle masses", e)) ||
	    !(s->w0 = scuot_alloc((size_t)p->n, sizeof(double), 0, "particle masses", e)) ||
	    !(s->bt = scuot_alloc((size_t)p->m, sizeof(double), 0, "target masses", e)))
		return e->code;
	memcpy(s->x, p->x, sizeof(double) * (size_t)(p->n * p->d));
	for (int64_t i = 0; i < p->n; i++)
		s->asum += p->a[i];
	for (int64_t j = 0; j < p->m; j++)
		bsum += p->b[j];
	for (int64_t i = 0; i < p->n; i++)
		s->w[i] = s->w0[i] = p->a[i] / s->asum;
	for (int64_t j = 0; j < p->m; j++)
		s->bt[j] = p->b[j] / (unbalanced ? s->asum : bsum);
	return 0;
}

void flow_state_free(flow_state *s)
{
	free(s->x);
	free(s->w);
	free(s->w0);
	free(s->bt);
	free(s->curve);
	free(s->curve_src);
	free(s->rec_step);
	free(s->mmd_buf);
	memset(s, 0, sizeof *s);
}

int flow_exact_mmd(flow_state *s, const scuot_ot_problem *p, double sigma, double *d_src, double *d_tgt,
                   scuot_err *e)
{
	int64_t n = s->n, m = s->m, n0 = p->n, d = s->d;
	double *wn, *an, *bn, *kv, sw = 0, sa = 0, sb = 0, kww = 0, kwa = 0, kwb = 0;
	int ret;
	if (!s->mmd_buf) {
		if (!(s->mmd_buf = scuot_alloc((size_t)(3 * n + n0 + m), sizeof(double), 0, "MMD scratch", e)))
			return e->code;
		an = s->mmd_buf + 3 * n, bn = an + n0;
		for (int64_t i = 0; i < n0; i++)
			sa += p->a[i];
		for (int64_t j = 0; j < m; j++)
			sb += s->bt[j];
		for (int64_t i = 0; i < n0; i++)
			an[i] = p->a[i] / sa;
		for (int64_t j = 0; j < m; j++)
			bn[j] = s->bt[j] / sb;
		if ((ret = scuot_kern_gauss_sum(p->x, n0, an, p->x, n0, an, d, sigma, &s->c_src, e)) ||
		    (ret = scuot_kern_gauss_sum(s->y, m, bn, s->y, m, bn, d, sigma, &s->c_tgt, e)))
			return ret;
	}
	wn = s->mmd_buf, kv = wn + n, an = s->mmd_buf + 3 * n, bn = an + n0;
	for (int64_t i = 0; i < n; i++)
		sw += s->w[i];
	for (int64_t i = 0; i < n; i++)
		wn[i] = s->w[i] / sw;
	if ((ret = scuot_flow_gauss_apply(s->x, n, s->x, n, wn, d, sigma, kv, NULL, e)))
		return ret;
	for (int64_t i = 0; i < n; i++)
		kww += wn[i] * kv[i];
	if ((ret = scuot_flow_gauss_apply(s->x, n, p->x, n0, an, d, sigma, kv, NULL, e)))
		return ret;
	for (int64_t i = 0; i < n; i++)
		kwa += wn[i] * kv[i];
	if ((ret = scuot_flow_gauss_apply(s->x, n, s->y, m, bn, d, sigma, kv, NULL, e)))
		return ret;
	for (int64_t i = 0; i < n; i++)
		kwb += wn[i] * kv[i];
	*d_src = sqrt(fmax(kww - 2 * kwa + s->c_src, 0));
	*d_tgt = sqrt(fmax(kww - 2 * kwb + s->c_tgt, 0));
	return 0;
}

int flow_record(flow_state *s, scuot_ot_result *r, int64_t step, double d_src, double d_tgt, scuot_err *e)
{
	scuot_ot_snapshot *sn;
	if (s->n_rec == s->cap_rec) {
		int cap = s->cap_rec ? 2 * s->cap_rec : 16;
		double *c = realloc(s->curve, sizeof(double) * (size_t)cap);
		if (c)
			s->curve = c;
		double *c2 = realloc(s->curve_src, sizeof(double) * (size_t)cap);
		if (c2)
			s->curve_src = c2;
		int64_t *st = realloc(s->rec_step, sizeof(int64_t) * (size_t)cap);
		if (st)
			s->rec_step = st;
		scuot_ot_snapshot *ns = realloc(r->snap, sizeof *ns * (size_t)cap);
		if (ns)
			r->snap = ns;
		if (!c || !c2 || !st || !ns)
			return scuot_err_set(e, SCUOT_ENOMEM, "out of memory for %d snapshots", cap);
		s->cap_rec = cap;
	}
	sn = &r->snap[r->n_snap];
	memset(sn, 0, sizeof *sn);
	sn->np = s->n;
	sn->s = d_src + d_tgt > 0 ? d_src / (d_src + d_tgt) : 0;
	if (!(sn->x = scuot_alloc((size_t)(s->n * s->d), sizeof(double), 0, "snapshot", e)) ||
	    !(sn->w = scuot_alloc((size_t)s->n, sizeof(double), 0, "snapshot masses", e)) ||
	    !(sn->ancestor = scuot_alloc((size_t)s->n, sizeof(int64_t), 0, "snapshot ancestors", e))) {
		free(sn->x);
		free(sn->w);
		return e->code;
	}
	memcpy(sn->x, s->x, sizeof(double) * (size_t)(s->n * s->d));
	for (int64_t i = 0; i < s->n; i++)
		sn->w[i] = s->w[i] * s->asum, sn->ancestor[i] = i;
	r->n_snap++;
	s->curve[s->n_rec] = d_tgt, s->curve_src[s->n_rec] = d_src, s->rec_step[s->n_rec] = step;
	s->n_rec++;
	scuot_log_debug("step %lld: MMD to source %.6g, to target %.6g", (long long)step, d_src, d_tgt);
	return 0;
}

int flow_finish(flow_state *s, scuot_ot_result *r, int64_t steps, const char *curve_name, scuot_err *e)
{
	double tot = 0;
	if (!r->row_sum && !(r->row_sum = scuot_alloc((size_t)s->n, sizeof(double), 0, "row sums", e)))
		return e->code;
	if (!r->scaling && !(r->scaling = scuot_alloc((size_t)s->n, sizeof(double), 0, "scaling factors", e)))
		return e->code;
	for (int64_t i = 0; i < s->n; i++) {
		r->scaling[i] = s->w[i] / s->w0[i];
		r->row_sum[i] = r->a[i] * r->scaling[i];
		tot += s->w[i];
	}
	free(r->curve);
	free(r->curve2);
	r->curve = s->curve, r->curve2 = s->curve_src, r->n_curve = s->n_rec;
	s->curve = s->curve_src = NULL;
	snprintf(r->curve_name, sizeof r->curve_name, "%s", curve_name);
	snprintf(r->curve2_name, sizeof r->curve2_name, "mmd to source");
	r->iterations = steps, r->converged = 1;
	r->objective = r->n_curve ? r->curve[r->n_curve - 1] : NAN;
	r->marg_err_a = 0;
	scuot_log_info("%lld steps: MMD to target %.4g (start %.4g), to source %.4g; total mass %.4g of the "
	               "source's",
	               (long long)steps, r->objective, s->n_rec ? r->curve[0] : NAN,
	               r->n_curve ? r->curve2[r->n_curve - 1] : NAN, tot);
	return 0;
}

double flow_par(const scuot_ot_param *t, int np, const double *par, const char *name)
{
	for (int k = 0; k < np; k++)
		if (!strcmp(t[k].name, name))
			return par[k];
	return NAN;
}
