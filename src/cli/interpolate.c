/* interpolate.c -- scuot-interpolate: the predicted population at a day between the two days of a
 * transport result, as an h5ad of points in the result's embedding with masses in obs. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/log.h"
#include "io/h5ad.h"
#include "core/strmap.h"
#include "io/result.h"
#include "io/tmap.h"
#include "ot/interp.h"

typedef struct ip_args {
	const char *input, *output, *coords, *embedding, *day_key;
	double at;
	int have_at, rule;
	int64_t npoints; /* 0: max(n, m) */
} ip_args;

static void usage(FILE *fp, const scuot_cli *c)
{
	fprintf(fp,
	        "Usage: scuot-interpolate --at T [options] result.h5 -o interp.h5ad\n\n"
	        "Predict the population at day T between the two days D0 < T < D1 of a transport result\n"
	        "(scuot-transport).  s = (T - D0) / (D1 - D0).  The output holds one row per point: obsm\n"
	        "<embedding> (the result's, e.g. X_pca), obs weight (mass), source_cell and target_cell (the\n"
	        "pair it was drawn from), and uns/scuot_interpolate (method, t0, t1, at, s, rule, mass).\n\n"
	        "  --at T                the day to predict [required]\n"
	        "  -n, --n-points N      population size (pairs drawn) [max(source, target cells)]\n"
	        "  --rule R              auto, linear, wfr, snapshot, mmd-split or map [auto]:\n"
	        "                        linear: pairs (i, j) drawn with probability proportional to\n"
	        "                          pi_ij / colsum_j^(1-s), point (1-s) x_i + s y_j (Waddington-OT);\n"
	        "                        wfr: pairs drawn by their mass on the WFR geodesic between the paired\n"
	        "                          Diracs, point on that geodesic (Chizat et al. 2018), weights carry\n"
	        "                          the interpolated mass;\n"
	        "                        snapshot: the stored particle snapshot nearest to s;\n"
	        "                        mmd-split: the stored snapshot whose Gaussian MMDs to the source and\n"
	        "                          to the target split as s : (1 - s) (particle flows: ksd, kusd,\n"
	        "                          ift, mmdflow, wfrflow; s = 1/2 is the equal-distance midpoint);\n"
	        "                        map: maps (uotgan): point (1-s) x + s T(x), mass (1-s) + s xi(x)\n"
	        "                          times the source mass, one point per source cell;\n"
	        "                        auto: wfr for wfr results, map for maps, mmd-split for other\n"
	        "                          results without coupling, else linear\n"
	        "  -o, --output FILE     the AnnData file to write [required]\n\n"
	        "Transport maps (Waddington-OT's tmaps_T0_T1.h5ad, or scuot-transport --export-tmap):\n"
	        "  --coords FILE         read the input as a transport map (obs = source cells, var = target\n"
	        "                        cells, X = coupling) and take the cells' coordinates and days from\n"
	        "                        this h5ad (e.g. pca.h5ad)\n"
	        "  --embedding KEY       obsm key of the coordinates in --coords [X_pca]\n"
	        "  --day-key COL         obs column of the days in --coords, used when the map has no\n"
	        "                        uns/tmap t0, t1 [day]\n");
	scuot_cli_global_help(fp, c);
	fprintf(fp, "\nExample:\n  scuot-interpolate --at 4 uot_2_6.h5 -o uot_at4.h5ad\n");
}

static int parse_args(int argc, char **argv, scuot_cli *c, ip_args *a)
{
	enum { OPT_AT = 1, OPT_RULE, OPT_COORDS, OPT_EMB, OPT_DAYKEY };
	static const struct option lopts[] = {
		{ "at", required_argument, NULL, OPT_AT },
		{ "n-points", required_argument, NULL, 'n' },
		{ "rule", required_argument, NULL, OPT_RULE },
		{ "coords", required_argument, NULL, OPT_COORDS },
		{ "embedding", required_argument, NULL, OPT_EMB },
		{ "day-key", required_argument, NULL, OPT_DAYKEY },
		{ "output", required_argument, NULL, 'o' },
		SCUOT_CLI_GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	int opt, r;
	int64_t v;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":n:o:hvqV", lopts, NULL)) != -1) {
		if ((r = scuot_cli_global_opt(c, opt, optarg)) != 0) {
			if (r < 0)
				return 2;
			continue;
		}
		switch (opt) {
		case 'h': usage(stdout, c); return 1;
		case 'V': scuot_cli_version(stdout); return 1;
		case OPT_AT:
			if (scuot_cli_double(c, "--at", optarg, &a->at))
				return 2;
			a->have_at = 1;
			break;
		case 'n':
			if (scuot_cli_int(c, "--n-points", optarg, 1, 1000000000, &v))
				return 2;
			a->npoints = v;
			break;
		case OPT_RULE: {
			int k;
			for (k = 0; k <= SCUOT_INTERP_MAP && strcmp(optarg, scuot_interp_rule_name(k)); k++)
				;
			if (k > SCUOT_INTERP_MAP)
				return scuot_cli_usage_error(c, "--rule: '%s' is not auto, linear, wfr, snapshot, "
				                             "mmd-split or map", optarg);
			a->rule = k;
			break;
		}
		case OPT_COORDS: a->coords = optarg; break;
		case OPT_EMB: a->embedding = optarg; break;
		case OPT_DAYKEY: a->day_key = optarg; break;
		case 'o': a->output = optarg; break;
		case ':': return scuot_cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		default: return scuot_cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!a->have_at)
		return scuot_cli_usage_error(c, "no day given (--at T)");
	if (optind == argc)
		return scuot_cli_usage_error(c, "no input file given");
	if (argc - optind > 1)
		return scuot_cli_usage_error(c, "one input file expected, got %d", argc - optind);
	if (!a->output)
		return scuot_cli_usage_error(c, "no output file given (-o interp.h5ad)");
	a->input = argv[optind];
	return 0;
}

/* The population as AnnData: no genes, obsm <embedding>, obs weight/source_cell/target_cell, uns. */
static int to_adata(const scuot_cli *c, const scuot_ot_result *r, const scuot_interp_pop *p, const ip_args *ia,
                    scuot_adata **out, scuot_err *e)
{
	scuot_adata *a = scuot_adata_new(p->np, 0, e);
	scuot_mat *X = NULL;
	char **idx = NULL;
	int ret;
	if (!a)
		return e->code;
	if (!(idx = scuot_alloc((size_t)p->np, sizeof *idx, 1, "point names", e))) {
		ret = e->code;
		goto fail;
	}
	for (int64_t k = 0; k < p->np; k++) {
		char buf[32];
		snprintf(buf, sizeof buf, "p%lld", (long long)k);
		if (!(idx[k] = scuot_strdup(buf, e))) {
			scuot_strs_free(idx, k);
			ret = e->code;
			goto fail;
		}
	}
	if ((ret = scuot_df_set_index(&a->obs, idx, p->np, e)))
		goto fail;
	char **none = calloc(1, sizeof *none); /* no genes: an empty var index */
	if (!none || (ret = scuot_df_set_index(&a->var, none, 0, e))) {
		free(none);
		ret = none ? ret : scuot_err_set(e, SCUOT_ENOMEM, "out of memory");
		goto fail;
	}
	scuot_col *w = scuot_df_add(&a->obs, "weight", SCUOT_COL_FLOAT, e), *cs, *ct;
	if (!w) {
		ret = e->code;
		goto fail;
	}
	memcpy(w->f, p->w, sizeof(double) * (size_t)p->np);
	if (!(cs = scuot_df_add(&a->obs, "source_cell", SCUOT_COL_STRING, e)) ||
	    !(ct = scuot_df_add(&a->obs, "target_cell", SCUOT_COL_STRING, e))) {
		ret = e->code;
		goto fail;
	}
	for (int64_t k = 0; k < p->np; k++) {
		const char *sn = p->src[k] >= 0 && r->source_ids.n == r->n ? r->source_ids.a[p->src[k]] : NULL;
		const char *tn = p->tgt[k] >= 0 && r->target_ids.n == r->m ? r->target_ids.a[p->tgt[k]] : NULL;
		if ((sn && !(cs->s[k] = scuot_strdup(sn, e))) || (tn && !(ct->s[k] = scuot_strdup(tn, e)))) {
			ret = e->code;
			goto fail;
		}
	}
	if (!(X = scuot_mat_new(p->np, p->d, e))) {
		ret = e->code;
		goto fail;
	}
	memcpy(X->data, p->x, sizeof(double) * (size_t)(p->np * p->d));
	if ((ret = scuot_adata_set_obsm(a, r->embedding && *r->embedding ? r->embedding : "X_pca", X, e)))
		goto fail;
	X = NULL;
	scuot_uns *u = scuot_uns_add(&a->uns, "scuot_interpolate", SCUOT_UNS_DICT, e);
	if (!u || scuot_uns_set_str(u, "method", r->method, e) || scuot_uns_set_num(u, "t0", r->t0, 0, e) ||
	    scuot_uns_set_num(u, "t1", r->t1, 0, e) || scuot_uns_set_num(u, "at", ia->at, 0, e) ||
	    scuot_uns_set_num(u, "s", p->s, 0, e) || scuot_uns_set_str(u, "rule", scuot_interp_rule_name(p->rule), e) ||
	    scuot_uns_set_num(u, "mass", p->mass, 0, e) || scuot_uns_set_str(u, "result", ia->input, e) ||
	    scuot_uns_set_str(u, "embedding", r->embedding ? r->embedding : "", e)) {
		ret = e->code;
		goto fail;
	}
	if ((ret = scuot_cli_record(c, a, e)))
		goto fail;
	*out = a;
	return 0;
fail:
	scuot_mat_free(X);
	scuot_adata_free(a);
	return ret;
}

/* Rows of coordinates (from obsm key of co) of the cells named ids[0..n), into a new n x d array. */
static double *lookup(const scuot_adata *co, const scuot_strmap *map, const scuot_mat *X, char *const *ids,
                      int64_t n, const ip_args *ia, const char *side, int64_t *first, scuot_err *e)
{
	double *x = scuot_alloc((size_t)(n * X->ncol), sizeof(double), 0, "coordinates", e);
	if (!x)
		return NULL;
	for (int64_t i = 0; i < n; i++) {
		int64_t r = scuot_strmap_get(map, ids[i]);
		if (r < 0) {
			scuot_err_set(e, SCUOT_EINPUT, "%s: %s cell '%s' of the transport map is not in %s", ia->input, side,
			              ids[i], ia->coords);
			free(x);
			return NULL;
		}
		if (i == 0)
			*first = r;
		memcpy(x + i * X->ncol, X->data + r * X->ncol, sizeof(double) * (size_t)X->ncol);
	}
	(void)co;
	return x;
}

/* A result from a transport map and the coordinates of its cells. */
static int read_tmap(const ip_args *ia, scuot_ot_result **out, scuot_err *e)
{
	scuot_adata *t = NULL, *co = NULL;
	scuot_strmap *map = NULL;
	double *x = NULL, *y = NULL;
	int ret;
	int64_t fs = 0, ft = 0;
	if ((ret = scuot_h5ad_read(ia->input, SCUOT_H5AD_X | SCUOT_H5AD_OBS | SCUOT_H5AD_VAR | SCUOT_H5AD_UNS, &t, e)) ||
	    (ret = scuot_h5ad_read(ia->coords, SCUOT_H5AD_OBS | SCUOT_H5AD_OBSM, &co, e)))
		goto done;
	const scuot_mat *X = scuot_adata_get_obsm(co, ia->embedding);
	if (!X) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: /obsm/%s: no such embedding (--embedding)", ia->coords,
		                    ia->embedding);
		goto done;
	}
	if (!(map = scuot_strmap_index(co->obs.index, co->n_obs, ia->coords, e)) ||
	    !(x = lookup(co, map, X, t->obs.index, t->n_obs, ia, "source", &fs, e)) ||
	    !(y = lookup(co, map, X, t->var.index, t->n_var, ia, "target", &ft, e))) {
		ret = e->code;
		goto done;
	}
	double t0 = NAN, t1 = NAN;
	scuot_err e2 = { 0 };
	if (scuot_tmap_days(t, ia->input, &t0, &t1, &e2)) { /* else the days of the cells in --coords */
		int dc = scuot_df_find(&co->obs, ia->day_key);
		if (dc < 0) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no uns/tmap t0 and t1, and %s has no obs column '%s' to "
			                    "take the days from (--day-key)", ia->input, ia->coords, ia->day_key);
			goto done;
		}
		t0 = scuot_col_num(&co->obs.cols[dc], fs), t1 = scuot_col_num(&co->obs.cols[dc], ft);
	}
	if (!isfinite(t0) || !isfinite(t1) || t0 == t1) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: cannot tell the two days of the map (%g, %g)", ia->input, t0, t1);
		goto done;
	}
	if ((ret = scuot_tmap_to_result(t, ia->input, x, y, X->ncol, t0, t1, out, e)))
		goto done;
	if (!((*out)->embedding = scuot_strdup(ia->embedding, e)))
		ret = e->code;
done:
	scuot_strmap_free(map);
	free(x);
	free(y);
	scuot_adata_free(t);
	scuot_adata_free(co);
	return ret;
}

static int run(const scuot_cli *c, ip_args *ia, scuot_err *e)
{
	scuot_ot_result *r = NULL;
	scuot_interp_pop p = { 0 };
	scuot_adata *a = NULL;
	int ret;
	if (ia->coords ? (ret = read_tmap(ia, &r, e)) : (ret = scuot_result_read(ia->input, NULL, &r, e))) {
		if (!ia->coords && strstr(e->msg, "not a scuot transport result"))
			snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg),
			         " (a transport map .h5ad is read with --coords pca.h5ad)");
		goto done;
	}
	double lo = r->t0 < r->t1 ? r->t0 : r->t1, hi = r->t0 < r->t1 ? r->t1 : r->t0;
	if (!(ia->at >= lo && ia->at <= hi)) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: --at %g is outside the days of this result (%g to %g)",
		                    ia->input, ia->at, r->t0, r->t1);
		goto done;
	}
	double s = (ia->at - r->t0) / (r->t1 - r->t0);
	int64_t np = ia->npoints ? ia->npoints : (r->n > r->m ? r->n : r->m);
	scuot_log_info("%s: method %s, days %g -> %g, predicting day %g (s = %.4g), %lld points", ia->input, r->method,
	               r->t0, r->t1, ia->at, s, (long long)np);
	if ((ret = scuot_interp(r, s, ia->rule, np, c->seed, &p, e))) {
		scuot_err_prefix(e, "%s: ", ia->input);
		goto done;
	}
	if ((ret = to_adata(c, r, &p, ia, &a, e)) || (ret = scuot_h5ad_write(ia->output, a, e)))
		goto done;
	scuot_log_info("wrote %s (%lld points, rule %s, mass %.4g)", ia->output, (long long)p.np,
	               scuot_interp_rule_name(p.rule), p.mass);
done:
	scuot_adata_free(a);
	scuot_interp_pop_clear(&p);
	scuot_ot_result_free(r);
	return ret;
}

int main(int argc, char **argv)
{
	scuot_cli c;
	ip_args a;
	scuot_err e = { 0 };
	scuot_cli_init(&c, "interpolate", argc, argv);
	memset(&a, 0, sizeof a);
	a.embedding = "X_pca", a.day_key = "day";
	int r = parse_args(argc, argv, &c, &a);
	if (r)
		return r == 1 ? 0 : 2;
	scuot_cli_apply(&c);
	if (run(&c, &a, &e))
		return scuot_cli_fail(&c, &e);
	scuot_cli_finish(&c);
	return 0;
}
