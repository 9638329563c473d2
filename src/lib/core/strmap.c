/* strmap.c -- string -> int64 hash map with linear probing (see strmap.h).
 * FNV-1a hashing; the table is kept at most half full. */
#include <stdlib.h>
#include <string.h>

#include "core/mat.h"
#include "core/strmap.h"

struct scuot_strmap {
	int64_t n, cap; /* cap is a power of two */
	const char **keys;
	int64_t *vals;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ^ (h >> 29);
}

scuot_strmap *scuot_strmap_new(int64_t n, scuot_err *e)
{
	scuot_strmap *m = scuot_alloc(1, sizeof *m, 1, "hash map", e);
	if (!m)
		return NULL;
	m->cap = 16;
	while (m->cap < 2 * n)
		m->cap <<= 1;
	m->keys = scuot_alloc((size_t)m->cap, sizeof *m->keys, 1, "hash map", e);
	m->vals = m->keys ? scuot_alloc((size_t)m->cap, sizeof *m->vals, 0, "hash map", e) : NULL;
	if (!m->vals) {
		scuot_strmap_free(m);
		return NULL;
	}
	return m;
}

void scuot_strmap_free(scuot_strmap *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->vals);
	free(m);
}

static int64_t slot(const scuot_strmap *m, const char *key)
{
	int64_t i = (int64_t)(hash(key) & (uint64_t)(m->cap - 1));
	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int grow(scuot_strmap *m, scuot_err *e)
{
	scuot_strmap g = { 0, m->cap * 2, NULL, NULL };
	g.keys = scuot_alloc((size_t)g.cap, sizeof *g.keys, 1, "hash map", e);
	g.vals = g.keys ? scuot_alloc((size_t)g.cap, sizeof *g.vals, 0, "hash map", e) : NULL;
	if (!g.vals) {
		free(g.keys);
		return SCUOT_ENOMEM;
	}
	for (int64_t i = 0; i < m->cap; i++)
		if (m->keys[i]) {
			int64_t j = slot(&g, m->keys[i]);
			g.keys[j] = m->keys[i];
			g.vals[j] = m->vals[i];
		}
	free(m->keys);
	free(m->vals);
	m->keys = g.keys, m->vals = g.vals, m->cap = g.cap;
	return 0;
}

int scuot_strmap_put(scuot_strmap *m, const char *key, int64_t value, int64_t *old, scuot_err *e)
{
	if (2 * (m->n + 1) > m->cap && grow(m, e))
		return SCUOT_ENOMEM;
	int64_t i = slot(m, key);
	if (m->keys[i]) {
		if (old)
			*old = m->vals[i];
		return 1;
	}
	m->keys[i] = key;
	m->vals[i] = value;
	m->n++;
	return 0;
}

int64_t scuot_strmap_get(const scuot_strmap *m, const char *key)
{
	int64_t i = slot(m, key);
	return m->keys[i] ? m->vals[i] : -1;
}

scuot_strmap *scuot_strmap_index(char *const *labels, int64_t n, const char *what, scuot_err *e)
{
	scuot_strmap *m = scuot_strmap_new(n, e);
	if (!m)
		return NULL;
	for (int64_t i = 0; i < n; i++) {
		int64_t old;
		int r = scuot_strmap_put(m, labels[i], i, &old, e);
		if (r == 1)
			scuot_err_set(e, SCUOT_EINPUT, "%s: duplicate '%s' at positions %lld and %lld", what, labels[i],
			              (long long)old + 1, (long long)i + 1);
		if (r) {
			scuot_strmap_free(m);
			return NULL;
		}
	}
	return m;
}
