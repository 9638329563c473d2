/* result.c -- writing and reading transport result files (HDF5): problem, parameters, coupling (dense,
 * sparse or none), dual potentials, marginals and scaling factors, snapshots and diagnostics. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "io/h5util_internal.h"
#include "io/result.h"
#include "ot/cost.h"

static int put_f64(hid_t g, const char *name, const double *v, int rank, int64_t d0, int64_t d1, scuot_err *e)
{
	int64_t dims[2] = { d0, d1 };
	return scuot_h5_write(g, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, rank, dims, v, NULL, NULL, e);
}

static int put_scalar(hid_t g, const char *name, double v, scuot_err *e)
{
	return put_f64(g, name, &v, 0, 0, 0, e);
}

static int put_i64(hid_t g, const char *name, const int64_t *v, int rank, int64_t n, scuot_err *e)
{
	return scuot_h5_write(g, name, H5T_NATIVE_INT64, H5T_STD_I64LE, rank, &n, v, NULL, NULL, e);
}

static int put_str(hid_t g, const char *name, const char *s, scuot_err *e)
{
	char *v[1] = { (char *)(s ? s : "") };
	return scuot_h5_write_strs(g, name, v, 1, 0, NULL, NULL, e);
}

/* A 1-D curve with its name in the attribute "name". */
static int put_curve(hid_t g, const char *name, const double *v, int64_t n, const char *label, scuot_err *e)
{
	int ret;
	if ((ret = put_f64(g, name, v, 1, n, 0, e)))
		return ret;
	hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
	ret = d < 0 ? scuot_h5_errh(e, SCUOT_EIO, g, name, "cannot reopen") : scuot_h5_attr_set_str(d, "name", label, e);
	scuot_h5_close(d);
	return ret;
}

static const char *coupling_name(int k)
{
	return k == SCUOT_COUPLING_DENSE ? "dense" : k == SCUOT_COUPLING_SPARSE ? "sparse" : "none";
}

static int write_body(hid_t f, const scuot_ot_result *r, scuot_err *e)
{
	hid_t g = -1;
	int ret;
	int64_t one = SCUOT_RESULT_VERSION;
	if ((ret = scuot_h5_attr_set_str(f, "format", SCUOT_RESULT_FORMAT, e)) ||
	    (ret = scuot_h5_attr_set_i64s(f, "format_version", &one, 1, e)) ||
	    (ret = scuot_h5_attr_set_str(f, "method", r->method, e)) ||
	    (ret = scuot_h5_attr_set_str(f, "scuot_version", r->version ? r->version : "unknown", e)))
		return ret;
	/* parameters */
	if ((g = scuot_h5_group(f, "params", 0, e)) < 0)
		return (int)g;
	if ((ret = scuot_h5_write_strs(g, "names", (char *const *)r->param_names, r->n_params, 1, NULL, NULL, e)) ||
	    (ret = put_f64(g, "values", r->params, 1, r->n_params, 0, e)))
		goto done;
	scuot_h5_close(g);
	/* problem */
	if ((g = scuot_h5_group(f, "problem", 0, e)) < 0)
		return (int)g;
	int64_t seed = (int64_t)r->seed;
	if ((ret = put_scalar(g, "t0", r->t0, e)) || (ret = put_scalar(g, "t1", r->t1, e)) ||
	    (ret = put_str(g, "cost", scuot_cost_kind_name(r->cost), e)) ||
	    (ret = put_str(g, "cost_norm", scuot_cost_norm_name(r->cost_norm), e)) ||
	    (ret = put_scalar(g, "cost_scale", r->cost_scale, e)) || (ret = put_scalar(g, "delta", r->delta, e)) ||
	    (ret = put_str(g, "embedding", r->embedding, e)) || (ret = put_str(g, "input", r->input, e)) ||
	    (ret = put_str(g, "command", r->cmdline, e)) || (ret = put_i64(g, "seed", &seed, 0, 0, e)) ||
	    (ret = put_f64(g, "x", r->x, 2, r->n, r->d, e)) || (ret = put_f64(g, "y", r->y, 2, r->m, r->d, e)) ||
	    (ret = put_f64(g, "a", r->a, 1, r->n, 0, e)) || (ret = put_f64(g, "b", r->b, 1, r->m, 0, e)))
		goto done;
	if (r->source_ids.n == r->n && r->target_ids.n == r->m &&
	    ((ret = scuot_h5_write_strs(g, "source_ids", r->source_ids.a, r->n, 1, NULL, NULL, e)) ||
	     (ret = scuot_h5_write_strs(g, "target_ids", r->target_ids.a, r->m, 1, NULL, NULL, e))))
		goto done;
	scuot_h5_close(g);
	/* coupling */
	if ((g = scuot_h5_group(f, "coupling", 0, e)) < 0)
		return (int)g;
	const scuot_coupling *c = &r->pi;
	int64_t shape[2] = { r->n, r->m };
	if ((ret = scuot_h5_attr_set_str(g, "kind", coupling_name(c->kind), e)) ||
	    (ret = scuot_h5_attr_set_i64s(g, "shape", shape, 2, e)))
		goto done;
	if (c->kind == SCUOT_COUPLING_DENSE) {
		if ((ret = put_f64(g, "dense", c->dense, 2, r->n, r->m, e)))
			goto done;
	} else if (c->kind == SCUOT_COUPLING_SPARSE) {
		int64_t nnz = c->indptr[r->n];
		if ((ret = put_i64(g, "indptr", c->indptr, 1, r->n + 1, e)) ||
		    (ret = scuot_h5_write(g, "indices", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, &nnz, c->indices, NULL,
		                          NULL, e)) ||
		    (ret = put_f64(g, "data", c->data, 1, nnz, 0, e)) ||
		    (ret = put_i64(g, "topk", &c->topk, 0, 0, e)) || (ret = put_scalar(g, "kept_mass", c->kept_mass, e)))
			goto done;
	}
	scuot_h5_close(g);
	/* dual potentials */
	if (r->f && r->g) {
		if ((g = scuot_h5_group(f, "dual", 0, e)) < 0)
			return (int)g;
		if ((ret = put_scalar(g, "eps", r->eps, e)) || (ret = put_f64(g, "f", r->f, 1, r->n, 0, e)) ||
		    (ret = put_f64(g, "g", r->g, 1, r->m, 0, e)))
			goto done;
		scuot_h5_close(g);
	}
	/* marginals and scaling factors */
	if (r->row_sum || r->col_sum || r->scaling) { /* particle methods have no column sums */
		if ((g = scuot_h5_group(f, "marginals", 0, e)) < 0)
			return (int)g;
		if ((r->row_sum && (ret = put_f64(g, "row_sum", r->row_sum, 1, r->n, 0, e))) ||
		    (r->col_sum && (ret = put_f64(g, "col_sum", r->col_sum, 1, r->m, 0, e))) ||
		    (r->scaling && (ret = put_f64(g, "scaling", r->scaling, 1, r->n, 0, e))))
			goto done;
		scuot_h5_close(g);
	}
	/* snapshots */
	if ((g = scuot_h5_group(f, "snapshots", 0, e)) < 0)
		return (int)g;
	for (int k = 0; k < r->n_snap; k++) {
		const scuot_ot_snapshot *s = &r->snap[k];
		char name[32];
		snprintf(name, sizeof name, "%d", k);
		hid_t h = scuot_h5_group(g, name, 0, e);
		if (h < 0) {
			ret = (int)h;
			goto done;
		}
		ret = put_scalar(h, "s", s->s, e);
		if (!ret)
			ret = put_f64(h, "x", s->x, 2, s->np, r->d, e);
		if (!ret)
			ret = put_f64(h, "w", s->w, 1, s->np, 0, e);
		if (!ret && s->ancestor)
			ret = put_i64(h, "ancestor", s->ancestor, 1, s->np, e);
		scuot_h5_close(h);
		if (ret)
			goto done;
	}
	scuot_h5_close(g);
	/* trained model parameters */
	if (r->n_model > 0) {
		if ((g = scuot_h5_group(f, "model", 0, e)) < 0)
			return (int)g;
		for (int k = 0; k < r->n_model; k++)
			if ((ret = put_f64(g, r->model[k].name, r->model[k].v, 2, r->model[k].r, r->model[k].c, e)))
				goto done;
		scuot_h5_close(g);
	}
	/* diagnostics */
	if ((g = scuot_h5_group(f, "diagnostics", 0, e)) < 0)
		return (int)g;
	int64_t conv = r->converged;
	if ((ret = put_i64(g, "iterations", &r->iterations, 0, 0, e)) || (ret = put_i64(g, "converged", &conv, 0, 0, e)) ||
	    (ret = put_scalar(g, "objective", r->objective, e)) ||
	    (ret = put_scalar(g, "transport_cost", r->transport_cost, e)) ||
	    (ret = put_scalar(g, "marginal_error_source", r->marg_err_a, e)) ||
	    (ret = put_scalar(g, "marginal_error_target", r->marg_err_b, e)) ||
	    (ret = put_scalar(g, "seconds", r->seconds, e)))
		goto done;
	if (r->n_curve > 0 && ((ret = put_curve(g, "curve", r->curve, r->n_curve, r->curve_name, e)) ||
	                       (r->curve2 && (ret = put_curve(g, "curve2", r->curve2, r->n_curve, r->curve2_name, e)))))
		goto done;
done:
	scuot_h5_close(g);
	return ret;
}

static int write_result(hid_t f, const void *ctx, scuot_err *e)
{
	return write_body(f, (const scuot_ot_result *)ctx, e);
}

int scuot_result_write(const char *path, const scuot_ot_result *r, scuot_err *e)
{
	scuot_h5_quiet();
	return scuot_h5_write_file(path, write_result, r, e);
}

/* ---- reading ---- */

/* Numeric dataset path under loc into a new array (double, or int64 when is_int) of exactly want elements
 * (want < 0: any number). */
static int get_num(hid_t loc, const char *path, int64_t want, int is_int, void **out, scuot_err *e)
{
	hid_t d = scuot_h5_dopen(loc, path, e);
	int64_t n;
	int ret;
	if (d < 0)
		return (int)d;
	ret = is_int ? scuot_h5_read_i64(d, (int64_t **)out, &n, e) : scuot_h5_read_f64(d, (double **)out, &n, e);
	if (!ret && want >= 0 && n != want) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, loc, path, "holds %lld values, expected %lld", (long long)n,
		                   (long long)want);
		free(*out);
		*out = NULL;
	}
	scuot_h5_close(d);
	return ret;
}

static int get_f64(hid_t loc, const char *path, int64_t want, double **out, scuot_err *e)
{
	return get_num(loc, path, want, 0, (void **)out, e);
}

static int get_i64(hid_t loc, const char *path, int64_t want, int64_t **out, scuot_err *e)
{
	return get_num(loc, path, want, 1, (void **)out, e);
}

static int get_scalar(hid_t loc, const char *path, double *v, scuot_err *e)
{
	double *p = NULL;
	int ret = get_f64(loc, path, 1, &p, e);
	if (!ret)
		*v = p[0];
	free(p);
	return ret;
}

static int get_i64_scalar(hid_t loc, const char *path, int64_t *v, scuot_err *e)
{
	int64_t *p = NULL;
	int ret = get_i64(loc, path, 1, &p, e);
	if (!ret)
		*v = p[0];
	free(p);
	return ret;
}

/* A scalar string dataset into a new string. */
static int get_str(hid_t loc, const char *path, char **out, scuot_err *e)
{
	hid_t d = scuot_h5_dopen(loc, path, e);
	char **s = NULL;
	int64_t n = 0;
	int ret;
	if (d < 0)
		return (int)d;
	ret = scuot_h5_read_strs(d, &s, &n, e);
	scuot_h5_close(d);
	if (ret)
		return ret;
	if (n != 1) {
		scuot_strs_free(s, n);
		return scuot_h5_err(e, SCUOT_EINPUT, loc, path, "is not one string");
	}
	*out = s[0];
	free(s);
	return 0;
}

static int get_strv(hid_t loc, const char *path, int64_t want, scuot_strv *v, scuot_err *e)
{
	hid_t d = scuot_h5_dopen(loc, path, e);
	char **s = NULL;
	int64_t n = 0;
	int ret;
	if (d < 0)
		return (int)d;
	ret = scuot_h5_read_strs(d, &s, &n, e);
	if (!ret && n != want)
		ret = scuot_h5_err(e, SCUOT_EINPUT, loc, path, "holds %lld names, expected %lld", (long long)n,
		                   (long long)want);
	scuot_h5_close(d);
	if (ret) {
		scuot_strs_free(s, n);
		return ret;
	}
	v->a = s, v->n = v->m = n;
	return 0;
}

/* A curve (want values, or any number when want < 0) and its name (into label, 32 bytes). */
static int get_curve(hid_t g, const char *name, int64_t want, double **out, int64_t *n, char *label, scuot_err *e)
{
	char *s = NULL;
	hid_t d = scuot_h5_dopen(g, name, e);
	int ret;
	if (d < 0)
		return (int)d;
	ret = scuot_h5_read_f64(d, out, n, e);
	if (!ret && want >= 0 && *n != want)
		ret = scuot_h5_err(e, SCUOT_EINPUT, g, name, "holds %lld values, expected %lld", (long long)*n,
		                   (long long)want);
	if (!ret && (ret = scuot_h5_attr_str(d, "name", &s, e)) == 0 && s)
		snprintf(label, 32, "%s", s);
	free(s);
	scuot_h5_close(d);
	return ret;
}

/* Parameter names read from a file, owned by the result (r->owned_names). */
typedef struct names_block {
	char **names;
	int64_t n;
} names_block;

static int read_body(hid_t f, const char *path, const char *method, scuot_ot_result *r, names_block *nb,
                     scuot_err *e)
{
	char *fmt = NULL, *meth = NULL, *s = NULL;
	int64_t ver[1] = { 0 };
	int nver = 0, ret;
	hid_t g = -1;
	if ((ret = scuot_h5_attr_str(f, "format", &fmt, e)))
		return ret;
	if (!fmt || strcmp(fmt, SCUOT_RESULT_FORMAT)) {
		free(fmt);
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: not a scuot transport result (no root attribute format = \"%s\"); "
		                     "give a file written by scuot-transport",
		                     path, SCUOT_RESULT_FORMAT);
	}
	free(fmt);
	if ((ret = scuot_h5_attr_i64s(f, "format_version", ver, 1, &nver, e)))
		return ret;
	if (nver != 1 || ver[0] != SCUOT_RESULT_VERSION)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: transport result format version %lld, this scuot reads version %d; "
		                     "rerun scuot-transport with this version",
		                     path, nver ? (long long)ver[0] : -1LL, SCUOT_RESULT_VERSION);
	if ((ret = scuot_h5_attr_str(f, "method", &meth, e)))
		return ret;
	if (!meth)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: no method attribute", path);
	if (method && strcmp(meth, method)) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: holds a result of method %s, expected %s", path, meth, method);
		free(meth);
		return ret;
	}
	snprintf(r->method, sizeof r->method, "%s", meth);
	free(meth);
	if ((ret = scuot_h5_attr_str(f, "scuot_version", &r->version, e)))
		return ret;
	/* params */
	{
		double *vals = NULL;
		hid_t d = scuot_h5_dopen(f, "/params/names", e);
		if (d < 0)
			return (int)d;
		ret = scuot_h5_read_strs(d, &nb->names, &nb->n, e);
		scuot_h5_close(d);
		if (ret)
			return ret;
		if (nb->n > SCUOT_OT_MAX_PARAMS)
			return scuot_h5_err(e, SCUOT_EINPUT, f, "/params/names", "more than %d parameters",
			                    SCUOT_OT_MAX_PARAMS);
		if ((ret = get_f64(f, "/params/values", nb->n, &vals, e)))
			return ret;
		r->n_params = (int)nb->n;
		for (int k = 0; k < r->n_params; k++)
			r->param_names[k] = nb->names[k], r->params[k] = vals[k];
		free(vals);
	}
	/* problem */
	if ((g = scuot_h5_gopen(f, "/problem", e)) < 0)
		return (int)g;
	hid_t dx = scuot_h5_dopen(g, "x", e), dy = -1;
	int rank;
	int64_t dims[SCUOT_H5_MAXRANK], dimy[SCUOT_H5_MAXRANK];
	if (dx < 0) {
		ret = (int)dx;
		goto done;
	}
	ret = scuot_h5_shape(dx, &rank, dims, e);
	scuot_h5_close(dx);
	if (!ret && rank != 2)
		ret = scuot_h5_err(e, SCUOT_EINPUT, g, "x", "is not 2-D");
	if (ret || (dy = scuot_h5_dopen(g, "y", e)) < 0) {
		ret = ret ? ret : (int)dy;
		goto done;
	}
	ret = scuot_h5_shape(dy, &rank, dimy, e);
	scuot_h5_close(dy);
	if (!ret && (rank != 2 || dimy[1] != dims[1]))
		ret = scuot_h5_err(e, SCUOT_EINPUT, g, "y", "is not 2-D with %lld columns", (long long)dims[1]);
	if (ret)
		goto done;
	r->n = dims[0], r->d = dims[1], r->m = dimy[0];
	r->pi.n = r->n, r->pi.m = r->m;
	if (r->n < 1 || r->m < 1 || r->d < 1 || r->n > INT32_MAX || r->m > INT32_MAX || r->d > (1 << 20)) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, g, NULL, "source %lld x %lld, target %lld points: empty or too large",
		                   (long long)r->n, (long long)r->d, (long long)r->m);
		goto done;
	}
	int64_t seed = 0;
	if ((ret = get_scalar(g, "t0", &r->t0, e)) || (ret = get_scalar(g, "t1", &r->t1, e)) ||
	    (ret = get_scalar(g, "cost_scale", &r->cost_scale, e)) || (ret = get_scalar(g, "delta", &r->delta, e)) ||
	    (ret = get_i64_scalar(g, "seed", &seed, e)) || (ret = get_f64(g, "x", r->n * r->d, &r->x, e)) ||
	    (ret = get_f64(g, "y", r->m * r->d, &r->y, e)) || (ret = get_f64(g, "a", r->n, &r->a, e)) ||
	    (ret = get_f64(g, "b", r->m, &r->b, e)) || (ret = get_str(g, "embedding", &r->embedding, e)) ||
	    (ret = get_str(g, "input", &r->input, e)) || (ret = get_str(g, "command", &r->cmdline, e)))
		goto done;
	r->seed = (uint64_t)seed;
	if ((ret = get_str(g, "cost", &s, e)))
		goto done;
	r->cost = scuot_cost_kind_parse(s);
	free(s);
	s = NULL;
	if ((ret = get_str(g, "cost_norm", &s, e)))
		goto done;
	r->cost_norm = scuot_cost_norm_parse(s);
	free(s);
	s = NULL;
	if (r->cost < 0 || r->cost_norm < 0 || !(r->cost_scale > 0)) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, g, NULL, "unknown cost, cost normalisation or scale");
		goto done;
	}
	if (scuot_h5_exists(g, "source_ids") &&
	    ((ret = get_strv(g, "source_ids", r->n, &r->source_ids, e)) ||
	     (ret = get_strv(g, "target_ids", r->m, &r->target_ids, e))))
		goto done;
	scuot_h5_close(g);
	/* coupling */
	if ((g = scuot_h5_gopen(f, "/coupling", e)) < 0)
		return (int)g;
	if ((ret = scuot_h5_attr_str(g, "kind", &s, e)))
		goto done;
	scuot_coupling *c = &r->pi;
	if (s && !strcmp(s, "dense")) {
		c->kind = SCUOT_COUPLING_DENSE;
		ret = get_f64(g, "dense", r->n * r->m, &c->dense, e);
	} else if (s && !strcmp(s, "sparse")) {
		c->kind = SCUOT_COUPLING_SPARSE;
		if ((ret = get_i64(g, "indptr", r->n + 1, &c->indptr, e)) || (ret = get_i64_scalar(g, "topk", &c->topk, e)) ||
		    (ret = get_scalar(g, "kept_mass", &c->kept_mass, e)))
			goto done;
		int64_t nnz = c->indptr[r->n];
		for (int64_t i = 0; i < r->n; i++)
			if (c->indptr[i] > c->indptr[i + 1] || c->indptr[0] != 0) {
				ret = scuot_h5_err(e, SCUOT_EINPUT, g, "indptr", "is not non-decreasing from 0");
				goto done;
			}
		hid_t d = scuot_h5_dopen(g, "indices", e);
		if (d < 0) {
			ret = (int)d;
			goto done;
		}
		int64_t len = 0;
		if (!(ret = scuot_h5_len(d, &len, e)) && len != nnz)
			ret = scuot_h5_err(e, SCUOT_EINPUT, g, "indices", "holds %lld values, indptr says %lld",
			                   (long long)len, (long long)nnz);
		if (!ret && !(c->indices = scuot_alloc((size_t)nnz, sizeof(int32_t), 0, "coupling indices", e)))
			ret = e->code;
		if (!ret)
			ret = scuot_h5_read_idx32(d, c->indices, nnz, r->m, e);
		scuot_h5_close(d);
		if (ret || (ret = get_f64(g, "data", nnz, &c->data, e)))
			goto done;
	} else if (s && !strcmp(s, "none")) {
		c->kind = SCUOT_COUPLING_NONE;
	} else {
		ret = scuot_h5_err(e, SCUOT_EINPUT, g, NULL, "attribute kind is '%s', not dense, sparse or none",
		                   s ? s : "(absent)");
	}
	free(s);
	s = NULL;
	if (ret)
		goto done;
	scuot_h5_close(g);
	g = -1;
	if (scuot_h5_exists(f, "/dual") &&
	    ((ret = get_scalar(f, "/dual/eps", &r->eps, e)) || (ret = get_f64(f, "/dual/f", r->n, &r->f, e)) ||
	     (ret = get_f64(f, "/dual/g", r->m, &r->g, e))))
		goto done;
	if ((scuot_h5_exists(f, "/marginals/row_sum") && (ret = get_f64(f, "/marginals/row_sum", r->n, &r->row_sum, e))) ||
	    (scuot_h5_exists(f, "/marginals/col_sum") && (ret = get_f64(f, "/marginals/col_sum", r->m, &r->col_sum, e))) ||
	    (scuot_h5_exists(f, "/marginals/scaling") && (ret = get_f64(f, "/marginals/scaling", r->n, &r->scaling, e))))
		goto done;
	/* snapshots */
	if ((g = scuot_h5_gopen(f, "/snapshots", e)) < 0)
		return (int)g;
	{
		char **names = NULL;
		int64_t ns = 0;
		if ((ret = scuot_h5_list(g, &names, &ns, e)))
			goto done;
		scuot_strs_free(names, ns);
		if (ns > 0 && !(r->snap = calloc((size_t)ns, sizeof *r->snap))) {
			ret = scuot_err_set(e, SCUOT_ENOMEM, "out of memory");
			goto done;
		}
		for (int64_t k = 0; k < ns; k++) {
			char name[64];
			scuot_ot_snapshot *sn = &r->snap[k];
			r->n_snap = (int)k + 1;
			snprintf(name, sizeof name, "%lld/x", (long long)k);
			hid_t d = scuot_h5_dopen(g, name, e);
			if (d < 0) {
				ret = (int)d;
				goto done;
			}
			ret = scuot_h5_shape(d, &rank, dims, e);
			scuot_h5_close(d);
			if (!ret && (rank != 2 || dims[1] != r->d))
				ret = scuot_h5_err(e, SCUOT_EINPUT, g, name, "is not 2-D with %lld columns", (long long)r->d);
			if (ret)
				goto done;
			if (dims[0] > INT32_MAX) {
				ret = scuot_h5_err(e, SCUOT_EINPUT, g, name, "too many particles");
				goto done;
			}
			sn->np = dims[0];
			if ((ret = get_f64(g, name, sn->np * r->d, &sn->x, e)))
				goto done;
			snprintf(name, sizeof name, "%lld/w", (long long)k);
			if ((ret = get_f64(g, name, sn->np, &sn->w, e)))
				goto done;
			snprintf(name, sizeof name, "%lld/s", (long long)k);
			if ((ret = get_scalar(g, name, &sn->s, e)))
				goto done;
			snprintf(name, sizeof name, "%lld/ancestor", (long long)k);
			if (scuot_h5_exists(g, name) && (ret = get_i64(g, name, sn->np, &sn->ancestor, e)))
				goto done;
		}
	}
	scuot_h5_close(g);
	g = -1;
	/* trained model parameters */
	if (scuot_h5_exists(f, "/model")) {
		char **names = NULL;
		int64_t nm = 0;
		if ((g = scuot_h5_gopen(f, "/model", e)) < 0)
			return (int)g;
		if ((ret = scuot_h5_list(g, &names, &nm, e)))
			goto done;
		for (int64_t k = 0; k < nm && !ret; k++) {
			double *v = NULL;
			hid_t d = scuot_h5_dopen(g, names[k], e);
			if (d < 0) {
				ret = (int)d;
				break;
			}
			ret = scuot_h5_shape(d, &rank, dims, e);
			scuot_h5_close(d);
			if (!ret && (rank != 2 || dims[0] < 1 || dims[1] < 1 || strlen(names[k]) >= 64))
				ret = scuot_h5_err(e, SCUOT_EINPUT, g, names[k], "is not a 2-D model parameter");
			if (!ret)
				ret = get_f64(g, names[k], dims[0] * dims[1], &v, e);
			if (!ret)
				ret = scuot_ot_result_add_array(r, names[k], dims[0], dims[1], v, e);
			free(v);
		}
		scuot_strs_free(names, nm);
		if (ret)
			goto done;
		scuot_h5_close(g);
	}
	/* diagnostics */
	if ((g = scuot_h5_gopen(f, "/diagnostics", e)) < 0)
		return (int)g;
	int64_t conv = 0;
	if ((ret = get_i64_scalar(g, "iterations", &r->iterations, e)) || (ret = get_i64_scalar(g, "converged", &conv, e)) ||
	    (ret = get_scalar(g, "objective", &r->objective, e)) ||
	    (ret = get_scalar(g, "transport_cost", &r->transport_cost, e)) ||
	    (ret = get_scalar(g, "marginal_error_source", &r->marg_err_a, e)) ||
	    (ret = get_scalar(g, "marginal_error_target", &r->marg_err_b, e)) ||
	    (ret = get_scalar(g, "seconds", &r->seconds, e)))
		goto done;
	r->converged = (int)conv;
	if (scuot_h5_exists(g, "curve")) {
		int64_t nc = 0;
		if ((ret = get_curve(g, "curve", -1, &r->curve, &nc, r->curve_name, e)))
			goto done;
		r->n_curve = (int)nc;
		if (scuot_h5_exists(g, "curve2") && (ret = get_curve(g, "curve2", nc, &r->curve2, &nc, r->curve2_name, e)))
			goto done;
	}
done:
	free(s);
	scuot_h5_close(g);
	return ret;
}

/* Read an open file f (closed here) named path. */
static int read_file(hid_t f, const char *path, const char *method, scuot_ot_result **out, scuot_err *e)
{
	scuot_ot_result *r = calloc(1, sizeof *r);
	names_block nb = { 0 };
	int ret;
	if (!r) {
		scuot_h5_close(f);
		return scuot_err_set(e, SCUOT_ENOMEM, "out of memory");
	}
	ret = read_body(f, path, method, r, &nb, e);
	scuot_h5_close(f);
	if (ret) {
		scuot_strs_free(nb.names, nb.n);
		r->n_params = 0;
		scuot_ot_result_free(r);
		return ret;
	}
	r->owned_names = nb.names, r->n_owned_names = nb.n;
	*out = r;
	return 0;
}

int scuot_result_read(const char *path, const char *method, scuot_ot_result **out, scuot_err *e)
{
	hid_t f;
	*out = NULL;
	scuot_h5_quiet();
	if ((f = scuot_h5_open(path, e)) < 0)
		return (int)f;
	return read_file(f, path, method, out, e);
}

int scuot_result_read_mem(const void *buf, size_t len, const char *label, const char *method,
                          scuot_ot_result **out, scuot_err *e)
{
	hid_t f;
	*out = NULL;
	scuot_h5_quiet();
	if ((f = scuot_h5_open_mem(buf, len, label ? label : "(memory)", e)) < 0)
		return (int)f;
	return read_file(f, label ? label : "(memory)", method, out, e);
}
