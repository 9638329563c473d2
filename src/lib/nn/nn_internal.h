/* nn_internal.h -- not a public header: the graph structure, operation codes and the vector-Jacobian
 * products shared by graph.c and ops.c. */
#ifndef SCUOT_NN_INTERNAL_H
#define SCUOT_NN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "nn/nn.h"

struct scuot_nn_graph {
	void **blocks;
	int n_blocks;
	void *block;          /* the block being filled */
	size_t size, used;    /* of that block */
	size_t total;         /* bytes handed out since the last reset */
	scuot_nn_node **nodes;
	int64_t n, cap;
	uint64_t epoch;       /* advanced by every reset (parameter leaves are remade) */
	double flops;         /* floating-point operations of the matrix products since the last reset */
	scuot_err err;
	/* value memory of dead nodes (nn_grad with recycle), by length: a stack threaded through the buffers
	 * themselves, so that the most recently freed, still in cache, is handed out first; emptied by reset */
	struct nn_free {
		int64_t len;
		void *head;
	} *fl;
	int n_fl, cap_fl;
};

/* Operation codes; the leaves come first (scuot_nn_grad stops at NN_PARAM). */
enum {
	NN_CONST = 0, NN_INPUT, NN_PARAM,
	NN_MATMUL, NN_ADD, NN_SUB, NN_MUL, NN_ADD_ROW, NN_MUL_ROW, NN_MUL_COL, NN_SMUL, NN_SCALE, NN_ADD_SCALAR,
	NN_SUM_ROWS, NN_SUM_COLS, NN_SUM, NN_BCAST, NN_LEAKY, NN_SOFTPLUS, NN_SIGMOID, NN_TANH, NN_LOGCOSH,
	NN_EXP, NN_LOG, NN_SQUARE, NN_POW, NN_STEPMUL, NN_CONCAT, NN_SLICE, NN_PAD,
	NN_SUM_GROUPS, NN_REPEAT_COLS, NN_SUMSQ_GROUPS
};

/* Record the first error of g. */
void nn_fail(scuot_nn_graph *g, int code, const char *what);
/* A new node of shape r x c with operands a, b (value memory uninitialised); NULL after an error. */
scuot_nn_node *nn_node(scuot_nn_graph *g, int op, int64_t r, int64_t c, scuot_nn_node *a, scuot_nn_node *b);
/* scuot_nn_grad; with recycle nonzero, for a first-order gradient whose nodes are read only through out
 * (every wrt a leaf): the value memory of each intermediate node of the reverse sweep is handed back as soon
 * as it is dead and reused by the next nodes of the same length (the values of out and of every node made
 * before the sweep are untouched; the dead nodes stay on the tape with v NULL and must not be read). */
int nn_grad(scuot_nn_graph *g, scuot_nn_node *y, int n, scuot_nn_node *const *wrt, scuot_nn_node **out,
            int recycle, scuot_err *e);
/* The adjoint contribution of node x to its operand in[s] given x's adjoint gx; NULL for a zero contribution
 * or an error (recorded in g). */
scuot_nn_node *nn_vjp(scuot_nn_graph *g, scuot_nn_node *x, int s, scuot_nn_node *gx);

/* With a first-order sweep (nn_grad with recycle), the adjoint contribution of nn_vjp computed in one pass
 * for the operations where nn_vjp chains several (tanh, sigmoid, log cosh without a tanh node, square,
 * sumsq_groups and the sums of products of mul_row, mul_col and smul) into *d, a node with no derivative,
 * rounded exactly as that chain: returns 1 (*d NULL after an error, recorded in g), or 0 where nn_vjp is to be
 * used. */
int nn_vjp_fused(scuot_nn_graph *g, scuot_nn_node *x, int s, scuot_nn_node *gx, scuot_nn_node **d);

#endif
