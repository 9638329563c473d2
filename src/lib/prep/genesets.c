/* genesets.c -- gene sets from .gmt, .gmx or .grp files (io/sets.h) matched to the genes of the data, and
 * Waddington-OT's mean z-score of a set per cell (wot.score_gene_sets, method 'mean_z_score'). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/strmap.h"
#include "io/sets.h"
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
		if (gs->sets[i].unknown_names)
			scuot_strs_free(gs->sets[i].unknown_names, SCUOT_GENESET_MAX_UNKNOWN);
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
	scuot_sets raw = { 0 };
	char **low1 = NULL, **low2 = NULL;
	scuot_strmap *m1 = NULL, *m2 = NULL;
	int ret = 0;
	memset(out, 0, sizeof *out);
	if ((ret = scuot_sets_read(path, SCUOT_SETS_AUTO, &raw, e)))
		return ret;
	if (!(low1 = lower_labels(names1, ngenes, e)) || !(m1 = label_map(low1, ngenes, e)) ||
	    (names2 && (!(low2 = lower_labels(names2, ngenes, e)) || !(m2 = label_map(low2, ngenes, e)))) ||
	    !(out->sets = scuot_alloc((size_t)raw.n, sizeof *out->sets, 1, "gene sets", e))) {
		ret = e->code;
		goto done;
	}
	out->m = raw.n;
	for (int i = 0; i < raw.n; i++) {
		scuot_set *r = &raw.sets[i];
		scuot_geneset *s = &out->sets[out->n++];
		s->name = r->name, s->desc = r->desc, r->name = r->desc = NULL;
		if (!(s->genes = scuot_alloc((size_t)r->n, sizeof *s->genes, 0, "gene set", e)) ||
		    !(s->unknown_names = scuot_alloc(SCUOT_GENESET_MAX_UNKNOWN, sizeof *s->unknown_names, 1,
		                                     "gene set", e))) {
			ret = e->code;
			goto done;
		}
		for (int64_t k = 0; k < r->n; k++) {
			char *tok = r->members[k], *low = scuot_strdup(tok, e);
			if (!low) {
				ret = e->code;
				goto done;
			}
			for (char *c = low; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			int64_t g = m2 ? scuot_strmap_get(m2, low) : -1;
			if (g < 0)
				g = scuot_strmap_get(m1, low);
			free(low);
			if (g >= 0) {
				s->genes[s->n++] = (int32_t)g;
				continue;
			}
			/* an unknown name listed twice counts once */
			int64_t u;
			for (u = 0; u < s->n_unknown && u < SCUOT_GENESET_MAX_UNKNOWN; u++)
				if (!strcasecmp(s->unknown_names[u], tok))
					break;
			if (u < s->n_unknown && u < SCUOT_GENESET_MAX_UNKNOWN)
				continue;
			if (s->n_unknown < SCUOT_GENESET_MAX_UNKNOWN) {
				if (!(s->unknown_names[s->n_unknown] = scuot_strdup(tok, e))) {
					ret = e->code;
					goto done;
				}
			}
			s->n_unknown++;
		}
		/* a gene listed twice counts once */
		qsort(s->genes, (size_t)s->n, sizeof *s->genes, cmp_i32);
		int64_t k = 0;
		for (int64_t j = 0; j < s->n; j++)
			if (k == 0 || s->genes[k - 1] != s->genes[j])
				s->genes[k++] = s->genes[j];
		s->n = k;
		s->n_listed = k + s->n_unknown;
	}
done:
	scuot_sets_free(&raw);
	scuot_strs_free(low1, low1 ? ngenes : 0);
	scuot_strs_free(low2, low2 ? ngenes : 0);
	scuot_strmap_free(m1);
	scuot_strmap_free(m2);
	if (ret)
		scuot_genesets_free(out);
	return ret;
}

int scuot_genesets_unknown_list(const scuot_geneset *s, char *buf, size_t len)
{
	int64_t shown = s->n_unknown < SCUOT_GENESET_MAX_UNKNOWN ? s->n_unknown : SCUOT_GENESET_MAX_UNKNOWN;
	size_t used = 0;
	buf[0] = 0;
	for (int64_t u = 0; u < shown && used + 1 < len; u++) {
		int w = snprintf(buf + used, len - used, "%s%s", u ? ", " : "", s->unknown_names[u]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (s->n_unknown > shown && used + 1 < len)
		snprintf(buf + used, len - used, ", ... (%lld more)", (long long)(s->n_unknown - shown));
	return (int)shown;
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
