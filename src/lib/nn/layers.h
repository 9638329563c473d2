/* layers.h -- trainable parameters (tensors collected in a model), the layers built from nn.h's operations
 * (linear, activations, batch normalisation, dropout, MLPs, residual networks) and the optimisers. */
#ifndef SCUOT_NN_LAYERS_H
#define SCUOT_NN_LAYERS_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "core/defs.h"
#include "core/err.h"
#include "nn/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A named r x c parameter with its accumulated gradient and optimiser state. */
struct scuot_nn_tensor {
	char name[64];
	int64_t r, c;
	double *v, *g;          /* value, gradient (summed by scuot_nn_backward) */
	double *m1, *m2, *m2hat; /* optimiser moments (allocated on the first step) */
	/* the graph leaf of this tensor, valid while leaf_graph is at leaf_epoch */
	scuot_nn_node *leaf;
	const scuot_nn_graph *leaf_graph;
	uint64_t leaf_epoch;
};

/* The parameters of one or more networks, in the order they were added. */
typedef struct scuot_nn_model {
	int n, cap;
	scuot_nn_tensor **t;
} scuot_nn_model;

SCUOT_EXPORT scuot_nn_model *scuot_nn_model_new(void);
SCUOT_EXPORT void scuot_nn_model_free(scuot_nn_model *m);
/* A new zero r x c tensor named name (unique in m); NULL with e filled. */
SCUOT_EXPORT scuot_nn_tensor *scuot_nn_model_add(scuot_nn_model *m, const char *name, int64_t r, int64_t c,
                                                  scuot_err *e);
/* The tensor of that name, or NULL. */
SCUOT_EXPORT scuot_nn_tensor *scuot_nn_model_find(const scuot_nn_model *m, const char *name);
/* Number of scalar parameters. */
SCUOT_EXPORT int64_t scuot_nn_model_count(const scuot_nn_model *m);
SCUOT_EXPORT void scuot_nn_model_zero_grad(scuot_nn_model *m);
/* The gradient of the 1 x 1 node loss with respect to every tensor of m that has a leaf on g, added to the
 * tensors' g.  Returns 0 or the graph's error (e filled). */
SCUOT_EXPORT int scuot_nn_backward(scuot_nn_graph *g, scuot_nn_node *loss, scuot_nn_model *m, scuot_err *e);
/* Copy the values of every tensor of src into the tensor of the same name and shape in dst: SCUOT_EINPUT
 * naming the first tensor missing or of another shape. */
SCUOT_EXPORT int scuot_nn_model_copy(scuot_nn_model *dst, const scuot_nn_model *src, scuot_err *e);

/* ---- activations ---- */
enum scuot_nn_act {
	SCUOT_NN_IDENTITY = 0, SCUOT_NN_RELU, SCUOT_NN_LEAKY, SCUOT_NN_SOFTPLUS, SCUOT_NN_TANH, SCUOT_NN_SIGMOID,
	SCUOT_NN_LOGCOSH
};
/* act applied to x; slope is the negative slope of SCUOT_NN_LEAKY. */
SCUOT_EXPORT scuot_nn_node *scuot_nn_activate(scuot_nn_graph *g, scuot_nn_node *x, int act, double slope);
/* SCUOT_NN_* from "relu", "leaky", "softplus", "tanh", "sigmoid", "logcosh", "identity"; -1 if unknown. */
SCUOT_EXPORT int scuot_nn_act_parse(const char *s);

/* ---- layers ---- */
/* x W + b with W in x out and b 1 x out (no b when bias is 0).  Initialised as PyTorch's nn.Linear:
 * W and b uniform on [-1/sqrt(in), 1/sqrt(in)]. */
typedef struct scuot_nn_linear {
	scuot_nn_tensor *w, *b;
} scuot_nn_linear;
SCUOT_EXPORT int scuot_nn_linear_init(scuot_nn_linear *l, scuot_nn_model *m, const char *name, int64_t in,
                                      int64_t out, int bias, gsl_rng *rng, scuot_err *e);
SCUOT_EXPORT scuot_nn_node *scuot_nn_linear_fwd(scuot_nn_graph *g, const scuot_nn_linear *l, scuot_nn_node *x);

/* Batch normalisation over the rows of x with batch statistics (Ioffe and Szegedy 2015; PyTorch's
 * BatchNorm1d with track_running_stats=False): (x - mean) / sqrt(var + eps) * gamma + beta, var the
 * biased variance; gamma starts at 1, beta at 0. */
typedef struct scuot_nn_bn {
	scuot_nn_tensor *gamma, *beta;
	double eps;
} scuot_nn_bn;
SCUOT_EXPORT int scuot_nn_bn_init(scuot_nn_bn *l, scuot_nn_model *m, const char *name, int64_t width, scuot_err *e);
SCUOT_EXPORT scuot_nn_node *scuot_nn_bn_fwd(scuot_nn_graph *g, const scuot_nn_bn *l, scuot_nn_node *x);

/* Inverted dropout: each entry kept with probability 1 - p and scaled by 1 / (1 - p); x itself when p is 0
 * or rng is NULL (evaluation). */
SCUOT_EXPORT scuot_nn_node *scuot_nn_dropout(scuot_nn_graph *g, scuot_nn_node *x, double p, gsl_rng *rng);

#define SCUOT_NN_MAX_HIDDEN 8
/* A multilayer perceptron: hidden layers Linear -> [batch norm] -> activation -> [dropout], then a linear
 * output layer and an output activation (as the critic D_mlp of the USD reference code when bn_at and
 * dropout_at are 1). */
typedef struct scuot_nn_mlp_spec {
	int n_hidden;
	int64_t hidden[SCUOT_NN_MAX_HIDDEN];
	int act;            /* SCUOT_NN_* of the hidden layers */
	double slope;       /* of SCUOT_NN_LEAKY */
	int bn_at;          /* hidden layer followed by batch normalisation, -1: none */
	int dropout_at;     /* hidden layer followed by dropout, -1: none */
	double dropout;
	int out_bias;
	int out_act;        /* SCUOT_NN_* of the output */
} scuot_nn_mlp_spec;

typedef struct scuot_nn_mlp {
	scuot_nn_mlp_spec spec;
	int64_t in, out;
	scuot_nn_linear lin[SCUOT_NN_MAX_HIDDEN + 1];
	scuot_nn_bn bn;
} scuot_nn_mlp;
SCUOT_EXPORT int scuot_nn_mlp_init(scuot_nn_mlp *net, scuot_nn_model *m, const char *name, int64_t in, int64_t out,
                                   const scuot_nn_mlp_spec *spec, gsl_rng *rng, scuot_err *e);
/* The network at the rows of x; rng NULL: evaluation mode (no dropout). */
SCUOT_EXPORT scuot_nn_node *scuot_nn_mlp_fwd(scuot_nn_graph *g, const scuot_nn_mlp *net, scuot_nn_node *x,
                                             gsl_rng *rng);

/* A residual network (OT-Flow, Onken et al. 2021, eq. 13): u0 = act(x K0 + b0), u_k = u_{k-1} + h act(u_{k-1}
 * K_k + b_k) for k = 1 .. depth - 1, h = 1 / (depth - 1) (h = 1 when depth is 1). */
typedef struct scuot_nn_resnet {
	int depth, act;
	int64_t in, width;
	scuot_nn_linear lin[SCUOT_NN_MAX_HIDDEN];
} scuot_nn_resnet;
SCUOT_EXPORT int scuot_nn_resnet_init(scuot_nn_resnet *net, scuot_nn_model *m, const char *name, int64_t in,
                                      int64_t width, int depth, int act, gsl_rng *rng, scuot_err *e);
SCUOT_EXPORT scuot_nn_node *scuot_nn_resnet_fwd(scuot_nn_graph *g, const scuot_nn_resnet *net, scuot_nn_node *x);

/* ---- optimisers ---- */
enum { SCUOT_NN_SGD = 1, SCUOT_NN_ADAM };
typedef struct scuot_nn_optim {
	int kind;
	double lr;
	double beta1, beta2, eps; /* Adam (Kingma and Ba 2015) */
	int amsgrad;              /* AMSGrad (Reddi et al. 2018): the running maximum of the second moment */
	double weight_decay;      /* added to the gradient as PyTorch's Adam and SGD do, or, with decoupled,
	                           * subtracted from the parameter as AdamW (Loshchilov and Hutter 2019) */
	int decoupled;
	double momentum;          /* SGD */
	int64_t steps;
} scuot_nn_optim;
/* Adam with PyTorch's defaults (betas 0.9, 0.999, eps 1e-8) at learning rate lr. */
SCUOT_EXPORT scuot_nn_optim scuot_nn_adam(double lr);
SCUOT_EXPORT scuot_nn_optim scuot_nn_sgd(double lr, double momentum);
/* One update of every tensor of m from its gradient g; SCUOT_ENOMEM for the moments.  Gradients are kept
 * (zero them with scuot_nn_model_zero_grad). */
SCUOT_EXPORT int scuot_nn_optim_step(scuot_nn_optim *o, scuot_nn_model *m, scuot_err *e);
/* Forget the moments and the step count (a fresh optimiser over the same tensors). */
SCUOT_EXPORT void scuot_nn_optim_reset(scuot_nn_optim *o, scuot_nn_model *m);

#ifdef __cplusplus
}
#endif
#endif
