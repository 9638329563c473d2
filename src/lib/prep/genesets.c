/* genesets.c -- gene sets from .gmt files (MSigDB's Gene Matrix Transposed format) and
 * Waddington-OT's mean z-score of a set per cell (wot.score_gene_sets, method 'mean_z_score'). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "core/strmap.h"
#include "prep/prep.h"
#include "prep/prep_internal.h"

void scuot_genesets_free(scuot_genesets *gs)
{
	if (!gs)
		return;
	for (int i = 0; i < gs->n; i++) {
		free(gs->sets[i].name);
		free(gs->sets[i].desc);
		free(gs->sets[i].genes);
	}
	free(gs->sets);
	memset(gs, 0, sizeof *gs);
}

const scuot_geneset *scuot_genesets_find(const scuot_genesets *gs, const char *name)
{
	for (int i = 0; i < gs->n; i++)
		if (strcasecmp(gs->sets[i].name, name) == 0)
			return &gs->sets[i];
	return NULL;
}

/* Lower-cased copies of the labels (NULL entries stay NULL). */
static char **lower_labels(char *const *names, int64_t n, scuot_err *e)
{
	char **l = scuot_alloc((size_t)(n ? n : 1), sizeof *l, 1, "gene names", e);
	if (!l)
		return NULL;
	for (int64_t g = 0; g < n; g++) {
		if (!names[g])
			continue;
		if (!(l[g] = scuot_strdup(names[g], e))) {
			scuot_strs_free(l, g);
			return NULL;
		}
		for (char *c = l[g]; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	return l;
}

/* Map of lower-cased labels to gene positions; the first of repeated labels wins. */
static scuot_strmap *label_map(char **low, int64_t n, scuot_err *e)
{
	scuot_strmap *m = scuot_strmap_new(n, e);
	for (int64_t g = 0; m && g < n; g++)
		if (low[g] && scuot_strmap_put(m, low[g], g, NULL, e) < 0) {
			scuot_strmap_free(m);
			return NULL;
		}
	return m;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

int scuot_gmt_read(const char *path, char *const *names1, char *const *names2, int64_t ngenes,
                   scuot_genesets *out, scuot_err *e)
{
	gzFile fp = NULL;
	char *line = NULL, **low1 = NULL, **low2 = NULL;
	size_t cap = 0;
	scuot_strmap *m1 = NULL, *m2 = NULL;
	int64_t lineno = 0;
	int ret = 0;
	memset(out, 0, sizeof *out);
	if (!(fp = gzopen(path, "rb"))) {
		ret = scuot_err_sys(e, SCUOT_EINPUT, "%s: cannot open the gene-set file", path);
		goto done;
	}
	if (!(low1 = lower_labels(names1, ngenes, e)) || !(m1 = label_map(low1, ngenes, e)) ||
	    (names2 && (!(low2 = lower_labels(names2, ngenes, e)) || !(m2 = label_map(low2, ngenes, e))))) {
		ret = e->code;
		goto done;
	}
	for (;;) {
		size_t len = 0;
		int eof = 0;
		/* read one whole line, however long */
		for (;;) {
			if (cap - len < 4096) {
				char *t = scuot_realloc(line, cap + 65536, 1, "gene-set line", e);
				if (!t) {
					ret = e->code;
					goto done;
				}
				line = t, cap += 65536;
			}
			if (!gzgets(fp, line + len, (int)(cap - len))) {
				int zerr;
				const char *msg = gzerror(fp, &zerr);
				if (zerr != Z_OK && zerr != Z_STREAM_END) {
					ret = scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: read error: %s",
					                    path, (long long)lineno + 1,
					                    zerr == Z_ERRNO ? strerror(errno) : msg);
					goto done;
				}
				eof = 1;
				break;
			}
			len += strlen(line + len);
			if (len > 0 && line[len - 1] == '\n')
				break;
		}
		if (eof && len == 0)
			break;
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (len == 0 || line[0] == '#')
			continue;
		if (memchr(line, 0, len) || strlen(line) != len) {
			ret = scuot_err_set(e, SCUOT_EINPUT,
			                    "%s: line %lld: contains a NUL byte; is this a .gmt text file?",
			                    path, (long long)lineno);
			goto done;
		}
		/* fields: name, description, genes... */
		char *fields[2] = {NULL, NULL}, *p = line;
		int nf = 0;
		while (nf < 2) {
			char *tab = strchr(p, '\t');
			fields[nf++] = p;
			if (!tab) {
				p = NULL;
				break;
			}
			*tab = 0;
			p = tab + 1;
		}
		if (nf < 2 || !p || !*p) {
			ret = scuot_err_set(e, SCUOT_EINPUT,
			                    "%s: line %lld: a .gmt line needs a set name, a description and "
			                    "at least one gene, "
			                    "separated by tabs",
			                    path, (long long)lineno);
			goto done;
		}
		if (!*fields[0]) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: empty gene-set name", path,
			                    (long long)lineno);
			goto done;
		}
		if (scuot_genesets_find(out, fields[0])) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: gene set '%s' is defined twice",
			                    path, (long long)lineno, fields[0]);
			goto done;
		}
		if (out->n == out->m) {
			int nm = out->m ? 2 * out->m : 16;
			scuot_geneset *t = scuot_realloc(out->sets, (size_t)nm, sizeof *t, "gene sets", e);
			if (!t) {
				ret = e->code;
				goto done;
			}
			out->sets = t, out->m = nm;
		}
		scuot_geneset *s = &out->sets[out->n++];
		memset(s, 0, sizeof *s);
		int64_t ntok = 1;
		for (const char *c = p; *c; c++)
			ntok += *c == '\t';
		if (!(s->name = scuot_strdup(fields[0], e)) || !(s->desc = scuot_strdup(fields[1], e)) ||
		    !(s->genes = scuot_alloc((size_t)ntok, sizeof *s->genes, 0, "gene set", e))) {
			ret = e->code;
			goto done;
		}
		int64_t listed = 0, unknown = 0;
		char *save = NULL;
		for (char *tok = strtok_r(p, "\t", &save); tok; tok = strtok_r(NULL, "\t", &save)) {
			while (*tok == ' ')
				tok++;
			size_t tl = strlen(tok);
			while (tl > 0 && tok[tl - 1] == ' ')
				tok[--tl] = 0;
			if (!*tok)
				continue;
			for (char *c = tok; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			int64_t g = m2 ? scuot_strmap_get(m2, tok) : -1;
			if (g < 0)
				g = scuot_strmap_get(m1, tok);
			listed++;
			if (g < 0)
				unknown++;
			else
				s->genes[s->n++] = (int32_t)g;
		}
		if (listed == 0) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld: gene set '%s' lists no genes",
			                    path, (long long)lineno, s->name);
			goto done;
		}
		/* a gene listed twice counts once */
		qsort(s->genes, (size_t)s->n, sizeof *s->genes, cmp_i32);
		int64_t k = 0;
		for (int64_t j = 0; j < s->n; j++)
			if (k == 0 || s->genes[k - 1] != s->genes[j])
				s->genes[k++] = s->genes[j];
		listed -= s->n - k;
		s->n = k;
		s->n_listed = listed;
		s->n_unknown = unknown;
	}
	if (out->n == 0)
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no gene sets in the file", path);
done:
	if (fp)
		gzclose(fp);
	free(line);
	scuot_strs_free(low1, low1 ? ngenes : 0);
	scuot_strs_free(low2, low2 ? ngenes : 0);
	scuot_strmap_free(m1);
	scuot_strmap_free(m2);
	if (ret)
		scuot_genesets_free(out);
	return ret;
}

int scuot_geneset_score(const scuot_csr *X, const scuot_geneset *gs, double max_z, double *score,
                        scuot_err *e)
{
	int64_t n = X->nrow, p = X->ncol;
	double *s1 = NULL, *s2 = NULL, *mu = NULL, *isd = NULL, base = 0;
	uint8_t *in = NULL;
	int ret = 0;
	if (gs->n == 0)
		return scuot_err_set(e, SCUOT_EINPUT, "gene set '%s': none of its %lld genes is in the data",
		                     gs->name, (long long)gs->n_listed);
	if (!(s1 = scuot_alloc((size_t)p, sizeof *s1, 0, "set scores", e)) ||
	    !(s2 = scuot_alloc((size_t)p, sizeof *s2, 0, "set scores", e)) ||
	    !(mu = scuot_alloc((size_t)p, sizeof *mu, 1, "set scores", e)) ||
	    !(isd = scuot_alloc((size_t)p, sizeof *isd, 1, "set scores", e)) ||
	    !(in = scuot_alloc((size_t)p, 1, 1, "set scores", e)) ||
	    prep_col_stats(X, NULL, 0, 0, NULL, s1, s2, NULL, e)) {
		ret = e->code;
		goto done;
	}
	/* z = (x - mean) / std (ddof 0), clipped; a constant gene's z is NaN in WOT, set to 0 there */
	for (int64_t j = 0; j < gs->n; j++) {
		int32_t g = gs->genes[j];
		double m = s1[g] / n, v = s2[g] / n - m * m;
		in[g] = 1;
		mu[g] = m;
		isd[g] = v > 0 ? 1 / sqrt(v) : 0;
		double z0 = -m * isd[g];
		base += z0 < -max_z ? -max_z : z0;
	}
#pragma omp parallel for schedule(static)
	for (int64_t i = 0; i < n; i++) {
		double s = base;
		for (int64_t k = X->indptr[i]; k < X->indptr[i + 1]; k++) {
			int32_t g = X->indices[k];
			if (!in[g] || X->data[k] == 0)
				continue;
			double z0 = -mu[g] * isd[g], z = (X->data[k] - mu[g]) * isd[g];
			z0 = z0 < -max_z ? -max_z : z0;
			z = z > max_z ? max_z : z < -max_z ? -max_z : z;
			s += z - z0;
		}
		score[i] = s / (double)gs->n;
	}
done:
	free(s1);
	free(s2);
	free(mu);
	free(isd);
	free(in);
	return ret;
}
