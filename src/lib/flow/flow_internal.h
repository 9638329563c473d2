/* flow_internal.h -- not a public header: what the flow files share (BLAS threading around the OpenMP
 * blocks, the particle state common to every method, snapshots and curves, parameter look-up). */
#ifndef SCUOT_FLOW_INTERNAL_H
#define SCUOT_FLOW_INTERNAL_H

#include <stdint.h>

#include "core/err.h"
#include "ot/ot.h"

#define FLOW_BLOCK 256 /* points per tile side */
/* Row blocks are spread over the threads only from this many on: below, a step is a few milliseconds and
 * the fork/join (and, on a loaded machine, waiting for a descheduled thread) costs more than it saves. */
#define FLOW_PAR_BLOCKS 4
#define FLOW_STRIP 2048 /* columns per strip of a Gaussian kernel sum (a multiple of FLOW_BLOCK) */

/* One row of a Gaussian tile (kernel.c): t[j] <- exp(-max(qi + zz[j] + t[j], 0) g) with t[j] = -2 q_i . z_j
 * on entry; returns sum_j v[j] t[j].  Vectorised (4 or 8 lanes), within 2 ulp of libm's exp per entry. */
double flow_tile_row(double *t, const double *zz, const double *v, int64_t nj, double qi, double g);

/* z[k] <- c cos(z[k] + b[k]), s[k] <- c sin(z[k] + b[k]) for n values (kernel.c); vectorised, within 2 ulp of
 * libm where |z[k] + b[k]| <= 1e5.  Returns the largest |z[k] + b[k]|: above 1e5, the caller redoes the
 * row with libm. */
double flow_sincos_row(double *z, double *s, const double *b, int64_t n, double c);
/* The same, and in the same pass the rows scaled by sqrt(wi): rs[k] <- sqrt(wi) s[k], rc[k] <- sqrt(wi) z[k]
 * (rc may be NULL).  Stores only, no loads of what was stored: the arrays are distinct. */
double flow_sincos_row_w(double *restrict z, double *restrict s, double *restrict rs, double *restrict rc,
                         const double *restrict b, int64_t n, double c, double wi);

/* out <- alpha A v + beta v for A symmetric (n x n) given by its upper triangle (row-major, lda n): block
 * rows of FLOW_SYMV_ROWS rows on the OpenMP threads, each into its own partial vector of part (n /
 * FLOW_SYMV_ROWS rounded up, times n), summed in block order: the same bits for any thread count.  Reads the
 * triangle once (kernel.c). */
#define FLOW_SYMV_ROWS 256
void flow_symv(const double *a, int64_t n, const double *v, double alpha, double beta, double *out,
               double *part);

/* Run BLAS single-threaded inside OpenMP loops (same bits for any thread count); returns the count to
 * give back to flow_blas_restore. */
int flow_blas_serial(void);
void flow_blas_restore(int n);
int flow_max_threads(void);
int flow_thread_num(void);

/* Particles of a flow: positions x (n x d), masses w in units where the source has total 1, and the
 * target with masses bt (total 1, or sum b / sum a for unbalanced variants). */
typedef struct flow_state {
	int64_t n, m, d;
	double *x, *w;     /* particles (owned) */
	double *w0;        /* initial masses a / sum a */
	const double *y;   /* target points */
	double *bt;        /* target masses (owned) */
	double asum;       /* sum a: masses written out are w * asum */
	double *curve, *curve_src; /* MMD to target and to source at each record */
	double *mmd_buf;           /* flow_exact_mmd: normalised masses and kernel sums (owned, 3 n + n0 + m) */
	double c_src, c_tgt;       /* flow_exact_mmd: the source's and the target's own terms of MMD^2 */
	int n_rec, cap_rec;
	int64_t *rec_step;
} flow_state;

/* Fill s from p: particles at the source cells, w0 = a / sum a, target masses normalised to total 1 or,
 * when unbalanced, to sum b / sum a. */
int flow_state_init(flow_state *s, const scuot_ot_problem *p, int unbalanced, scuot_err *e);
void flow_state_free(flow_state *s);
/* Append a snapshot of the particles to r with the MMDs d_src, d_tgt (s = d_src / (d_src + d_tgt)). */
int flow_record(flow_state *s, scuot_ot_result *r, int64_t step, double d_src, double d_tgt, scuot_err *e);
/* Exact Gaussian MMDs of the particles to the source and the target (weights normalised as in
 * scuot_kern_mmd2): the source's and the target's own terms once, then per call the kernel sums of the
 * particles against particles, source and target with the vectorised tiles. */
int flow_exact_mmd(flow_state *s, const scuot_ot_problem *p, double sigma, double *d_src, double *d_tgt,
                   scuot_err *e);
/* Curve, scaling factors and row sums into r after the last step. */
int flow_finish(flow_state *s, scuot_ot_result *r, int64_t steps, const char *curve_name, scuot_err *e);
/* The value of parameter name in a method's table t (np entries) from par. */
double flow_par(const scuot_ot_param *t, int np, const double *par, const char *name);
/* Whether to record after step k of steps (every `every`, and the last). */
static inline int flow_due(int64_t k, int64_t steps, int64_t every)
{
	return k == steps || (every > 0 && k % every == 0);
}

#endif
