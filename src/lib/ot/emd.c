/* emd.c -- exact optimal transport (earth mover's distance) by the primal network simplex on the complete
 * bipartite graph source -> target, and the "emd" static-coupling method of the transport table.
 *
 * Algorithm: the primal network simplex of Ahuja, Magnanti & Orlin, Network Flows (1993), ch. 11: a spanning
 * tree basis stored as parent, depth and thread (preorder) indices (sec. 11.3), the cycle of the entering arc
 * found at the join node, flows pushed around it, the tree rehung along the stem (sec. 11.5) and the node
 * potentials of the moved subtree shifted.  Degenerate pivots cannot cycle: the tree is kept strongly
 * feasible (Cunningham 1976; AMO sec. 11.6) by taking as leaving arc the last blocking arc met when the cycle
 * is walked along the flow from the join node.  Pricing: block search (Grigoriadis 1986; the rule Kovacs
 * 2015, "Minimum-cost flow algorithms: an experimental evaluation", found fastest for the network simplex):
 * the arcs are scanned from where the last search stopped in blocks of about sqrt(#arcs), and the most
 * negative reduced cost of the first block holding a negative one enters.
 *
 * Network.  Sources i (mass a_i > 0) are nodes 0..n-1, targets j (mass b_j > 0) nodes n..n+m-1, and an
 * artificial root n+m.  Real arcs i -> j cost C_ij; they are never stored (the reduced cost
 * C_ij + pot_i - pot_(n+j) is read row by row from C).  Artificial arcs i -> root and root -> j cost M, so
 * every arc at a source points away from it and every arc at a target into it: the tree arc between a node
 * and its parent points up exactly when the node is a source, and needs no storage.  The first tree is
 * the star at the root carrying a_i and b_j (strongly feasible: every flow is positive).  Since each pair
 * (i, j) has a direct arc, the artificial path i -> root -> j (cost 2M) is beaten by C_ij whenever
 * 2M > max C; so M = max |C_ij| suffices (not the usual (#nodes) max |C|), which keeps the potentials of
 * the size of C and their rounding small.  A real arc is basic when one end is the other's parent, so no
 * arc state is stored either.  Floating point: masses are doubles; the leaving flow is subtracted from
 * itself (exact 0) and no flow goes negative.  An arc enters only when its reduced cost is below
 * -tol = -1e-12 max |C|; the potentials, shifted incrementally, are recomputed from the tree every
 * #nodes pivots and before optimality is declared, which then rests on exact tree potentials. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mat.h"
#include "ot/cost.h"
#include "ot/emd.h"
#include "ot/ot_internal.h"

#define EMD_SUM_RTOL 1e-9    /* relative difference allowed between sum a and sum b */
#define EMD_PRICE_RTOL 1e-12 /* entering threshold, relative to max |C| */

typedef struct {
	int64_t n, m;        /* sources and targets of positive mass */
	int32_t root;        /* n + m */
	const double **crow; /* n rows of m costs */
	int32_t *parent, *thread, *rev, *depth;
	double *flow; /* flow on the tree arc between a node and its parent */
	double *pot;  /* reduced cost of arc u -> v: c + pot_u - pot_v */
	int32_t *stem, *last, *xs, *xe, *ys;
	double big, tol;
	int64_t block, next_i, next_j;
} ns_t;

static void ns_free(ns_t *s)
{
	free(s->crow);
	free(s->parent);
	free(s->thread);
	free(s->rev);
	free(s->depth);
	free(s->flow);
	free(s->pot);
	free(s->stem);
	free(s->last);
	free(s->xs);
	free(s->xe);
	free(s->ys);
}

/* Cost of the tree arc between node x and its parent. */
static inline double tree_cost(const ns_t *s, int32_t x)
{
	int32_t p = s->parent[x];
	if (p == s->root)
		return s->big;
	return x < s->n ? s->crow[x][p - s->n] : s->crow[p][x - s->n];
}

/* Potentials from the tree, root first along the thread (AMO sec. 11.4). */
static void ns_potentials(ns_t *s)
{
	int32_t root = s->root;
	s->pot[root] = 0;
	for (int32_t x = s->thread[root]; x != root; x = s->thread[x]) {
		double c = tree_cost(s, x);
		s->pot[x] = x < s->n ? s->pot[s->parent[x]] - c : s->pot[s->parent[x]] + c;
	}
}

/* Block search from (next_i, next_j): the arc of most negative reduced cost (below -tol) in the first block
 * of s->block arcs that holds one; 0 when a whole sweep of the n m arcs finds none. */
static int ns_price(ns_t *s, int64_t *bi, int64_t *bj)
{
	const int64_t n = s->n, m = s->m, total = n * m, B = s->block;
	const double *vp = s->pot + n;
	int64_t i = s->next_i, j = s->next_j, cnt = 0, scanned = 0, fi = -1, fj = -1;
	double best = -s->tol;
	while (scanned < total) {
		int64_t j1 = j + (B - cnt) < m ? j + (B - cnt) : m, hit = -1;
		const double *row = s->crow[i];
		double thr = best - s->pot[i];
		for (int64_t k = j; k < j1; k++) {
			double r = row[k] - vp[k];
			if (r < thr)
				thr = r, hit = k;
		}
		if (hit >= 0)
			best = thr + s->pot[i], fi = i, fj = hit;
		cnt += j1 - j, scanned += j1 - j, j = j1;
		if (j == m) {
			j = 0;
			if (++i == n)
				i = 0;
		}
		if (cnt >= B) {
			if (fi >= 0)
				break;
			cnt = 0;
		}
	}
	s->next_i = i, s->next_j = j;
	*bi = fi, *bj = fj;
	return fi >= 0;
}

/* One pivot on entering arc i -> j (AMO sec. 11.5). */
static void ns_pivot(ns_t *s, int64_t i, int64_t j)
{
	const int32_t n = (int32_t)s->n;
	int32_t *parent = s->parent, *thread = s->thread, *rev = s->rev, *depth = s->depth;
	double *flow = s->flow, *pot = s->pot;
	int32_t first = (int32_t)i, second = (int32_t)(n + j), u, v;
	double rc = s->crow[i][j] + pot[first] - pot[second];

	/* join node: the deepest common ancestor */
	for (u = first, v = second; u != v;) {
		if (depth[u] > depth[v])
			u = parent[u];
		else if (depth[v] > depth[u])
			v = parent[v];
		else
			u = parent[u], v = parent[v];
	}
	int32_t join = u, out = -1;

	/* leaving arc: flow goes join -> first -> second -> join.  On the first side it runs down the tree,
	 * so the arcs pointing up (at sources) lose flow; on the second side it runs up, so the arcs at
	 * targets lose it.  The last blocking arc along the flow wins: strict on the first side walked
	 * against the flow, non-strict on the second walked along it (and ties go to the second side, which
	 * comes later). */
	double delta = INFINITY;
	int side = 0;
	for (u = first; u != join; u = parent[u])
		if (u < n && flow[u] < delta)
			delta = flow[u], out = u, side = 1;
	for (u = second; u != join; u = parent[u])
		if (u >= n && flow[u] <= delta)
			delta = flow[u], out = u, side = 2;
	if (delta > 0) {
		for (u = first; u != join; u = parent[u])
			flow[u] += u < n ? -delta : delta;
		for (u = second; u != join; u = parent[u])
			flow[u] += u < n ? delta : -delta;
	}

	/* the subtree under the leaving arc holds q (an end of the entering arc) and is rehung under p, the
	 * other end; sigma shifts its potentials so that the entering arc gets reduced cost 0 */
	int32_t q = side == 1 ? first : second, p = side == 1 ? second : first;
	double sigma = side == 1 ? -rc : rc;

	/* stem q = s0, s1 = parent(s0), ..., sk = out, and the old preorder of subtree(sk): subtree(s0), then
	 * for t >= 1: s_t, X_t (subtrees of s_t's children before s_(t-1)), subtree(s_(t-1)), Y_t (those
	 * after). The new preorder from q is subtree(s0), then s_t, X_t, Y_t for t = 1..k. */
	int32_t *st = s->stem, *last = s->last, *xs = s->xs, *xe = s->xe, *ys = s->ys, k = 0, x;
	st[0] = q;
	while (st[k] != out)
		st[k + 1] = parent[st[k]], k++;
	for (x = q; depth[thread[x]] > depth[q]; x = thread[x])
		;
	last[0] = x;
	for (int32_t t = 1; t <= k; t++) {
		for (x = last[t - 1]; depth[thread[x]] > depth[st[t]]; x = thread[x])
			;
		last[t] = x;
		xs[t] = thread[st[t]], xe[t] = rev[st[t - 1]], ys[t] = thread[last[t - 1]];
	}
	int32_t before = rev[out], after = thread[last[k]];
	thread[before] = after, rev[after] = before;
	int32_t tail = last[0];
	for (int32_t t = 1; t <= k; t++) {
		thread[tail] = st[t], rev[st[t]] = tail, tail = st[t];
		if (xs[t] != st[t - 1])
			thread[tail] = xs[t], rev[xs[t]] = tail, tail = xe[t];
		if (last[t] != last[t - 1])
			thread[tail] = ys[t], rev[ys[t]] = tail, tail = last[t];
	}
	int32_t nx = thread[p];
	thread[p] = q, rev[q] = p, thread[tail] = nx, rev[nx] = tail;

	/* reverse the stem: the arc (s_(t-1), s_t) is now stored at s_t */
	for (int32_t t = k; t >= 1; t--)
		parent[st[t]] = st[t - 1], flow[st[t]] = flow[st[t - 1]];
	parent[q] = p, flow[q] = delta;

	/* depths and potentials of the moved subtree, in its new preorder */
	for (x = q;; x = thread[x]) {
		depth[x] = depth[parent[x]] + 1;
		pot[x] += sigma;
		if (x == tail)
			break;
	}
}

/* Insertion sort of (col, flow) pairs of one row by column. */
static void sort_row(int32_t *col, double *f, int64_t k)
{
	for (int64_t a = 1; a < k; a++) {
		int32_t c = col[a];
		double v = f[a];
		int64_t b = a;
		for (; b > 0 && col[b - 1] > c; b--)
			col[b] = col[b - 1], f[b] = f[b - 1];
		col[b] = c, f[b] = v;
	}
}

void scuot_emd_result_clear(scuot_emd_result *r)
{
	if (!r)
		return;
	free(r->row);
	free(r->col);
	free(r->flow);
	free(r->u);
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* Check the masses of one side; *sum gets their total and *npos the count of positive ones. */
static int check_masses(const char *side, const double *w, int64_t n, double *sum, int64_t *npos,
                        scuot_err *e)
{
	double t = 0;
	int64_t k = 0;
	for (int64_t i = 0; i < n; i++) {
		if (!(w[i] >= 0) || !isfinite(w[i]))
			return scuot_err_set(e, SCUOT_EINPUT,
			                     "emd: %s mass %lld is %g; masses must be finite and >= 0", side,
			                     (long long)i, w[i]);
		t += w[i], k += w[i] > 0;
	}
	*sum = t, *npos = k;
	return 0;
}

int scuot_emd(int64_t n, int64_t m, const double *a, const double *b, const double *C, int64_t max_iter,
              scuot_emd_result *r, scuot_err *e)
{
	ns_t s = { 0 };
	int64_t *ri = NULL, *cj = NULL, *rowptr = NULL;
	double *cc = NULL;
	int ret = 0;
	memset(r, 0, sizeof *r);
	if (n < 1 || m < 1)
		return scuot_err_set(e, SCUOT_EINPUT, "emd: empty problem (%lld sources, %lld targets)",
		                     (long long)n, (long long)m);
	if (n + m >= INT32_MAX - 1)
		return scuot_err_set(e, SCUOT_ELIMIT,
		                     "emd: %lld + %lld points exceed the network simplex's limit of "
		                     "2^31 - 2 nodes", (long long)n, (long long)m);
	if (max_iter < 0)
		return scuot_err_set(e, SCUOT_EUSAGE, "emd: max_iter %lld is negative (0 means no limit)",
		                     (long long)max_iter);
	double sa, sb, cmax = 0;
	int64_t np, mp;
	if ((ret = check_masses("source", a, n, &sa, &np, e)) ||
	    (ret = check_masses("target", b, m, &sb, &mp, e)))
		return ret;
	if (fabs(sa - sb) > EMD_SUM_RTOL * fmax(sa, sb))
		return scuot_err_set(e, SCUOT_EINPUT, "emd: the source masses sum to %.17g and the target "
		                     "masses to %.17g; exact (balanced) transport needs equal totals: "
		                     "normalise both to 1", sa, sb);
	for (int64_t q = 0; q < n * m; q++) {
		if (!isfinite(C[q]))
			return scuot_err_set(e, SCUOT_EINPUT,
			                     "emd: cost entry (%lld, %lld) is %g; costs must be finite",
			                     (long long)(q / m), (long long)(q % m), C[q]);
		if (fabs(C[q]) > cmax)
			cmax = fabs(C[q]);
	}

	/* the positive-mass points; rows are reached through pointers, columns are compressed only when some
	 * target has no mass (then the costs are copied) */
	r->u = scuot_alloc((size_t)n, sizeof(double), 1, "emd source potentials", e);
	r->v = scuot_alloc((size_t)m, sizeof(double), 1, "emd target potentials", e);
	ri = scuot_alloc((size_t)np + 1, sizeof(int64_t), 0, "emd source index", e);
	cj = scuot_alloc((size_t)mp + 1, sizeof(int64_t), 0, "emd target index", e);
	if (!r->u || !r->v || !ri || !cj)
		goto fail;
	for (int64_t i = 0, k = 0; i < n; i++)
		if (a[i] > 0)
			ri[k++] = i;
	for (int64_t j = 0, k = 0; j < m; j++)
		if (b[j] > 0)
			cj[k++] = j;
	s.n = np, s.m = mp, s.root = (int32_t)(np + mp);
	int64_t N = np + mp + 1;
	s.crow = scuot_alloc((size_t)np + 1, sizeof(double *), 0, "emd cost rows", e);
	if (!s.crow)
		goto fail;
	if (mp < m && np > 0) {
		if (!(cc =
		          scuot_alloc((size_t)np * (size_t)mp, sizeof(double), 0, "emd compressed costs", e)))
			goto fail;
		for (int64_t i = 0; i < np; i++)
			for (int64_t j = 0; j < mp; j++)
				cc[i * mp + j] = C[ri[i] * m + cj[j]];
		for (int64_t i = 0; i < np; i++)
			s.crow[i] = cc + i * mp;
	} else {
		for (int64_t i = 0; i < np; i++)
			s.crow[i] = C + ri[i] * m;
	}
	s.parent = scuot_alloc((size_t)N, sizeof(int32_t), 0, "emd tree", e);
	s.thread = scuot_alloc((size_t)N, sizeof(int32_t), 0, "emd tree", e);
	s.rev = scuot_alloc((size_t)N, sizeof(int32_t), 0, "emd tree", e);
	s.depth = scuot_alloc((size_t)N, sizeof(int32_t), 0, "emd tree", e);
	s.flow = scuot_alloc((size_t)N, sizeof(double), 0, "emd flows", e);
	s.pot = scuot_alloc((size_t)N, sizeof(double), 0, "emd potentials", e);
	s.stem = scuot_alloc((size_t)N, sizeof(int32_t), 0, "emd stem", e);
	s.last = scuot_alloc((size_t)N, sizeof(int32_t), 0, "emd stem", e);
	s.xs = scuot_alloc((size_t)N, sizeof(int32_t), 0, "emd stem", e);
	s.xe = scuot_alloc((size_t)N, sizeof(int32_t), 0, "emd stem", e);
	s.ys = scuot_alloc((size_t)N, sizeof(int32_t), 0, "emd stem", e);
	if (!s.parent || !s.thread || !s.rev || !s.depth || !s.flow || !s.pot || !s.stem || !s.last ||
	    !s.xs || !s.xe || !s.ys)
		goto fail;

	/* the star at the root; b is rescaled to the total of a (they differ by at most EMD_SUM_RTOL) */
	double bscale = sb > 0 ? sa / sb : 1;
	s.big = cmax > 0 ? cmax : 1;
	s.tol = EMD_PRICE_RTOL * s.big;
	for (int32_t x = 0; x < s.root; x++) {
		s.parent[x] = s.root, s.depth[x] = 1, s.thread[x] = x + 1, s.rev[x] = x - 1;
		s.flow[x] = x < np ? a[ri[x]] : b[cj[x - np]] * bscale;
	}
	s.parent[s.root] = -1, s.depth[s.root] = 0, s.thread[s.root] = 0, s.rev[0] = s.root;
	s.rev[s.root] = s.root - 1;
	if (s.root == 0)
		s.thread[0] = 0, s.rev[0] = 0;
	ns_potentials(&s);
	double blk = sqrt((double)np * (double)mp);
	s.block = blk < 10 ? 10 : (int64_t)blk;

	/* pivots */
	int fresh = 1, optimal = 0;
	int64_t it = 0, since = 0, bi, bj;
	while (np > 0 && mp > 0) {
		if (!ns_price(&s, &bi, &bj)) {
			if (fresh) {
				optimal = 1;
				break;
			}
			ns_potentials(&s), fresh = 1, since = 0;
			continue;
		}
		/* a tree arc (reduced cost 0) priced negative: the potentials drifted */
		if (s.parent[bi] == np + bj || s.parent[np + bj] == bi) {
			if (fresh) {
				ret = scuot_err_set(e, SCUOT_EINTERNAL,
				                    "emd: tree arc (%lld, %lld) has reduced cost below "
				                    "-%g with exact potentials",
				                    (long long)ri[bi], (long long)cj[bj], s.tol);
				goto fail;
			}
			ns_potentials(&s), fresh = 1, since = 0;
			continue;
		}
		if (max_iter > 0 && it >= max_iter)
			break;
		ns_pivot(&s, bi, bj);
		it++, fresh = 0;
		if (++since >= N)
			ns_potentials(&s), fresh = 1, since = 0;
	}
	if (np == 0 || mp == 0)
		optimal = 1;
	if (!fresh)
		ns_potentials(&s);

	/* source mass left on artificial arcs: none at an optimum, as 2M > max C */
	double art = 0;
	for (int32_t x = 0; x < np; x++)
		if (s.parent[x] == s.root)
			art += s.flow[x];
	if (optimal && art > 1e-9 * (sa > 0 ? sa : 1)) {
		ret = scuot_err_set(e, SCUOT_ENUMERIC,
		                    "emd: %g of the mass %g still on artificial arcs at the optimum; "
		                    "the costs may span too many orders of magnitude",
		                    art, sa);
		goto fail;
	}

	/* the coupling: basic real arcs with positive flow, sorted by (row, col) */
	int64_t nnz = 0;
	rowptr = scuot_alloc((size_t)np + 1, sizeof(int64_t), 1, "emd row pointers", e);
	if (!rowptr)
		goto fail;
	for (int32_t x = 0; x < s.root; x++)
		if (s.parent[x] != s.root && s.flow[x] > 0)
			rowptr[(x < np ? x : s.parent[x]) + 1]++, nnz++;
	for (int64_t i = 0; i < np; i++)
		rowptr[i + 1] += rowptr[i];
	r->row = scuot_alloc((size_t)nnz + 1, sizeof(int32_t), 0, "emd coupling rows", e);
	r->col = scuot_alloc((size_t)nnz + 1, sizeof(int32_t), 0, "emd coupling columns", e);
	r->flow = scuot_alloc((size_t)nnz + 1, sizeof(double), 0, "emd coupling flows", e);
	if (!r->row || !r->col || !r->flow)
		goto fail;
	for (int32_t x = 0; x < s.root; x++) {
		if (s.parent[x] == s.root || !(s.flow[x] > 0))
			continue;
		int64_t i = x < np ? x : s.parent[x], j = (x < np ? s.parent[x] : x) - np, q = rowptr[i]++;
		r->row[q] = (int32_t)ri[i], r->col[q] = (int32_t)cj[j], r->flow[q] = s.flow[x];
	}
	for (int64_t i = np; i > 0; i--)
		rowptr[i] = rowptr[i - 1];
	rowptr[0] = 0;
	double cost = 0;
	for (int64_t i = 0; i < np; i++) {
		sort_row(r->col + rowptr[i], r->flow + rowptr[i], rowptr[i + 1] - rowptr[i]);
		for (int64_t q = rowptr[i]; q < rowptr[i + 1]; q++)
			cost += r->flow[q] * C[(int64_t)r->row[q] * m + r->col[q]];
	}
	r->nnz = nnz, r->cost = cost, r->iterations = it, r->optimal = optimal;

	/* dual potentials: u_i = -pot_i, v_j = pot_j on the network; a zero-mass source gets the largest u_i
	 * with u_i + v_j <= C_ij over the positive targets, then a zero-mass target the largest v_j over all
	 * sources */
	for (int64_t i = 0; i < np; i++)
		r->u[ri[i]] = -s.pot[i];
	for (int64_t j = 0; j < mp; j++)
		r->v[cj[j]] = s.pot[np + j];
	if (np < n) {
		for (int64_t i = 0; i < n; i++) {
			if (a[i] > 0)
				continue;
			double best = mp > 0 ? INFINITY : 0;
			for (int64_t j = 0; j < mp; j++)
				best = fmin(best, C[i * m + cj[j]] - r->v[cj[j]]);
			r->u[i] = best;
		}
	}
	if (mp < m) {
		for (int64_t j = 0; j < m; j++) {
			if (b[j] > 0)
				continue;
			double best = INFINITY;
			for (int64_t i = 0; i < n; i++)
				best = fmin(best, C[i * m + j] - r->u[i]);
			r->v[j] = best;
		}
	}
	/* u + c, v - c keeps every u_i + v_j: choose c so that both sides carry half the dual objective */
	double du = 0, dv = 0;
	for (int64_t i = 0; i < n; i++)
		du += a[i] * r->u[i];
	for (int64_t j = 0; j < m; j++)
		dv += b[j] * r->v[j];
	if (sa + sb > 0) {
		double c = (dv - du) / (sa + sb);
		for (int64_t i = 0; i < n; i++)
			r->u[i] += c;
		for (int64_t j = 0; j < m; j++)
			r->v[j] -= c;
	}
	if (!optimal)
		scuot_log_warning("emd: stopped after %lld pivots (max_iter) before optimality; %g of the "
		                  "mass %g is not transported", (long long)it, art, sa);
	ret = 0;
	goto out;
fail:
	if (!ret)
		ret = e->code;
	scuot_emd_result_clear(r);
out:
	ns_free(&s);
	free(ri);
	free(cj);
	free(rowptr);
	free(cc);
	return ret;
}

int scuot_emd_distance(const double *x, int64_t n, const double *wx, const double *y, int64_t m,
                       const double *wy, int64_t d, int cost_kind, double *dist, scuot_err *e)
{
	scuot_cost c = { 0 };
	scuot_emd_result r = { 0 };
	double *a = NULL, *b = NULL, *C = NULL;
	int ret;
	if (cost_kind != SCUOT_COST_EUCLIDEAN && cost_kind != SCUOT_COST_SQEUCLIDEAN)
		return scuot_err_set(e, SCUOT_EUSAGE, "emd distance: cost %s is not euclidean or sqeuclidean",
		                     scuot_cost_kind_name(cost_kind) ? scuot_cost_kind_name(cost_kind)
		                                                     : "(unknown)");
	if ((ret = scuot_cost_init(&c, cost_kind, x, n, y, m, d, 1.0, e)))
		return ret;
	a = scuot_alloc((size_t)n, sizeof(double), 0, "source weights", e);
	b = scuot_alloc((size_t)m, sizeof(double), 0, "target weights", e);
	if (!a || !b)
		goto fail;
	for (int side = 0; side < 2; side++) {
		const double *w = side ? wy : wx;
		double *o = side ? b : a, t = 0;
		int64_t k = side ? m : n;
		for (int64_t i = 0; i < k; i++) {
			o[i] = w ? w[i] : 1.0;
			if (!(o[i] >= 0) || !isfinite(o[i])) {
				ret = scuot_err_set(e, SCUOT_EINPUT,
				                    "emd distance: %s weight %lld is %g; weights must be "
				                    "finite and >= 0",
				                    side ? "target" : "source", (long long)i, o[i]);
				goto fail;
			}
			t += o[i];
		}
		if (!(t > 0)) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "emd distance: the %s weights sum to 0",
			                    side ? "target" : "source");
			goto fail;
		}
		for (int64_t i = 0; i < k; i++)
			o[i] /= t;
	}
	if (!(C = scuot_cost_matrix(&c, e)))
		goto fail;
	if ((ret = scuot_emd(n, m, a, b, C, 0, &r, e)))
		goto fail;
	*dist = r.cost;
	ret = 0;
	goto out;
fail:
	if (!ret)
		ret = e->code;
out:
	scuot_emd_result_clear(&r);
	scuot_cost_free(&c);
	free(a);
	free(b);
	free(C);
	return ret;
}

/* ---- the "emd" method ---- */

/* Exact coupling of the normalised masses, stored sparse (the basis: at most n + m - 1 entries) and
 * scaled back by sum a. */
static int emd_run(const scuot_ot_problem *p, const double *par, scuot_ot_result *r, scuot_err *e)
{
	scuot_cost c = { 0 };
	scuot_emd_result er = { 0 };
	double *a = NULL, *b = NULL, *C = NULL;
	int64_t n = p->n, m = p->m;
	int ret;
	double need = (double)n * (double)m * sizeof(double);
	if (p->max_memory > 0 && need > (double)p->max_memory)
		return scuot_err_set(e, SCUOT_ELIMIT, "emd: the %lld x %lld cost matrix needs %.3g GB, over "
		                     "the memory budget of %.3g GB; raise --max-memory to at least %.3g GB "
		                     "or use an entropic method", (long long)n, (long long)m, need / 1e9,
		                     p->max_memory / 1e9, need * 1.05 / 1e9 + 0.001);
	if ((ret = scuot_cost_init(&c, p->cost, p->x, n, p->y, m, p->d, p->delta, e)) ||
	    (ret = scuot_cost_normalize(&c, p->cost_norm, e)))
		goto fail;
	a = scuot_alloc((size_t)n, sizeof(double), 0, "source masses", e);
	b = scuot_alloc((size_t)m, sizeof(double), 0, "target masses", e);
	if (!a || !b || !(C = scuot_cost_matrix(&c, e)))
		goto fail;
	double sa = 0, sb = 0;
	for (int64_t i = 0; i < n; i++)
		sa += p->a[i];
	for (int64_t j = 0; j < m; j++)
		sb += p->b[j];
	for (int64_t i = 0; i < n; i++)
		a[i] = p->a[i] / sa;
	for (int64_t j = 0; j < m; j++)
		b[j] = p->b[j] / sb;
	if (fabs(sa - sb) > 1e-12 * fmax(sa, sb))
		scuot_log_info("emd is balanced: source masses (sum %g) and target masses (sum %g) each "
		               "normalised to 1", sa, sb);
	if ((ret = scuot_emd(n, m, a, b, C, (int64_t)par[0], &er, e)))
		goto fail;
	free(C), C = NULL;

	scuot_coupling *pi = &r->pi;
	pi->indptr = scuot_alloc((size_t)n + 1, sizeof(int64_t), 1, "coupling pointers", e);
	pi->indices = scuot_alloc((size_t)er.nnz + 1, sizeof(int32_t), 0, "coupling indices", e);
	pi->data = scuot_alloc((size_t)er.nnz + 1, sizeof(double), 0, "coupling values", e);
	r->f = scuot_alloc((size_t)n, sizeof(double), 0, "source potentials", e);
	r->g = scuot_alloc((size_t)m, sizeof(double), 0, "target potentials", e);
	if (!pi->indptr || !pi->indices || !pi->data || !r->f || !r->g)
		goto fail;
	for (int64_t q = 0; q < er.nnz; q++) {
		pi->indptr[er.row[q] + 1]++;
		pi->indices[q] = er.col[q], pi->data[q] = er.flow[q] * sa;
	}
	for (int64_t i = 0; i < n; i++)
		pi->indptr[i + 1] += pi->indptr[i];
	pi->kind = SCUOT_COUPLING_SPARSE, pi->n = n, pi->m = m, pi->topk = 0, pi->kept_mass = 1;
	memcpy(r->f, er.u, sizeof(double) * (size_t)n);
	memcpy(r->g, er.v, sizeof(double) * (size_t)m);
	r->cost_scale = c.scale;
	if ((ret = scuot_ot_result_marginals(r, e)))
		goto fail;
	r->transport_cost = r->objective = er.cost * sa;
	r->iterations = er.iterations, r->converged = er.optimal;
	scuot_log_info("emd: %lld pivots, %lld coupling entries, transport cost %.10g%s",
	               (long long)er.iterations, (long long)er.nnz, r->transport_cost,
	               er.optimal ? "" : " (not optimal: max-iter reached)");
	ret = 0;
	goto out;
fail:
	if (!ret)
		ret = e->code;
out:
	scuot_emd_result_clear(&er);
	scuot_cost_free(&c);
	free(a);
	free(b);
	free(C);
	return ret;
}

static const scuot_ot_param emd_params[] = {
	{ "max-iter", SCUOT_PARAM_INT, 0, 0, 1e15, "network-simplex pivots before giving up (0: no limit)" },
};

/* Peak bytes beyond the problem: the dense cost matrix and the O(n + m) tree arrays of the simplex. */
static double emd_memory(const scuot_ot_problem *p, const double *par)
{
	(void)par;
	return (double)p->n * (double)p->m * 8 + 40 * 8 * (double)(p->n + p->m + 1);
}

const scuot_ot_method scuot_method_emd = {
	"emd",
	"static coupling",
	"exact optimal transport (earth mover's distance) by the network simplex",
	"Ahuja, Magnanti & Orlin 1993, Network Flows ch. 11; block pricing: Grigoriadis 1986",
	1,
	emd_params,
	SCUOT_COST_SQEUCLIDEAN,
	emd_run,
	emd_memory
};
