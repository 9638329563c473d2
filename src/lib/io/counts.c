/* counts.c -- reading a count matrix in any supported format (see counts.h).
 * Detection by directory, extension, then HDF5 layout; every reader's output is checked the same way. */
#include <float.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "io/counts.h"
#include "io/h5ad.h"
#include "io/h5util_internal.h"
#include "io/loom.h"
#include "io/mtx.h"
#include "io/stream.h"
#include "io/tenx.h"
#include "io/text.h"

void scuot_counts_opts_init(scuot_counts_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = SCUOT_FMT_AUTO;
	o->orient = SCUOT_TEXT_AUTO;
}

static const char *const format_names[] = { "auto", "mtx", "10x-h5", "h5ad", "loom", "text" };

const char *scuot_counts_format_name(int format)
{
	return format >= 0 && format <= SCUOT_FMT_TEXT ? format_names[format] : "unknown";
}

int scuot_counts_format_parse(const char *name)
{
	for (int f = 0; f <= SCUOT_FMT_TEXT; f++)
		if (strcasecmp(name, format_names[f]) == 0)
			return f;
	if (!strcasecmp(name, "csv") || !strcasecmp(name, "tsv"))
		return SCUOT_FMT_TEXT;
	return -1;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

int scuot_counts_detect(const char *path, int *format, scuot_err *e)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		/* a 10x prefix such as dir/sampleA_ names no file itself */
		char probe[4096];
		snprintf(probe, sizeof probe, "%smatrix.mtx.gz", path);
		if (stat(probe, &st) == 0 || (snprintf(probe, sizeof probe, "%smatrix.mtx", path), stat(probe, &st) == 0)) {
			*format = SCUOT_FMT_MTX;
			return 0;
		}
		return scuot_err_sys(e, SCUOT_EINPUT, "%s: cannot read input", path);
	}
	if (S_ISDIR(st.st_mode)) {
		*format = SCUOT_FMT_MTX;
		return 0;
	}
	if (ends_with(path, ".h5ad")) *format = SCUOT_FMT_H5AD;
	else if (ends_with(path, ".loom")) *format = SCUOT_FMT_LOOM;
	else if (ends_with(path, ".h5") || ends_with(path, ".hdf5")) *format = SCUOT_FMT_TENX;
	else if (ends_with(path, ".csv") || ends_with(path, ".tsv") || ends_with(path, ".txt") ||
	         ends_with(path, ".csv.gz") || ends_with(path, ".tsv.gz") || ends_with(path, ".txt.gz"))
		*format = SCUOT_FMT_TEXT;
	else {
		/* an HDF5 file of another name: tell the layouts apart by their top-level objects */
		scuot_err ignored = { 0 };
		hid_t h = scuot_h5_open(path, &ignored);
		if (h < 0)
			return scuot_err_set(e, SCUOT_EINPUT,
			                     "%s: cannot tell the format; name it with --format (mtx, 10x-h5, h5ad, loom, text) "
			                     "or use a known extension (.h5ad, .h5, .loom, .csv, .tsv)", path);
		if (scuot_h5_exists(h, "obs")) *format = SCUOT_FMT_H5AD;
		else if (scuot_h5_exists(h, "row_attrs")) *format = SCUOT_FMT_LOOM;
		else *format = SCUOT_FMT_TENX;
		scuot_h5_close(h);
	}
	return 0;
}

/* Values must be finite and non-negative counts. */
static int check_counts(const char *path, const scuot_adata *a, scuot_err *e)
{
	const scuot_csr *x = a->X;
	if (!x)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: the file has no count matrix (X)", path);
	if (a->n_obs == 0 || a->n_var == 0 || x->nnz == 0)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: the count matrix is empty (%lld cells x %lld genes, %lld nonzero "
		                     "entries)", path, (long long)a->n_obs, (long long)a->n_var, (long long)x->nnz);
	/* one branch-free pass (vectorised, threaded); the slow search only runs on failure */
	int bad = 0;
	const float *v = x->data;
#pragma omp parallel for reduction(| : bad) schedule(static)
	for (int64_t k = 0; k < x->nnz; k++)
		bad |= !(v[k] >= 0.0f && v[k] <= FLT_MAX);
	if (!bad)
		return 0;
	for (int64_t i = 0; i < x->nrow; i++)
		for (int64_t k = x->indptr[i]; k < x->indptr[i + 1]; k++)
			if (!(v[k] >= 0.0f && v[k] <= FLT_MAX))
				return scuot_err_set(e, SCUOT_EINPUT, "%s: cell '%s', gene '%s': value %g is not a count "
				                     "(negative, NaN or infinite)", path, a->obs.index[i],
				                     a->var.index[x->indices[k]], x->data[k]);
	return 0;
}

int scuot_counts_read(const char *path, const scuot_counts_opts *o, scuot_adata **out, scuot_err *e)
{
	int fmt = o->format, ret;
	scuot_stream *s = NULL;
	*out = NULL;
	if (fmt == SCUOT_FMT_AUTO && (ret = scuot_counts_detect(path, &fmt, e)))
		return ret;
	switch (fmt) {
	case SCUOT_FMT_MTX: ret = scuot_mtx_read_dir(path, out, e); break;
	case SCUOT_FMT_TENX: ret = scuot_tenx_read(path, o->genome, out, e); break;
	case SCUOT_FMT_LOOM: ret = scuot_loom_read(path, o->layer, out, e); break;
	case SCUOT_FMT_H5AD:
		ret = scuot_h5ad_read(path, SCUOT_H5AD_ALL, out, e);
		if (!ret && o->layer) {
			scuot_adata *a = *out;
			int k;
			for (k = 0; k < a->n_layers && strcmp(a->layers[k].key, o->layer); k++)
				;
			if (k == a->n_layers) {
				ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no layer '%s' (the file has %d layers)", path, o->layer,
				                    a->n_layers);
			} else {
				scuot_csr_free(a->X);
				a->X = a->layers[k].c;
				a->layers[k].c = NULL;
				free(a->layers[k].key);
				a->layers[k] = a->layers[--a->n_layers];
			}
		}
		break;
	case SCUOT_FMT_TEXT:
		if (!(s = scuot_stream_open(path, e)))
			return e->code;
		ret = scuot_text_read_counts(s, o->orient, out, e);
		scuot_stream_close(s);
		break;
	default: return scuot_err_set(e, SCUOT_EUSAGE, "unknown input format %d", fmt);
	}
	if (!ret)
		ret = check_counts(path, *out, e);
	if (ret) {
		scuot_adata_free(*out);
		*out = NULL;
	}
	return ret;
}
