/* graph.c -- the tape of nn.h: memory of nodes and values (an arena reset between uses), leaves, the
 * recorded error, and reverse-mode differentiation that builds gradients as new nodes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mat.h"
#include "nn/layers.h"
#include "nn/nn_internal.h"

#define ALIGN 64
#define MIN_BLOCK ((size_t)1 << 20)

static void *arena_get(scuot_nn_graph *g, size_t bytes)
{
	bytes = (bytes + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (!g->block || g->used + bytes > g->size) {
		/* a new block; the old ones stay until reset (their nodes are still referenced) */
		size_t sz = bytes > MIN_BLOCK ? bytes : MIN_BLOCK;
		if (g->size > sz)
			sz = g->size;
		void **nb = realloc(g->blocks, sizeof(void *) * (size_t)(g->n_blocks + 1));
		if (!nb)
			return NULL;
		g->blocks = nb;
		void *p = NULL;
		if (posix_memalign(&p, ALIGN, sz))
			return NULL;
		g->blocks[g->n_blocks++] = p;
		g->block = p;
		g->size = sz;
		g->used = 0;
	}
	void *p = (char *)g->block + g->used;
	g->used += bytes;
	g->total += bytes;
	return p;
}

scuot_nn_graph *scuot_nn_graph_new(void)
{
	scuot_nn_graph *g = calloc(1, sizeof(*g));
	if (g)
		g->epoch = 1;
	return g;
}

void scuot_nn_graph_free(scuot_nn_graph *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->n_blocks; i++)
		free(g->blocks[i]);
	free(g->blocks);
	free(g->nodes);
	free(g->fl);
	free(g);
}

void scuot_nn_graph_reset(scuot_nn_graph *g)
{
	if (!g)
		return;
	if (g->n_blocks > 1) {
		/* one block large enough for everything the last use held */
		size_t want = g->total + ALIGN;
		for (int i = 0; i < g->n_blocks; i++)
			free(g->blocks[i]);
		g->n_blocks = 0;
		g->block = NULL;
		g->size = 0;
		void *p = NULL;
		if (!posix_memalign(&p, ALIGN, want)) {
			g->blocks[0] = p;
			g->n_blocks = 1;
			g->block = p;
			g->size = want;
		}
	}
	g->used = 0;
	g->total = 0;
	g->n = 0;
	g->flops = 0;
	g->n_fl = 0;
	g->epoch++;
	g->err = (scuot_err){0};
}

int scuot_nn_graph_error(const scuot_nn_graph *g, scuot_err *e)
{
	if (!g->err.code)
		return 0;
	if (e)
		*e = g->err;
	return g->err.code;
}

int64_t scuot_nn_graph_size(const scuot_nn_graph *g, int64_t *bytes)
{
	if (bytes)
		*bytes = (int64_t)g->total;
	return g->n;
}

double scuot_nn_graph_flops(const scuot_nn_graph *g)
{
	return g->flops;
}

void nn_fail(scuot_nn_graph *g, int code, const char *what)
{
	if (!g->err.code)
		scuot_err_set(&g->err, code, "neural network graph: %s", what);
}

/* The free-list entry of buffers of len doubles (made when make is nonzero); NULL if none or no memory. */
static struct nn_free *free_list(scuot_nn_graph *g, int64_t len, int make)
{
	for (int i = 0; i < g->n_fl; i++)
		if (g->fl[i].len == len)
			return &g->fl[i];
	if (!make)
		return NULL;
	if (g->n_fl == g->cap_fl) {
		int cap = g->cap_fl ? 2 * g->cap_fl : 16;
		struct nn_free *f = realloc(g->fl, sizeof(*f) * (size_t)cap);
		if (!f)
			return NULL;
		g->fl = f;
		g->cap_fl = cap;
	}
	g->fl[g->n_fl] = (struct nn_free){ len, NULL };
	return &g->fl[g->n_fl++];
}

/* Value memory of len doubles: a recycled buffer of that length, else new arena memory. */
static double *value_get(scuot_nn_graph *g, int64_t len)
{
	struct nn_free *f = g->n_fl ? free_list(g, len, 0) : NULL;
	if (f && f->head) {
		void *p = f->head;
		memcpy(&f->head, p, sizeof(void *));
		return p;
	}
	return arena_get(g, sizeof(double) * (size_t)len);
}

/* Hand the value memory of the dead node x back (kept by the arena if the free list cannot grow). */
static void value_put(scuot_nn_graph *g, scuot_nn_node *x)
{
	struct nn_free *f = free_list(g, x->r * x->c, 1);
	if (x->op == NN_TANH && x->in[0]->tanh == x)
		x->in[0]->tanh = NULL;
	if (f) {
		memcpy(x->v, &f->head, sizeof(void *));
		f->head = x->v;
	}
	x->v = NULL;
}

/* Room for one more node on the tape: 0, or -1 with the error recorded. */
static int tape_room(scuot_nn_graph *g)
{
	if (g->n < g->cap)
		return 0;
	int64_t cap = g->cap ? 2 * g->cap : 256;
	scuot_nn_node **nn = realloc(g->nodes, sizeof(*nn) * (size_t)cap);
	if (!nn) {
		nn_fail(g, SCUOT_ENOMEM, "out of memory for the tape");
		return -1;
	}
	g->nodes = nn;
	g->cap = cap;
	return 0;
}

scuot_nn_node *nn_node(scuot_nn_graph *g, int op, int64_t r, int64_t c, scuot_nn_node *a, scuot_nn_node *b)
{
	if (g->err.code)
		return NULL;
	if (r <= 0 || c <= 0 || r > INT32_MAX || c > INT32_MAX) {
		nn_fail(g, SCUOT_EINTERNAL, "a node of an empty or oversized shape");
		return NULL;
	}
	if (tape_room(g) < 0)
		return NULL;
	scuot_nn_node *x = arena_get(g, sizeof(*x));
	double *v = x && (uint64_t)r * (uint64_t)c < (SIZE_MAX >> 4) ? value_get(g, r * c) : NULL;
	if (!x || !v) {
		nn_fail(g, SCUOT_ENOMEM, "out of memory for node values");
		return NULL;
	}
	memset(x, 0, sizeof(*x));
	x->op = op;
	x->r = r;
	x->c = c;
	x->v = v;
	x->in[0] = a;
	x->in[1] = b;
	x->needs = (a && a->needs) || (b && b->needs);
	x->id = (int32_t)g->n;
	g->nodes[g->n++] = x;
	return x;
}

scuot_nn_node *scuot_nn_const(scuot_nn_graph *g, int64_t r, int64_t c, const double *v)
{
	scuot_nn_node *x = nn_node(g, NN_CONST, r, c, NULL, NULL);
	if (!x)
		return NULL;
	if (v)
		memcpy(x->v, v, sizeof(double) * (size_t)(r * c));
	else
		memset(x->v, 0, sizeof(double) * (size_t)(r * c));
	return x;
}

scuot_nn_node *scuot_nn_scalar(scuot_nn_graph *g, double v)
{
	return scuot_nn_const(g, 1, 1, &v);
}

scuot_nn_node *scuot_nn_input(scuot_nn_graph *g, int64_t r, int64_t c, const double *v)
{
	scuot_nn_node *x = scuot_nn_const(g, r, c, v);
	if (x) {
		x->op = NN_INPUT;
		x->needs = 1;
	}
	return x;
}

scuot_nn_node *scuot_nn_param(scuot_nn_graph *g, scuot_nn_tensor *t)
{
	if (g->err.code)
		return NULL;
	if (t->leaf && t->leaf_graph == g && t->leaf_epoch == g->epoch)
		return t->leaf;
	/* a leaf reads the tensor in place: a node with no value memory of its own */
	if (tape_room(g) < 0)
		return NULL;
	scuot_nn_node *x = arena_get(g, sizeof(*x));
	if (!x) {
		nn_fail(g, SCUOT_ENOMEM, "out of memory for the tape");
		return NULL;
	}
	memset(x, 0, sizeof(*x));
	x->op = NN_PARAM;
	x->r = t->r;
	x->c = t->c;
	x->v = t->v;
	x->needs = 1;
	x->id = (int32_t)g->n;
	g->nodes[g->n++] = x;
	t->leaf = x;
	t->leaf_graph = g;
	t->leaf_epoch = g->epoch;
	return x;
}

/* ref (*cap entries, zero beyond the used ones) of at least len entries: 0, or -1 with the error recorded. */
static int ref_room(scuot_nn_graph *g, int32_t **ref, int64_t *cap, int64_t len)
{
	if (g->err.code)
		return -1;
	if (len <= *cap)
		return 0;
	int64_t c = 2 * len + 1024;
	int32_t *r = realloc(*ref, sizeof(*r) * (size_t)c);
	if (!r) {
		nn_fail(g, SCUOT_ENOMEM, "out of memory for adjoints");
		return -1;
	}
	memset(r + *cap, 0, sizeof(*r) * (size_t)(c - *cap));
	*ref = r, *cap = c;
	return 0;
}

/* Reverse accumulation over the tape (Griewank and Walther, "Evaluating derivatives", 2008, ch. 3): the
 * adjoint of every node between the leaves and y, each vector-Jacobian product built from operations so that
 * the adjoints are differentiable in turn.  With recycle, ref counts the adjoint slots holding each node of
 * the sweep (id >= top); once node i is done, its adjoint, the adjoints it replaced and the intermediates of
 * its products that no slot holds are dead, and their value memory goes back to the graph (value_put). */
int nn_grad(scuot_nn_graph *g, scuot_nn_node *y, int n, scuot_nn_node *const *wrt, scuot_nn_node **out,
            int recycle, scuot_err *e)
{
	if (!y) {
		nn_fail(g, SCUOT_EINTERNAL, "gradient of a failed node");
		return scuot_nn_graph_error(g, e);
	}
	if (g->err.code)
		return scuot_nn_graph_error(g, e);
	if (y->r != 1 || y->c != 1) {
		nn_fail(g, SCUOT_EINTERNAL, "gradient of a node that is not 1 x 1");
		return scuot_nn_graph_error(g, e);
	}
	int64_t top = y->id + 1, rcap = 0;
	scuot_nn_node **adj = calloc((size_t)top, sizeof(*adj));
	unsigned char *want = calloc((size_t)top, 1);
	int32_t *ref = NULL;
	if (!adj || !want) {
		nn_fail(g, SCUOT_ENOMEM, "out of memory for adjoints");
		goto out;
	}
	for (int k = 0; k < n; k++)
		if (wrt[k] && wrt[k]->op > NN_PARAM)
			recycle = 0; /* an inner node's adjoint is complete only at the end */
	/* want: the node lies on a path from one of wrt to y */
	for (int k = 0; k < n; k++)
		if (wrt[k] && wrt[k]->id < top)
			want[wrt[k]->id] = 1;
	for (int64_t i = 0; i < top; i++) {
		scuot_nn_node *x = g->nodes[i];
		if (!want[i])
			for (int s = 0; s < 2; s++)
				if (x->in[s] && want[x->in[s]->id])
					want[i] = 1;
	}
#define REF(x) ref[(x)->id - top]
	if (want[y->id]) {
		adj[y->id] = scuot_nn_scalar(g, 1.0);
		if (recycle && adj[y->id] && !ref_room(g, &ref, &rcap, g->n - top))
			REF(adj[y->id]) = 1;
		for (int64_t i = y->id; i >= 0 && !g->err.code; i--) {
			scuot_nn_node *x = g->nodes[i], *dead[3];
			int nd = 0;
			if (!adj[i] || x->op <= NN_PARAM)
				continue;
			int64_t mark = g->n;
			for (int s = 0; s < 2; s++) {
				scuot_nn_node *u = x->in[s];
				if (!u || !want[u->id])
					continue;
				scuot_nn_node *d = NULL;
				if (!recycle || !nn_vjp_fused(g, x, s, adj[i], &d))
					d = nn_vjp(g, x, s, adj[i]);
				if (!d)
					continue; /* a zero contribution (masks), or an error caught below */
				scuot_nn_node *old = adj[u->id];
				adj[u->id] = old ? scuot_nn_add(g, old, d) : d;
				if (!recycle || !adj[u->id] || ref_room(g, &ref, &rcap, g->n - top) < 0)
					continue;
				REF(adj[u->id])++;
				if (old && !--REF(old))
					dead[nd++] = old;
			}
			if (!recycle || ref_room(g, &ref, &rcap, g->n - top) < 0)
				continue;
			/* node i is done: its adjoint leaves its slot */
			if (adj[i]->id >= top && !--REF(adj[i]))
				dead[nd++] = adj[i];
			adj[i] = NULL;
			for (int k = 0; k < nd; k++)
				if (dead[k]->id < mark)
					value_put(g, dead[k]);
			for (int64_t j = mark; j < g->n; j++)
				if (!REF(g->nodes[j]))
					value_put(g, g->nodes[j]);
		}
	}
#undef REF
	for (int k = 0; k < n && !g->err.code; k++) {
		scuot_nn_node *w = wrt[k];
		out[k] = w && w->id < top && adj[w->id] ? adj[w->id] : scuot_nn_const(g, w ? w->r : 1, w ? w->c : 1,
		                                                                        NULL);
	}
out:
	free(adj);
	free(want);
	free(ref);
	return scuot_nn_graph_error(g, e);
}

int scuot_nn_grad(scuot_nn_graph *g, scuot_nn_node *y, int n, scuot_nn_node *const *wrt, scuot_nn_node **out,
                  scuot_err *e)
{
	return nn_grad(g, y, n, wrt, out, 0, e);
}
