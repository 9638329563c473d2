/* nn.h -- reverse-mode automatic differentiation over dense row-major double matrices: a tape of eagerly
 * evaluated nodes whose gradients are built from the same operations, so gradients of gradients work. */
#ifndef SCUOT_NN_NN_H
#define SCUOT_NN_NN_H

#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A graph (tape) owns every node made on it; nodes live until scuot_nn_graph_reset.  Each operation
 * computes its value at once (define by run).  An operation that fails (out of memory, mismatched shapes,
 * a NULL input) returns NULL and records the first error in the graph, and every operation given a NULL
 * input returns NULL: build a whole expression, then check the final node and read the error with
 * scuot_nn_graph_error.
 *
 * scuot_nn_grad builds the gradient of a scalar node as new nodes of the same graph (like PyTorch's
 * autograd.grad with create_graph=True): a function of the gradient, such as the squared norm of
 * grad_x f, can be differentiated again.  Every operation's vector-Jacobian product is itself made of
 * operations of this file, except the masks of ReLU and leaky ReLU, whose derivative is zero almost
 * everywhere. */

typedef struct scuot_nn_graph scuot_nn_graph;
typedef struct scuot_nn_tensor scuot_nn_tensor;

typedef struct scuot_nn_node {
	int op;
	int needs;                   /* depends on a leaf that may be differentiated */
	int32_t id;                  /* position on the tape */
	int64_t r, c;                /* rows, columns */
	double *v;                   /* value, r x c row-major */
	struct scuot_nn_node *in[2]; /* operands */
	double k;                    /* constant of the operation (scale, slope, exponent) */
	int64_t a0, a1;              /* integer arguments (transposes, column offset and width) */
	struct scuot_nn_node *tanh;  /* the engine's: tanh of this node once made (logcosh's derivative reuses it) */
} scuot_nn_node;

SCUOT_EXPORT scuot_nn_graph *scuot_nn_graph_new(void);
SCUOT_EXPORT void scuot_nn_graph_free(scuot_nn_graph *g);
/* Drop every node and keep the memory for the next use (one block as large as the last use needed). */
SCUOT_EXPORT void scuot_nn_graph_reset(scuot_nn_graph *g);
/* The first error recorded since the last reset, copied into e; returns its code (0: none). */
SCUOT_EXPORT int scuot_nn_graph_error(const scuot_nn_graph *g, scuot_err *e);
/* Number of nodes on the tape and bytes of node values held. */
SCUOT_EXPORT int64_t scuot_nn_graph_size(const scuot_nn_graph *g, int64_t *bytes);
/* Floating-point operations (2 m n k per product) of the matrix products since the last reset. */
SCUOT_EXPORT double scuot_nn_graph_flops(const scuot_nn_graph *g);

/* ---- leaves ---- */
/* A constant r x c matrix (copied from v; v NULL: zeros).  Never differentiated. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_const(scuot_nn_graph *g, int64_t r, int64_t c, const double *v);
/* A constant 1 x 1. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_scalar(scuot_nn_graph *g, double v);
/* An input that can be differentiated (copied from v), e.g. the particles x for grad_x f. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_input(scuot_nn_graph *g, int64_t r, int64_t c, const double *v);
/* The leaf of a parameter tensor (layers.h): its value is read in place and must not change while the
 * graph holds nodes; the same node is returned for the same tensor until the graph is reset. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_param(scuot_nn_graph *g, scuot_nn_tensor *t);

/* ---- operations (shapes in brackets; A is r x c) ---- */
/* op(A) op(B) through BLAS dgemm; ta, tb nonzero transpose the operand. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_matmul(scuot_nn_graph *g, scuot_nn_node *a, int ta, scuot_nn_node *b, int tb);
SCUOT_EXPORT scuot_nn_node *scuot_nn_add(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *b);
SCUOT_EXPORT scuot_nn_node *scuot_nn_sub(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *b);
/* Elementwise product of equal shapes. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_mul(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *b);
/* A + b with b [1 x c] added to every row (bias). */
SCUOT_EXPORT scuot_nn_node *scuot_nn_add_row(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *b);
/* A with every row multiplied elementwise by s [1 x c]. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_mul_row(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *s);
/* A with row i multiplied by w_i, w [r x 1] (per-sample weights). */
SCUOT_EXPORT scuot_nn_node *scuot_nn_mul_col(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *w);
/* A times the scalar node s [1 x 1]. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_smul(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *s);
/* k A and A + k for a constant k. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_scale(scuot_nn_graph *g, scuot_nn_node *a, double k);
SCUOT_EXPORT scuot_nn_node *scuot_nn_add_scalar(scuot_nn_graph *g, scuot_nn_node *a, double k);
/* Column sums [1 x c], row sums [r x 1], the sum of all entries [1 x 1], and their means. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_sum_rows(scuot_nn_graph *g, scuot_nn_node *a);
SCUOT_EXPORT scuot_nn_node *scuot_nn_sum_cols(scuot_nn_graph *g, scuot_nn_node *a);
SCUOT_EXPORT scuot_nn_node *scuot_nn_sum(scuot_nn_graph *g, scuot_nn_node *a);
SCUOT_EXPORT scuot_nn_node *scuot_nn_mean(scuot_nn_graph *g, scuot_nn_node *a);
/* A [1 x 1], [1 x c] or [r x 1] repeated to r x c. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_bcast(scuot_nn_graph *g, scuot_nn_node *a, int64_t r, int64_t c);
/* Elementwise functions.  leaky: x for x > 0, k x otherwise (k = 0: ReLU).  softplus log(1 + e^x),
 * logcosh log(cosh x) (both evaluated without overflow), pow: x^k for x > 0 (or integer k). */
SCUOT_EXPORT scuot_nn_node *scuot_nn_relu(scuot_nn_graph *g, scuot_nn_node *a);
SCUOT_EXPORT scuot_nn_node *scuot_nn_leaky(scuot_nn_graph *g, scuot_nn_node *a, double k);
SCUOT_EXPORT scuot_nn_node *scuot_nn_softplus(scuot_nn_graph *g, scuot_nn_node *a);
SCUOT_EXPORT scuot_nn_node *scuot_nn_sigmoid(scuot_nn_graph *g, scuot_nn_node *a);
SCUOT_EXPORT scuot_nn_node *scuot_nn_tanh(scuot_nn_graph *g, scuot_nn_node *a);
SCUOT_EXPORT scuot_nn_node *scuot_nn_logcosh(scuot_nn_graph *g, scuot_nn_node *a);
/* logcosh(a) and, in *th, tanh(a) (the nodes of scuot_nn_logcosh and scuot_nn_tanh) from one pass and one
 * exponential per entry; values within a few ulp of libm as theirs (not the same bits). */
SCUOT_EXPORT scuot_nn_node *scuot_nn_logcosh_tanh(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node **th);
SCUOT_EXPORT scuot_nn_node *scuot_nn_exp(scuot_nn_graph *g, scuot_nn_node *a);
SCUOT_EXPORT scuot_nn_node *scuot_nn_log(scuot_nn_graph *g, scuot_nn_node *a);
SCUOT_EXPORT scuot_nn_node *scuot_nn_square(scuot_nn_graph *g, scuot_nn_node *a);
SCUOT_EXPORT scuot_nn_node *scuot_nn_pow(scuot_nn_graph *g, scuot_nn_node *a, double k);
/* G times the mask of leaky(x): G where x > 0, k G elsewhere (the derivative of leaky; its own derivative
 * in x is zero). */
SCUOT_EXPORT scuot_nn_node *scuot_nn_stepmul(scuot_nn_graph *g, scuot_nn_node *grad, scuot_nn_node *x, double k);
/* [A B] side by side (equal rows); columns [c0, c0 + w) of A; A placed at column c0 of a zero r x cols. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_concat(scuot_nn_graph *g, scuot_nn_node *a, scuot_nn_node *b);
SCUOT_EXPORT scuot_nn_node *scuot_nn_slice(scuot_nn_graph *g, scuot_nn_node *a, int64_t c0, int64_t w);
SCUOT_EXPORT scuot_nn_node *scuot_nn_pad(scuot_nn_graph *g, scuot_nn_node *a, int64_t c0, int64_t cols);
/* Sums of groups of k adjacent columns: r x (c k) -> r x c, out_iq = sum_{j < k} a_i,qk+j; and its adjoint,
 * each column repeated k times: r x c -> r x (c k), out_i,qk+j = a_iq. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_sum_groups(scuot_nn_graph *g, scuot_nn_node *a, int64_t k);
SCUOT_EXPORT scuot_nn_node *scuot_nn_repeat_cols(scuot_nn_graph *g, scuot_nn_node *a, int64_t k);
/* sum_groups(square(a), k) in one pass, without the squares' node (OT-Flow's Laplacian trace). */
SCUOT_EXPORT scuot_nn_node *scuot_nn_sumsq_groups(scuot_nn_graph *g, scuot_nn_node *a, int64_t k);

/* ---- differentiation ---- */
/* Gradients of the 1 x 1 node y with respect to the nodes wrt[0..n) into out[0..n), as nodes of g (zeros
 * where y does not depend on wrt[k]).  Returns 0, or the graph's error code (with e filled). */
SCUOT_EXPORT int scuot_nn_grad(scuot_nn_graph *g, scuot_nn_node *y, int n, scuot_nn_node *const *wrt,
                               scuot_nn_node **out, scuot_err *e);

#ifdef __cplusplus
}
#endif
#endif
