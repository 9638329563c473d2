/* sim.c -- the simulator: latent branching SDE with birth and death, snapshots, counts (see sim.h).
 * Euler-Maruyama for the latent state, Bernoulli birth/death per step, gamma-Poisson counts via GSL. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/log.h"
#include "core/mat.h"
#include "core/progress.h"
#include "core/rng.h"
#include "core/threads.h"
#include "sim/sim.h"
#include "sim/sim_internal.h"

/* Particles are processed in blocks of BLOCK, each block with its own random stream per step. */
#define BLOCK 512
/* Sampled cells are processed in chunks between progress updates. */
#define CHUNK 64

/* Purposes of random streams: stream id = purpose << 56 | a << 24 | b. */
enum { ST_MODEL = 1, ST_INIT, ST_STEP, ST_RESAMPLE, ST_SAMPLE, ST_MC, ST_EXPR };

static uint64_t stream_id(int purpose, uint64_t a, uint64_t b)
{
	return (uint64_t)purpose << 56 | (a & UINT64_C(0xffffffff)) << 24 | (b & UINT64_C(0xffffff));
}

/* Gene programs: proliferation, latent axis 1..d, housekeeping (code d + 1). */
#define PROG_PROLIF 0

typedef struct particle {
	double x[SCUOT_SIM_MAX_DIMS];
	double p, tau;
	int k;
} particle;

/* Everything derived from the options once: geometry, rates, gene loadings. */
typedef struct model {
	const scuot_sim_opts *o;
	int d, L, G;
	double dt, sqdt, dtau, p_commit, sig_p;
	double r[SCUOT_SIM_MAX_LINEAGES + 1];                     /* net rates r_k */
	double u[SCUOT_SIM_MAX_LINEAGES + 1][2];                  /* branch directions */
	double v[SCUOT_SIM_MAX_LINEAGES + 1][2];                  /* their normals */
	double c[SCUOT_SIM_MAX_LINEAGES + 1][SCUOT_SIM_MAX_DIMS]; /* branch ends in dimensions >= 3 */
	double *base, *w, *lam; /* per gene: baseline, weight on its axis, proliferation loading */
	int *prog;              /* per gene: PROG_PROLIF, axis 1..d, or d + 1 */
} model;

static void model_free(model *m)
{
	free(m->base), free(m->w), free(m->lam), free(m->prog);
}

static int model_init(model *m, const scuot_sim_opts *o, scuot_err *e)
{
	gsl_rng *r = NULL;
	int ret = 0, G = o->n_genes, L = o->lineages, d = o->latent_dims;
	memset(m, 0, sizeof *m);
	m->o = o, m->d = d, m->L = L, m->G = G;
	m->dt = o->dt, m->sqdt = sqrt(o->dt);
	m->dtau = o->dt / o->branch_time;
	m->p_commit = 1.0 - exp(-o->commit_rate * o->dt);
	m->sig_p = o->prolif_sd * sqrt(2.0 * o->prolif_relax);
	for (int k = 0; k <= L; k++)
		m->r[k] = scuot_sim_lineage_growth(o, k);
	double step = fmin(2.0 * M_PI / 3.0, 2.0 * M_PI / L);
	for (int k = 1; k <= L; k++) {
		double th = (k - 1 - (L - 1) / 2.0) * step;
		m->u[k][0] = cos(th), m->u[k][1] = sin(th);
		m->v[k][0] = -sin(th), m->v[k][1] = cos(th);
	}
	if (!(r = scuot_rng_new(o->seed, stream_id(ST_MODEL, 0, 0), e)))
		return e ? e->code : SCUOT_ENOMEM;
	for (int k = 1; k <= L; k++)
		for (int j = 2; j < d; j++)
			m->c[k][j] = gsl_ran_gaussian(r, o->branch_length / 2);
	m->base = scuot_alloc((size_t)G, sizeof *m->base, 1, "gene baselines", e);
	m->w = scuot_alloc((size_t)G, sizeof *m->w, 1, "gene loadings", e);
	m->lam = scuot_alloc((size_t)G, sizeof *m->lam, 1, "gene loadings", e);
	m->prog = scuot_alloc((size_t)G, sizeof *m->prog, 1, "gene programs", e);
	if (!m->base || !m->w || !m->lam || !m->prog) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	/* Programs: the proliferation genes, then state genes on axes 1..d in turn, then housekeeping;
	 * shuffled so that a gene's position says nothing about its program. */
	int np = scuot_sim_prolif_genes(o), n_state = (int)lround(o->state_genes * (G - np));
	for (int j = 0; j < G; j++)
		m->prog[j] = j < np ? PROG_PROLIF : j < np + n_state ? 1 + (j - np) % d : d + 1;
	gsl_ran_shuffle(r, m->prog, (size_t)G, sizeof *m->prog);
	for (int j = 0; j < G; j++) {
		m->base[j] = gsl_ran_gaussian(r, 1.0) * o->baseline_sd;
		if (m->prog[j] == PROG_PROLIF) {
			m->base[j] += 1.0;
			m->lam[j] = gsl_ran_flat(r, 0.5, 1.0) * o->prolif_loading;
		} else if (m->prog[j] <= d) {
			double sign = gsl_rng_uniform(r) < 0.5 ? -1.0 : 1.0;
			m->w[j] = sign * gsl_ran_flat(r, 0.2, 0.6) * o->state_loading;
		}
	}
done:
	gsl_rng_free(r);
	if (ret)
		model_free(m);
	return ret;
}

/* Point m_k(tau) of branch k in all d dimensions. */
static void branch_point(const model *m, int k, double tau, double *out)
{
	const scuot_sim_opts *o = m->o;
	double R = o->branch_length, bend = o->curvature * R * sin(M_PI * tau);
	out[0] = R * tau * m->u[k][0] + bend * m->v[k][0];
	out[1] = R * tau * m->u[k][1] + bend * m->v[k][1];
	for (int j = 2; j < m->d; j++)
		out[j] = tau * m->c[k][j];
}

/* One Euler-Maruyama step of a cell (sim.h, step 3), then the commitment jump of a progenitor. */
static void move(const model *m, particle *q, gsl_rng *r)
{
	const scuot_sim_opts *o = m->o;
	double target[SCUOT_SIM_MAX_DIMS] = { 0 };
	if (q->k > 0) {
		q->tau = fmin(1.0, q->tau + m->dtau);
		branch_point(m, q->k, q->tau, target);
	}
	for (int j = 0; j < m->d; j++)
		q->x[j] += -o->relax * (q->x[j] - target[j]) * m->dt +
		           o->noise * m->sqdt * gsl_ran_gaussian_ziggurat(r, 1.0);
	q->p += -o->prolif_relax * q->p * m->dt + m->sig_p * m->sqdt * gsl_ran_gaussian_ziggurat(r, 1.0);
	if (q->k == 0 && m->p_commit > 0 && gsl_rng_uniform(r) < m->p_commit) {
		q->k = 1 + (int)gsl_rng_uniform_int(r, (unsigned long)m->L);
		q->tau = 0;
	}
}

/* Birth and death rates of a cell (sim.h, step 4). */
static void rates(const model *m, const particle *q, double *b, double *dr)
{
	*b = (m->r[q->k] + m->o->death) * scuot_sim_prolif_factor(q->p, m->o->prolif_effect);
	*dr = m->o->death;
}

static void init_particle(const model *m, particle *q, gsl_rng *r)
{
	const scuot_sim_opts *o = m->o;
	double s = o->noise / sqrt(2.0 * o->relax);
	memset(q, 0, sizeof *q);
	for (int j = 0; j < m->d; j++)
		q->x[j] = gsl_ran_gaussian_ziggurat(r, 1.0) * s;
	q->p = gsl_ran_gaussian_ziggurat(r, 1.0) * o->prolif_sd;
}

unsigned scuot_sim_nb_draw(gsl_rng *r, double mu, double phi, double dropout)
{
	unsigned y = 0;
	if (mu > 0) {
		double lambda = phi > 0 ? gsl_ran_gamma(r, 1.0 / phi, mu * phi) : mu;
		y = gsl_ran_poisson(r, lambda);
	}
	if (dropout > 0 && gsl_rng_uniform(r) < dropout / (1.0 + mu))
		y = 0;
	return y;
}

static int thread_num(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

/* The living population: n particles of equal mass (cells per particle). */
typedef struct pop {
	particle *a, *buf, *daughters;
	uint8_t *dead;
	int64_t *nd, n, cap;
	double mass;
	uint64_t n_resample;
} pop;

static void pop_free(pop *P)
{
	free(P->a), free(P->buf), free(P->daughters), free(P->dead), free(P->nd);
}

static int pop_init(pop *P, const model *m, gsl_rng **rr, int nt, scuot_err *e)
{
	const scuot_sim_opts *o = m->o;
	int64_t cap = 2 * o->particles + BLOCK, nblk = (o->particles + BLOCK - 1) / BLOCK;
	memset(P, 0, sizeof *P);
	P->a = scuot_alloc((size_t)cap, sizeof *P->a, 0, "particles", e);
	P->buf = scuot_alloc((size_t)cap, sizeof *P->buf, 0, "particles", e);
	P->daughters = scuot_alloc((size_t)(nblk * BLOCK), sizeof *P->daughters, 0, "particles", e);
	P->dead = scuot_alloc((size_t)o->particles, 1, 0, "particles", e);
	P->nd = scuot_alloc((size_t)nblk, sizeof *P->nd, 0, "particles", e);
	if (!P->a || !P->buf || !P->daughters || !P->dead || !P->nd) {
		pop_free(P);
		return e ? e->code : SCUOT_ENOMEM;
	}
	P->cap = cap;
	P->n = o->particles / 2;
	P->mass = 1.0;
	int64_t nb = (P->n + BLOCK - 1) / BLOCK;
#pragma omp parallel for num_threads(nt) schedule(static)
	for (int64_t b = 0; b < nb; b++) {
		gsl_rng *r = rr[thread_num()];
		scuot_rng_reseed(r, o->seed, stream_id(ST_INIT, 0, (uint64_t)b));
		int64_t end = (b + 1) * BLOCK < P->n ? (b + 1) * BLOCK : P->n;
		for (int64_t i = b * BLOCK; i < end; i++)
			init_particle(m, &P->a[i], r);
	}
	return 0;
}

/* Advance the population by one step: move every particle, then birth or death; daughters follow
 * their mother's block.  Then keep the count within [particles/4, particles] (sim.h, step 4). */
static int pop_step(pop *P, const model *m, int64_t step, gsl_rng **rr, int nt, scuot_err *e)
{
	const scuot_sim_opts *o = m->o;
	int64_t n = P->n, nb = (n + BLOCK - 1) / BLOCK, k = 0;
#pragma omp parallel for num_threads(nt) schedule(static)
	for (int64_t b = 0; b < nb; b++) {
		gsl_rng *r = rr[thread_num()];
		int64_t end = (b + 1) * BLOCK < n ? (b + 1) * BLOCK : n, nd = 0;
		scuot_rng_reseed(r, o->seed, stream_id(ST_STEP, (uint64_t)step, (uint64_t)b));
		for (int64_t i = b * BLOCK; i < end; i++) {
			double br, dr, u;
			move(m, &P->a[i], r);
			rates(m, &P->a[i], &br, &dr);
			u = gsl_rng_uniform(r);
			P->dead[i] = 0;
			if (u < br * m->dt)
				P->daughters[b * BLOCK + nd++] = P->a[i];
			else if (u < (br + dr) * m->dt)
				P->dead[i] = 1;
		}
		P->nd[b] = nd;
	}
	for (int64_t b = 0; b < nb; b++) {
		int64_t end = (b + 1) * BLOCK < n ? (b + 1) * BLOCK : n;
		for (int64_t i = b * BLOCK; i < end; i++)
			if (!P->dead[i])
				P->buf[k++] = P->a[i];
		memcpy(P->buf + k, P->daughters + b * BLOCK, (size_t)P->nd[b] * sizeof *P->buf);
		k += P->nd[b];
	}
	particle *t = P->a;
	P->a = P->buf, P->buf = t, P->n = k;
	if (k == 0)
		return scuot_err_set(e, SCUOT_ENUMERIC,
		                     "the simulated population died out at day %g; lower --death or raise "
		                     "the growth rates or --particles",
		                     step * m->dt);
	if (k > o->particles) {
		int64_t keep = o->particles / 2;
		gsl_rng *r = rr[0];
		scuot_rng_reseed(r, o->seed, stream_id(ST_RESAMPLE, P->n_resample++, 0));
		gsl_ran_choose(r, P->buf, (size_t)keep, P->a, (size_t)k, sizeof *P->a);
		t = P->a, P->a = P->buf, P->buf = t;
		P->mass *= (double)k / keep;
		P->n = keep;
	}
	while (P->n < o->particles / 4) {
		memcpy(P->a + P->n, P->a, (size_t)P->n * sizeof *P->a);
		P->n *= 2;
		P->mass /= 2;
	}
	return 0;
}

/* Expected descendants of q after nstep steps: mean over K paths of prod (1 + g dt) (sim.h, step 6). */
static double expected_descendants(const model *m, const particle *q, int64_t nstep, gsl_rng *r)
{
	double sum = 0;
	for (int path = 0; path < m->o->mc_paths; path++) {
		particle c = *q;
		double wgt = 1, b, dr;
		for (int64_t s = 0; s < nstep; s++) {
			move(m, &c, r);
			rates(m, &c, &b, &dr);
			wgt *= 1 + (b - dr) * m->dt;
		}
		sum += wgt;
	}
	return sum / m->o->mc_paths;
}

/* Counts of one cell into idx/val (nonzeros in gene order); returns their number.  eta is G scratch. */
static int64_t express(const model *m, const particle *q, gsl_rng *r, double *eta, int32_t *idx, float *val,
                       double *libsize)
{
	const scuot_sim_opts *o = m->o;
	double mx = -INFINITY, z = 0,
	       lib = o->library_size * exp(o->library_sdlog * gsl_ran_gaussian(r, 1.0));
	int64_t nnz = 0;
	for (int j = 0; j < m->G; j++) {
		double v = m->base[j];
		if (m->prog[j] == PROG_PROLIF)
			v += m->lam[j] * q->p;
		else if (m->prog[j] <= m->d)
			v += m->w[j] * q->x[m->prog[j] - 1];
		eta[j] = v;
		if (v > mx)
			mx = v;
	}
	for (int j = 0; j < m->G; j++)
		z += (eta[j] = exp(eta[j] - mx));
	for (int j = 0; j < m->G; j++) {
		unsigned y = scuot_sim_nb_draw(r, lib * eta[j] / z, o->dispersion, o->dropout);
		if (y) {
			idx[nnz] = j;
			val[nnz++] = (float)y;
		}
	}
	*libsize = lib;
	return nnz;
}

/* ---- assembling the AnnData result ---- */

static int uns_array(scuot_uns *dict, const char *key, int ndim, const int64_t *dims, const double *v,
                     int is_int, scuot_err *e)
{
	scuot_uns *u = scuot_uns_add(dict, key, SCUOT_UNS_ARRAY, e);
	int64_t n = 1;
	if (!u)
		return e ? e->code : SCUOT_ENOMEM;
	u->ndim = ndim, u->is_int = is_int;
	for (int i = 0; i < ndim; i++)
		n *= (u->dims[i] = dims[i]);
	if (!(u->arr = scuot_alloc((size_t)n, sizeof *u->arr, 0, key, e)))
		return e ? e->code : SCUOT_ENOMEM;
	memcpy(u->arr, v, (size_t)n * sizeof *v);
	return 0;
}

static int uns_strarray(scuot_uns *dict, const char *key, char **s, int64_t n, scuot_err *e)
{
	scuot_uns *u = scuot_uns_add(dict, key, SCUOT_UNS_STRARRAY, e);
	if (!u || !(u->strs = scuot_alloc((size_t)n, sizeof *u->strs, 1, key, e)))
		return e ? e->code : SCUOT_ENOMEM;
	u->nstr = n;
	for (int64_t i = 0; i < n; i++)
		if (!(u->strs[i] = scuot_strdup(s[i], e)))
			return e ? e->code : SCUOT_ENOMEM;
	return 0;
}

/* Categorical column with categories cats[0..ncat) (copied) and codes (copied). */
static int add_categorical(scuot_df *df, const char *name, char **cats, int ncat, const int32_t *codes,
                           scuot_err *e)
{
	scuot_col *c = scuot_df_add(df, name, SCUOT_COL_CATEGORICAL, e);
	if (!c || !(c->cats = scuot_alloc((size_t)ncat, sizeof *c->cats, 1, name, e)))
		return e ? e->code : SCUOT_ENOMEM;
	c->ncat = ncat;
	for (int i = 0; i < ncat; i++)
		if (!(c->cats[i] = scuot_strdup(cats[i], e)))
			return e ? e->code : SCUOT_ENOMEM;
	memcpy(c->codes, codes, (size_t)df->n * sizeof *codes);
	return 0;
}

static int add_float(scuot_df *df, const char *name, const double *v, scuot_err *e)
{
	scuot_col *c = scuot_df_add(df, name, SCUOT_COL_FLOAT, e);
	if (!c)
		return e ? e->code : SCUOT_ENOMEM;
	memcpy(c->f, v, (size_t)df->n * sizeof *v);
	return 0;
}

/* prefix, then v zero-padded to the digits of nmax (at least 4): ("g", 7, 1000) -> "g0007". */
static void padded(char *buf, size_t len, const char *prefix, int64_t v, int64_t nmax)
{
	char num[24];
	int w = 4, n = snprintf(num, sizeof num, "%lld", (long long)v);
	for (int64_t t = nmax; t >= 10000; t /= 10)
		w++;
	snprintf(buf, len, "%s%.*s%s", prefix, w > n ? w - n : 0, "00000000000000000000", num);
}

/* Owned labels prefix0001 ... for 1..n. */
static char **numbered_labels(const char *prefix, int64_t n, scuot_err *e)
{
	char **s = scuot_alloc((size_t)n, sizeof *s, 1, "labels", e), buf[64];
	if (!s)
		return NULL;
	for (int64_t i = 0; i < n; i++) {
		padded(buf, sizeof buf, prefix, i + 1, n);
		if (!(s[i] = scuot_strdup(buf, e))) {
			scuot_strs_free(s, n);
			return NULL;
		}
	}
	return s;
}

/* obs (given the per-cell arrays) and obsm; var, varm and uns/sim from the model. */
static int build_var(scuot_adata *a, const model *m, scuot_err *e)
{
	const int G = m->G, d = m->d;
	char **ids = numbered_labels("g", G, e), *cats[SCUOT_SIM_MAX_DIMS + 2],
	     names[SCUOT_SIM_MAX_DIMS + 2][24];
	int32_t *codes = NULL;
	scuot_mat *load = NULL;
	scuot_col *c;
	int ret = 0;
	if (!ids || scuot_df_set_index(&a->var, ids, G, e)) {
		scuot_strs_free(ids, ids ? G : 0);
		return e ? e->code : SCUOT_ENOMEM;
	}
	if (!(c = scuot_df_add(&a->var, "gene_name", SCUOT_COL_STRING, e)))
		return e ? e->code : SCUOT_ENOMEM;
	for (int j = 0; j < G; j++) {
		char buf[64];
		snprintf(buf, sizeof buf, "G%s", a->var.index[j] + 1);
		if (!(c->s[j] = scuot_strdup(buf, e)))
			return e ? e->code : SCUOT_ENOMEM;
	}
	snprintf(names[0], sizeof names[0], "proliferation");
	for (int k = 1; k <= d; k++)
		snprintf(names[k], sizeof names[k], "latent%d", k);
	snprintf(names[d + 1], sizeof names[d + 1], "housekeeping");
	for (int k = 0; k <= d + 1; k++)
		cats[k] = names[k];
	if (!(codes = scuot_alloc((size_t)G, sizeof *codes, 0, "programs", e)) ||
	    !(load = scuot_mat_new(G, d, e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int j = 0; j < G; j++) {
		codes[j] = m->prog[j];
		if (m->prog[j] >= 1 && m->prog[j] <= d)
			load->data[(int64_t)j * d + m->prog[j] - 1] = m->w[j];
	}
	if ((ret = add_categorical(&a->var, "program", cats, d + 2, codes, e)))
		goto done;
	if (!(c = scuot_df_add(&a->var, "is_proliferation_gene", SCUOT_COL_BOOL, e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int j = 0; j < G; j++)
		c->b[j] = m->prog[j] == PROG_PROLIF;
	if ((ret = add_float(&a->var, "baseline", m->base, e)) ||
	    (ret = add_float(&a->var, "prolif_loading", m->lam, e)))
		goto done;
	a->varm = scuot_alloc(1, sizeof *a->varm, 1, "varm", e);
	if (!a->varm || !(a->varm[0].key = scuot_strdup("latent_loadings", e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	a->varm[0].m = load, load = NULL;
	a->n_varm = 1;
done:
	free(codes);
	scuot_mat_free(load);
	return ret;
}

static int build_uns(scuot_adata *a, const model *m, const double *mass, scuot_err *e)
{
	const scuot_sim_opts *o = m->o;
	scuot_uns *s = scuot_uns_add(&a->uns, "sim", SCUOT_UNS_DICT, e);
	char *names[SCUOT_SIM_MAX_LINEAGES + 1];
	double cells[SCUOT_SIM_MAX_DAYS];
	int64_t dims[2];
	if (!s)
		return e ? e->code : SCUOT_ENOMEM;
	const struct {
		const char *key;
		double v;
		int is_int;
	} num[] = { { "seed", (double)o->seed, 1 },
		    { "genes", o->n_genes, 1 },
		    { "prolif_genes", scuot_sim_prolif_genes(o), 1 },
		    { "state_genes", o->state_genes, 0 },
		    { "lineages", o->lineages, 1 },
		    { "latent_dims", o->latent_dims, 1 },
		    { "commit_rate", o->commit_rate, 0 },
		    { "branch_time", o->branch_time, 0 },
		    { "branch_length", o->branch_length, 0 },
		    { "curvature", o->curvature, 0 },
		    { "relax", o->relax, 0 },
		    { "noise", o->noise, 0 },
		    { "prolif_relax", o->prolif_relax, 0 },
		    { "prolif_sd", o->prolif_sd, 0 },
		    { "growth", o->growth, 0 },
		    { "growth_contrast", o->growth_contrast, 0 },
		    { "progenitor_growth", o->progenitor_growth, 0 },
		    { "death", o->death, 0 },
		    { "prolif_effect", o->prolif_effect, 0 },
		    { "library_size", o->library_size, 0 },
		    { "library_sdlog", o->library_sdlog, 0 },
		    { "dispersion", o->dispersion, 0 },
		    { "dropout", o->dropout, 0 },
		    { "state_loading", o->state_loading, 0 },
		    { "prolif_loading", o->prolif_loading, 0 },
		    { "baseline_sd", o->baseline_sd, 0 },
		    { "dt", o->dt, 0 },
		    { "particles", (double)o->particles, 1 },
		    { "mc_paths", o->mc_paths, 1 } };
	static const char summary[] = "latent branching SDE (Euler-Maruyama) with birth/death, "
	                              "negative-binomial counts; see data/FORMATS.md, scuot-simulate outputs";
	if (scuot_uns_set_str(s, "model", summary, e))
		return e->code;
	for (size_t i = 0; i < sizeof num / sizeof num[0]; i++)
		if (scuot_uns_set_num(s, num[i].key, num[i].v, num[i].is_int, e))
			return e ? e->code : SCUOT_ENOMEM;
	for (int i = 0; i < o->n_days; i++)
		cells[i] = (double)scuot_sim_cells_at(o, i);
	for (int k = 0; k <= m->L; k++)
		names[k] = (char *)scuot_sim_lineage_name(k);
	dims[0] = o->n_days, dims[1] = m->L + 1;
	if (uns_array(s, "days", 1, dims, o->days, 0, e) || uns_array(s, "cells", 1, dims, cells, 1, e) ||
	    uns_strarray(s, "lineage_names", names, m->L + 1, e) ||
	    uns_array(s, "lineage_growth", 1, dims + 1, m->r, 0, e) ||
	    uns_array(s, "population_mass", 2, dims, mass, 0, e))
		return e ? e->code : SCUOT_ENOMEM;
	return 0;
}

/* Per-cell truth gathered during the run. */
typedef struct sampled {
	particle *q;
	int *day;
	int64_t n;
	double *g, *b, *dr, *desc, *lib;
	int64_t *nnz;
	int32_t **idx;
	float **val;
} sampled;

static void sampled_free(sampled *S)
{
	for (int64_t i = 0; S->idx && i < S->n; i++)
		free(S->idx[i]), free(S->val[i]);
	free(S->q), free(S->day), free(S->g), free(S->b), free(S->dr), free(S->desc), free(S->lib);
	free(S->nnz), free(S->idx), free(S->val);
}

static int build_obs(scuot_adata *a, const model *m, const sampled *S, scuot_err *e)
{
	const scuot_sim_opts *o = m->o;
	int64_t n = S->n, off = 0;
	char **ids = scuot_alloc((size_t)n, sizeof *ids, 1, "cell ids", e), *cats[SCUOT_SIM_MAX_LINEAGES + 1];
	double *tmp = scuot_alloc((size_t)n, sizeof *tmp, 0, "obs column", e);
	int32_t *codes = scuot_alloc((size_t)n, sizeof *codes, 0, "obs column", e);
	scuot_mat *lat = NULL;
	int ret = 0;
	if (!ids || !tmp || !codes) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int di = 0; di < o->n_days; di++) {
		int64_t nc = scuot_sim_cells_at(o, di);
		char prefix[48];
		snprintf(prefix, sizeof prefix, "d%.10g_c", o->days[di]);
		for (int64_t c = 0; c < nc; c++) {
			char buf[96];
			padded(buf, sizeof buf, prefix, c + 1, nc);
			if (!(ids[off + c] = scuot_strdup(buf, e))) {
				ret = e ? e->code : SCUOT_ENOMEM;
				goto done;
			}
		}
		off += nc;
	}
	if ((ret = scuot_df_set_index(&a->obs, ids, n, e)))
		goto done;
	ids = NULL;
	for (int64_t i = 0; i < n; i++)
		tmp[i] = o->days[S->day[i]];
	if ((ret = add_float(&a->obs, "day", tmp, e)))
		goto done;
	for (int k = 0; k <= m->L; k++)
		cats[k] = (char *)scuot_sim_lineage_name(k);
	for (int64_t i = 0; i < n; i++)
		codes[i] = S->q[i].k;
	if ((ret = add_categorical(&a->obs, "lineage", cats, m->L + 1, codes, e)))
		goto done;
	for (int64_t i = 0; i < n; i++)
		tmp[i] = S->q[i].tau;
	if ((ret = add_float(&a->obs, "branch_progress", tmp, e)))
		goto done;
	for (int64_t i = 0; i < n; i++)
		tmp[i] = S->q[i].p;
	if ((ret = add_float(&a->obs, "prolif_program", tmp, e)) ||
	    (ret = add_float(&a->obs, "growth_rate", S->g, e)) ||
	    (ret = add_float(&a->obs, "birth_rate", S->b, e)) ||
	    (ret = add_float(&a->obs, "death_rate", S->dr, e)) ||
	    (ret = add_float(&a->obs, "expected_descendants", S->desc, e)) ||
	    (ret = add_float(&a->obs, "library_size", S->lib, e)))
		goto done;
	if (!(lat = scuot_mat_new(n, m->d, e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int64_t i = 0; i < n; i++)
		memcpy(lat->data + i * m->d, S->q[i].x, (size_t)m->d * sizeof(double));
	if ((ret = scuot_adata_set_obsm(a, "X_latent", lat, e)))
		goto done;
	lat = NULL;
done:
	scuot_strs_free(ids, ids ? n : 0);
	scuot_mat_free(lat);
	free(tmp), free(codes);
	return ret;
}

static int build_X(scuot_adata *a, const sampled *S, int G, scuot_err *e)
{
	int64_t nnz = 0;
	for (int64_t i = 0; i < S->n; i++)
		nnz += S->nnz[i];
	scuot_csr *X = scuot_csr_new(S->n, G, nnz, e);
	if (!X)
		return e ? e->code : SCUOT_ENOMEM;
	for (int64_t i = 0, k = 0; i < S->n; i++) {
		if (S->nnz[i]) {
			memcpy(X->indices + k, S->idx[i], (size_t)S->nnz[i] * sizeof *X->indices);
			memcpy(X->data + k, S->val[i], (size_t)S->nnz[i] * sizeof *X->data);
		}
		k += S->nnz[i];
		X->indptr[i + 1] = k;
	}
	a->X = X;
	return 0;
}

/* Growth truth, expected descendants and counts of every sampled cell, in parallel over cells. */
static int finish_cells(const model *m, sampled *S, const int64_t *tstep, int nt, scuot_err *e)
{
	const scuot_sim_opts *o = m->o;
	int ret = 0;
	double **eta = scuot_alloc((size_t)nt, sizeof *eta, 1, "scratch", e);
	gsl_rng **rr = scuot_alloc((size_t)nt, sizeof *rr, 1, "random streams", e);
	int32_t **ibuf = scuot_alloc((size_t)nt, sizeof *ibuf, 1, "scratch", e);
	float **vbuf = scuot_alloc((size_t)nt, sizeof *vbuf, 1, "scratch", e);
	scuot_progress *prog = NULL;
	if (!eta || !rr || !ibuf || !vbuf) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int t = 0; t < nt; t++)
		if (!(eta[t] = scuot_alloc((size_t)m->G, sizeof **eta, 0, "scratch", e)) ||
		    !(ibuf[t] = scuot_alloc((size_t)m->G, sizeof **ibuf, 0, "scratch", e)) ||
		    !(vbuf[t] = scuot_alloc((size_t)m->G, sizeof **vbuf, 0, "scratch", e)) ||
		    !(rr[t] = scuot_rng_new(o->seed, 0, e))) {
			ret = e ? e->code : SCUOT_ENOMEM;
			goto done;
		}
	prog = scuot_progress_new("expected descendants and counts", S->n);
	int failed = 0;
	for (int64_t c0 = 0; c0 < S->n && !failed; c0 += CHUNK) {
		int64_t c1 = c0 + CHUNK < S->n ? c0 + CHUNK : S->n;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) reduction(| : failed)
		for (int64_t i = c0; i < c1; i++) {
			int t = thread_num(), di = S->day[i];
			gsl_rng *r = rr[t];
			rates(m, &S->q[i], &S->b[i], &S->dr[i]);
			S->g[i] = S->b[i] - S->dr[i];
			S->desc[i] = NAN;
			if (di + 1 < o->n_days) {
				scuot_rng_reseed(r, o->seed,
				                 stream_id(ST_MC, (uint64_t)i >> 24, (uint64_t)i));
				S->desc[i] = expected_descendants(m, &S->q[i], tstep[di + 1] - tstep[di], r);
			}
			scuot_rng_reseed(r, o->seed, stream_id(ST_EXPR, (uint64_t)i >> 24, (uint64_t)i));
			int64_t nz = express(m, &S->q[i], r, eta[t], ibuf[t], vbuf[t], &S->lib[i]);
			S->nnz[i] = nz;
			if (nz) {
				S->idx[i] = malloc((size_t)nz * sizeof **S->idx);
				S->val[i] = malloc((size_t)nz * sizeof **S->val);
				if (!S->idx[i] || !S->val[i])
					failed = 1;
				else {
					memcpy(S->idx[i], ibuf[t], (size_t)nz * sizeof **S->idx);
					memcpy(S->val[i], vbuf[t], (size_t)nz * sizeof **S->val);
				}
			}
		}
		scuot_progress_update(prog, c1);
	}
	if (failed)
		ret = scuot_err_set(e, SCUOT_ENOMEM, "out of memory storing the counts of %lld cells",
		                    (long long)S->n);
done:
	scuot_progress_finish(prog);
	for (int t = 0; t < nt; t++) {
		if (eta)
			free(eta[t]);
		if (ibuf)
			free(ibuf[t]);
		if (vbuf)
			free(vbuf[t]);
		if (rr)
			gsl_rng_free(rr[t]);
	}
	free(eta), free(rr), free(ibuf), free(vbuf);
	return ret;
}

int scuot_sim_run(const scuot_sim_opts *o, scuot_adata **out, scuot_err *e)
{
	model m;
	pop P;
	sampled S;
	int ret, nt = o->threads > 0 ? o->threads : scuot_threads_get(), have_model = 0, have_pop = 0;
	gsl_rng **rr = NULL;
	int64_t tstep[SCUOT_SIM_MAX_DAYS], total = 0, *pick = NULL, *all = NULL, off = 0;
	double *mass = NULL;
	scuot_adata *a = NULL;
	scuot_progress *prog = NULL;

	*out = NULL;
	memset(&S, 0, sizeof S);
	if ((ret = scuot_sim_opts_check(o, e)))
		return ret;
	for (int i = 0; i < o->n_days; i++) {
		tstep[i] = llround(o->days[i] / o->dt);
		total += scuot_sim_cells_at(o, i);
	}
	if ((ret = model_init(&m, o, e)))
		return ret;
	have_model = 1;
	S.n = total;
	S.q = scuot_alloc((size_t)total, sizeof *S.q, 0, "sampled cells", e);
	S.day = scuot_alloc((size_t)total, sizeof *S.day, 0, "sampled cells", e);
	S.g = scuot_alloc((size_t)total, sizeof *S.g, 0, "sampled cells", e);
	S.b = scuot_alloc((size_t)total, sizeof *S.b, 0, "sampled cells", e);
	S.dr = scuot_alloc((size_t)total, sizeof *S.dr, 0, "sampled cells", e);
	S.desc = scuot_alloc((size_t)total, sizeof *S.desc, 0, "sampled cells", e);
	S.lib = scuot_alloc((size_t)total, sizeof *S.lib, 0, "sampled cells", e);
	S.nnz = scuot_alloc((size_t)total, sizeof *S.nnz, 1, "sampled cells", e);
	S.idx = scuot_alloc((size_t)total, sizeof *S.idx, 1, "sampled cells", e);
	S.val = scuot_alloc((size_t)total, sizeof *S.val, 1, "sampled cells", e);
	mass = scuot_alloc((size_t)o->n_days * (m.L + 1), sizeof *mass, 1, "population mass", e);
	rr = scuot_alloc((size_t)nt, sizeof *rr, 1, "random streams", e);
	pick = scuot_alloc((size_t)(o->particles / 4 + 1), sizeof *pick, 0, "snapshot", e);
	all = scuot_alloc((size_t)o->particles, sizeof *all, 0, "snapshot", e);
	if (!S.q || !S.day || !S.g || !S.b || !S.dr || !S.desc || !S.lib || !S.nnz || !S.idx || !S.val ||
	    !mass || !rr || !pick || !all) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int t = 0; t < nt; t++)
		if (!(rr[t] = scuot_rng_new(o->seed, 0, e))) {
			ret = e->code;
			goto done;
		}
	if ((ret = pop_init(&P, &m, rr, nt, e)))
		goto done;
	have_pop = 1;
	scuot_log_info("simulating %d lineages from day 0 to %g in steps of %g with up to %lld particles",
	               m.L, o->days[o->n_days - 1], o->dt, (long long)o->particles);
	prog = scuot_progress_new("simulating", tstep[o->n_days - 1]);
	for (int64_t step = 0, di = 0; di < o->n_days; di++) {
		for (; step < tstep[di]; step++) {
			if ((ret = pop_step(&P, &m, step, rr, nt, e)))
				goto done;
			scuot_progress_update(prog, step + 1);
		}
		double *row = mass + di * (m.L + 1);
		for (int64_t i = 0; i < P.n; i++)
			row[P.a[i].k] += P.mass;
		int64_t nc = scuot_sim_cells_at(o, (int)di);
		for (int64_t i = 0; i < P.n; i++)
			all[i] = i;
		scuot_rng_reseed(rr[0], o->seed, stream_id(ST_SAMPLE, (uint64_t)di, 0));
		gsl_ran_choose(rr[0], pick, (size_t)nc, all, (size_t)P.n, sizeof *all);
		for (int64_t c = 0; c < nc; c++) {
			S.q[off + c] = P.a[pick[c]];
			S.day[off + c] = (int)di;
		}
		off += nc;
		scuot_log_debug("day %g: %lld particles of mass %g", o->days[di], (long long)P.n, P.mass);
	}
	scuot_progress_finish(prog);
	prog = NULL;
	for (int di = 0; di < o->n_days; di++) {
		char line[512];
		int len = snprintf(line, sizeof line, "day %g: population", o->days[di]);
		for (int k = 0; k <= m.L && len < (int)sizeof line; k++)
			len += snprintf(line + len, sizeof line - len, " %s %.4g", scuot_sim_lineage_name(k),
			                mass[di * (m.L + 1) + k]);
		scuot_log_info("%s", line);
	}
	if ((ret = finish_cells(&m, &S, tstep, nt, e)))
		goto done;
	if (!(a = scuot_adata_new(S.n, m.G, e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	if ((ret = build_X(a, &S, m.G, e)) || (ret = build_obs(a, &m, &S, e)) ||
	    (ret = build_var(a, &m, e)) || (ret = build_uns(a, &m, mass, e)) ||
	    (ret = scuot_adata_check(a, e)))
		goto done;
	*out = a;
	a = NULL;
done:
	scuot_progress_finish(prog);
	scuot_adata_free(a);
	if (rr)
		for (int t = 0; t < nt; t++)
			gsl_rng_free(rr[t]);
	free(rr), free(pick), free(all), free(mass);
	sampled_free(&S);
	if (have_pop)
		pop_free(&P);
	if (have_model)
		model_free(&m);
	return ret;
}
