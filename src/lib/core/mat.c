/* mat.c -- dense and CSR matrices, checked allocation and string vectors.
 * See mat.h for layouts and ownership. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/mat.h"

#define BIG_ALLOC ((size_t)32 << 20)
#define BIG_ALIGN ((size_t)2 << 20)

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
static size_t alloc_cap = (size_t)1 << 30;
#else
static size_t alloc_cap = SIZE_MAX;
#endif

void scuot_set_alloc_cap(size_t bytes) { alloc_cap = bytes ? bytes : SIZE_MAX; }
size_t scuot_alloc_cap(void) { return alloc_cap; }

static int size_ok(size_t n, size_t size, size_t *bytes, const char *what, scuot_err *e)
{
	if (size && n > SIZE_MAX / size)
		return scuot_err_set(e, SCUOT_ELIMIT, "%s: %zu x %zu bytes overflows the address space",
		                     what, n, size);
	*bytes = n * size;
	if (*bytes > alloc_cap)
		return scuot_err_set(e, SCUOT_ELIMIT, "%s: would need %.3g GB, above the %.3g GB allocation cap",
		                     what, *bytes / 1e9, alloc_cap / 1e9);
	return 0;
}

void *scuot_alloc(size_t n, size_t size, int zero, const char *what, scuot_err *e)
{
	size_t bytes = 0;
	void *p;
	if (size_ok(n, size, &bytes, what, e))
		return NULL;
	if (bytes == 0)
		bytes = 1;
	if (bytes >= BIG_ALLOC) {
		/* Large arrays (count matrices) on 2 MiB boundaries with transparent huge pages: first touch
		 * then costs one fault per 2 MiB instead of per 4 KiB page, which dominated reading an h5ad. */
		if (posix_memalign(&p, BIG_ALIGN, bytes) != 0)
			p = NULL;
#ifdef MADV_HUGEPAGE
		if (p)
			madvise(p, bytes, MADV_HUGEPAGE);
#endif
		if (p && zero)
			memset(p, 0, bytes);
	} else {
		p = zero ? calloc(1, bytes) : malloc(bytes);
	}
	if (!p)
		scuot_err_set(e, SCUOT_ENOMEM, "%s: cannot allocate %.3g GB", what, bytes / 1e9);
	return p;
}

void *scuot_realloc(void *p, size_t n, size_t size, const char *what, scuot_err *e)
{
	size_t bytes = 0;
	void *q;
	if (size_ok(n, size, &bytes, what, e))
		return NULL;
	q = realloc(p, bytes ? bytes : 1);
	if (!q)
		scuot_err_set(e, SCUOT_ENOMEM, "%s: cannot allocate %.3g GB", what, bytes / 1e9);
	return q;
}

scuot_mat *scuot_mat_new(int64_t nrow, int64_t ncol, scuot_err *e)
{
	scuot_mat *m;
	if (nrow < 0 || ncol < 0) {
		scuot_err_set(e, SCUOT_EINTERNAL, "negative matrix dimension %lld x %lld",
		              (long long)nrow, (long long)ncol);
		return NULL;
	}
	if (ncol && (uint64_t)nrow > SIZE_MAX / (uint64_t)ncol) {
		scuot_err_set(e, SCUOT_ELIMIT, "dense matrix %lld x %lld is too large", (long long)nrow,
		              (long long)ncol);
		return NULL;
	}
	if (!(m = scuot_alloc(1, sizeof *m, 1, "matrix", e)))
		return NULL;
	m->nrow = nrow, m->ncol = ncol;
	if (!(m->data = scuot_alloc((size_t)nrow * (size_t)ncol, sizeof(double), 1, "dense matrix", e))) {
		free(m);
		return NULL;
	}
	return m;
}

void scuot_mat_free(scuot_mat *m)
{
	if (!m)
		return;
	free(m->data);
	free(m);
}

scuot_mat *scuot_mat_dup(const scuot_mat *m, scuot_err *e)
{
	scuot_mat *d = scuot_mat_new(m->nrow, m->ncol, e);
	if (d)
		memcpy(d->data, m->data, (size_t)m->nrow * (size_t)m->ncol * sizeof(double));
	return d;
}

scuot_csr *scuot_csr_new(int64_t nrow, int64_t ncol, int64_t nnz, scuot_err *e)
{
	scuot_csr *c;
	if (nrow < 0 || ncol < 0 || nnz < 0 || ncol > INT32_MAX) {
		scuot_err_set(e, SCUOT_ELIMIT, "sparse matrix %lld x %lld with %lld entries is out of range",
		              (long long)nrow, (long long)ncol, (long long)nnz);
		return NULL;
	}
	if (!(c = scuot_alloc(1, sizeof *c, 1, "sparse matrix", e)))
		return NULL;
	c->nrow = nrow, c->ncol = ncol, c->nnz = nnz;
	c->indptr = scuot_alloc((size_t)nrow + 1, sizeof(int64_t), 1, "sparse row pointers", e);
	c->indices = c->indptr ? scuot_alloc((size_t)nnz, sizeof(int32_t), 0, "sparse indices", e) : NULL;
	c->data = c->indices ? scuot_alloc((size_t)nnz, sizeof(float), 0, "sparse values", e) : NULL;
	if (!c->data) {
		scuot_csr_free(c);
		return NULL;
	}
	return c;
}

void scuot_csr_free(scuot_csr *c)
{
	if (!c)
		return;
	free(c->indptr);
	free(c->indices);
	free(c->data);
	free(c);
}

size_t scuot_csr_bytes(const scuot_csr *c)
{
	return (size_t)(c->nrow + 1) * sizeof(int64_t) + (size_t)c->nnz * (sizeof(int32_t) + sizeof(float));
}

scuot_csr *scuot_csr_dup(const scuot_csr *c, scuot_err *e)
{
	scuot_csr *d = scuot_csr_new(c->nrow, c->ncol, c->nnz, e);
	if (!d)
		return NULL;
	memcpy(d->indptr, c->indptr, (size_t)(c->nrow + 1) * sizeof(int64_t));
	memcpy(d->indices, c->indices, (size_t)c->nnz * sizeof(int32_t));
	memcpy(d->data, c->data, (size_t)c->nnz * sizeof(float));
	return d;
}

int scuot_csr_check(const scuot_csr *c, scuot_err *e)
{
	if (c->indptr[0] != 0 || c->indptr[c->nrow] != c->nnz)
		return scuot_err_set(e, SCUOT_EINPUT, "row pointers run from %lld to %lld, expected 0 to %lld",
		                     (long long)c->indptr[0], (long long)c->indptr[c->nrow], (long long)c->nnz);
	for (int64_t i = 0; i < c->nrow; i++) {
		int64_t lo = c->indptr[i], hi = c->indptr[i + 1];
		if (hi < lo || hi > c->nnz)
			return scuot_err_set(e, SCUOT_EINPUT, "row %lld: row pointers decrease or exceed nnz",
			                     (long long)i);
		for (int64_t k = lo; k < hi; k++) {
			if (c->indices[k] < 0 || c->indices[k] >= c->ncol)
				return scuot_err_set(e, SCUOT_EINPUT, "row %lld: column index %d out of range [0, %lld)",
				                     (long long)i, c->indices[k], (long long)c->ncol);
			if (k > lo && c->indices[k] <= c->indices[k - 1])
				return scuot_err_set(e, SCUOT_EINPUT,
				                     "row %lld: column indices not strictly increasing (%d after %d)",
				                     (long long)i, c->indices[k], c->indices[k - 1]);
			if (!isfinite(c->data[k]))
				return scuot_err_set(e, SCUOT_EINPUT, "row %lld, column %d: value is not finite",
				                     (long long)i, c->indices[k]);
		}
	}
	return 0;
}

/* Insertion sort for short rows, heap-free merge sort for long ones. */
static void sort_row(int32_t *idx, float *val, int64_t n, int32_t *ti, float *tv)
{
	if (n < 32) {
		for (int64_t i = 1; i < n; i++) {
			int32_t ki = idx[i];
			float kv = val[i];
			int64_t j = i;
			while (j > 0 && idx[j - 1] > ki) {
				idx[j] = idx[j - 1], val[j] = val[j - 1];
				j--;
			}
			idx[j] = ki, val[j] = kv;
		}
		return;
	}
	int64_t h = n / 2;
	sort_row(idx, val, h, ti, tv);
	sort_row(idx + h, val + h, n - h, ti, tv);
	int64_t a = 0, b = h, k = 0;
	while (a < h && b < n) {
		if (idx[a] <= idx[b])
			ti[k] = idx[a], tv[k++] = val[a++];
		else
			ti[k] = idx[b], tv[k++] = val[b++];
	}
	while (a < h)
		ti[k] = idx[a], tv[k++] = val[a++];
	while (b < n)
		ti[k] = idx[b], tv[k++] = val[b++];
	memcpy(idx, ti, n * sizeof *idx);
	memcpy(val, tv, n * sizeof *val);
}

int scuot_csr_sort_rows(scuot_csr *c, scuot_err *e)
{
	int64_t maxlen = 0;
	for (int64_t i = 0; i < c->nrow; i++)
		if (c->indptr[i + 1] - c->indptr[i] > maxlen)
			maxlen = c->indptr[i + 1] - c->indptr[i];
	int32_t *ti = scuot_alloc((size_t)maxlen, sizeof *ti, 0, "sort buffer", e);
	float *tv = ti ? scuot_alloc((size_t)maxlen, sizeof *tv, 0, "sort buffer", e) : NULL;
	int ret = 0;
	if (!tv) {
		free(ti);
		return e ? e->code : SCUOT_ENOMEM;
	}
	for (int64_t i = 0; i < c->nrow && !ret; i++) {
		int64_t lo = c->indptr[i], n = c->indptr[i + 1] - lo;
		int sorted = 1;
		for (int64_t k = 1; k < n && sorted; k++)
			sorted = c->indices[lo + k - 1] < c->indices[lo + k];
		if (!sorted)
			sort_row(c->indices + lo, c->data + lo, n, ti, tv);
		for (int64_t k = 1; k < n; k++)
			if (c->indices[lo + k - 1] == c->indices[lo + k]) {
				ret = scuot_err_set(e, SCUOT_EINPUT, "duplicate entry at row %lld, column %d",
				                    (long long)i, c->indices[lo + k]);
				break;
			}
	}
	free(ti);
	free(tv);
	return ret;
}

scuot_csr *scuot_csr_transpose(const scuot_csr *c, scuot_err *e)
{
	if (c->nrow > INT32_MAX) {
		scuot_err_set(e, SCUOT_ELIMIT, "cannot transpose: %lld rows exceed 32-bit column indices",
		              (long long)c->nrow);
		return NULL;
	}
	scuot_csr *t = scuot_csr_new(c->ncol, c->nrow, c->nnz, e);
	if (!t)
		return NULL;
	for (int64_t k = 0; k < c->nnz; k++)
		t->indptr[c->indices[k] + 1]++;
	for (int64_t j = 0; j < t->nrow; j++)
		t->indptr[j + 1] += t->indptr[j];
	int64_t *next = scuot_alloc((size_t)t->nrow + 1, sizeof *next, 0, "transpose buffer", e);
	if (!next) {
		scuot_csr_free(t);
		return NULL;
	}
	memcpy(next, t->indptr, (size_t)(t->nrow + 1) * sizeof *next);
	for (int64_t i = 0; i < c->nrow; i++)
		for (int64_t k = c->indptr[i]; k < c->indptr[i + 1]; k++) {
			int64_t p = next[c->indices[k]]++;
			t->indices[p] = (int32_t)i;
			t->data[p] = c->data[k];
		}
	free(next);
	return t;
}

scuot_csr *scuot_csr_select_rows(const scuot_csr *c, const int64_t *keep, int64_t nkeep, scuot_err *e)
{
	int64_t nnz = 0;
	for (int64_t r = 0; r < nkeep; r++) {
		if (keep[r] < 0 || keep[r] >= c->nrow) {
			scuot_err_set(e, SCUOT_EINTERNAL, "row %lld out of range", (long long)keep[r]);
			return NULL;
		}
		nnz += c->indptr[keep[r] + 1] - c->indptr[keep[r]];
	}
	scuot_csr *s = scuot_csr_new(nkeep, c->ncol, nnz, e);
	if (!s)
		return NULL;
	for (int64_t r = 0, p = 0; r < nkeep; r++) {
		int64_t lo = c->indptr[keep[r]], n = c->indptr[keep[r] + 1] - lo;
		memcpy(s->indices + p, c->indices + lo, n * sizeof(int32_t));
		memcpy(s->data + p, c->data + lo, n * sizeof(float));
		p += n;
		s->indptr[r + 1] = p;
	}
	return s;
}

int scuot_csr_keep_rows(scuot_csr *c, const int64_t *keep, int64_t nkeep, scuot_err *e)
{
	int64_t p = 0;
	for (int64_t r = 0; r < nkeep; r++)
		if (keep[r] < 0 || keep[r] >= c->nrow || (r && keep[r] <= keep[r - 1]))
			return scuot_err_set(e, SCUOT_EINTERNAL, "rows to keep must be increasing and in range");
	for (int64_t r = 0; r < nkeep; r++) {
		int64_t lo = c->indptr[keep[r]], n = c->indptr[keep[r] + 1] - lo;
		if (p != lo) {
			memmove(c->indices + p, c->indices + lo, n * sizeof(int32_t));
			memmove(c->data + p, c->data + lo, n * sizeof(float));
		}
		p += n;
		c->indptr[r + 1] = p;
	}
	c->indptr[0] = 0;
	c->nrow = nkeep;
	c->nnz = p;
	/* give the tail back; failure to shrink is harmless */
	int32_t *ix = realloc(c->indices, (p ? p : 1) * sizeof(int32_t));
	float *v = realloc(c->data, (p ? p : 1) * sizeof(float));
	int64_t *ip = realloc(c->indptr, (nkeep + 1) * sizeof(int64_t));
	if (ix)
		c->indices = ix;
	if (v)
		c->data = v;
	if (ip)
		c->indptr = ip;
	return 0;
}

scuot_mat *scuot_csr_to_dense(const scuot_csr *c, scuot_err *e)
{
	scuot_mat *m = scuot_mat_new(c->nrow, c->ncol, e);
	if (!m)
		return NULL;
	for (int64_t i = 0; i < c->nrow; i++)
		for (int64_t k = c->indptr[i]; k < c->indptr[i + 1]; k++)
			m->data[i * c->ncol + c->indices[k]] = c->data[k];
	return m;
}

char *scuot_strdup(const char *s, scuot_err *e)
{
	size_t n = strlen(s);
	char *d = scuot_alloc(n + 1, 1, 0, "string", e);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

int scuot_strv_push(scuot_strv *v, const char *s, int64_t len, scuot_err *e)
{
	if (len < 0)
		len = (int64_t)strlen(s);
	if (v->n == v->m) {
		int64_t m = v->m ? v->m + (v->m >> 1) : 16;
		char **a = scuot_realloc(v->a, (size_t)m, sizeof *a, "string list", e);
		if (!a)
			return SCUOT_ENOMEM;
		v->a = a, v->m = m;
	}
	char *d = scuot_alloc((size_t)len + 1, 1, 0, "string", e);
	if (!d)
		return SCUOT_ENOMEM;
	memcpy(d, s, (size_t)len);
	d[len] = 0;
	v->a[v->n++] = d;
	return 0;
}

void scuot_strv_clear(scuot_strv *v)
{
	if (!v)
		return;
	scuot_strs_free(v->a, v->n);
	v->a = NULL, v->n = v->m = 0;
}

char **scuot_strv_release(scuot_strv *v, int64_t *n)
{
	char **a = v->a;
	if (n)
		*n = v->n;
	v->a = NULL, v->n = v->m = 0;
	return a;
}

void scuot_strs_free(char **a, int64_t n)
{
	if (!a)
		return;
	for (int64_t i = 0; i < n; i++)
		free(a[i]);
	free(a);
}
