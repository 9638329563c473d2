/* stream.c -- line and byte reading from plain or gzip-compressed files and memory buffers.
 * gzip is detected by its magic bytes and inflated by zlib (every member of a multi-member file),
 * for large files in a background thread; lines point into one growing buffer, so a line costs one
 * memchr and no allocation. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/mat.h"
#include "io/stream.h"

#define IN_CAP ((size_t)1 << 20)   /* compressed bytes read from a file at a time */
#define BUF_CAP ((size_t)1 << 20)  /* initial size of the decompressed buffer */
#define MAX_LINE ((size_t)1 << 30) /* default longest line */
#define NONE SIZE_MAX
#define DEFLATE_MAX_RATIO 1032 /* one byte of deflate data never yields more than this */
#define NSLOT 4                /* chunks in flight between the inflating thread and the reader */
#define SLOT_CAP ((size_t)4 << 20)
#define THREAD_MIN ((int64_t)8 << 20) /* gzip files from this size are inflated in a thread */

/* Background inflation: the thread fills slots in order, the reader copies them out in order.
 * A slot with len 0 ends the stream: code 0 at the clean end, else the error in err. */
typedef struct slot {
	char *data;
	size_t len, pos;
	int ready, code;
} slot;

typedef struct inflater {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	slot sl[NSLOT];
	int head, tail, stop;
	scuot_err err;
} inflater;

/*  buf:  [consumed | beg ... current data ... end | free ... cap] + 1 spare byte for a NUL
 *  Lines are returned in place: the '\n' (or the byte after the last line) becomes the NUL. */
struct scuot_stream {
	char *name;
	int fd; /* -1 for memory input */
	const unsigned char *mem;
	size_t mem_len;
	uint64_t src_pos; /* raw (possibly compressed) bytes taken from the source */
	int64_t src_size; /* raw size, -1 if unknown */
	int src_eof;      /* the source has no more raw bytes */
	int gz, zinit, in_member;
	z_stream zs;
	unsigned char *in; /* compressed chunk read from a file */
	char *buf;
	size_t cap, beg, end;
	size_t nul; /* offset of the first NUL byte in [beg, end), NONE if there is none */
	int eof;    /* no more bytes will be appended to buf */
	int err;    /* sticky error code */
	int64_t lineno;
	size_t max_line;
	inflater *th; /* running background inflation, or NULL */
	int threaded; /* use a background thread for this stream */
};

/* Raw bytes from the file or memory into dst: count, 0 at end, or a negative code. */
static int64_t src_read(scuot_stream *s, void *dst, size_t n, scuot_err *e)
{
	if (s->fd < 0) {
		size_t k = s->mem_len - s->src_pos < n ? s->mem_len - s->src_pos : n;
		memcpy(dst, s->mem + s->src_pos, k);
		s->src_pos += k;
		return (int64_t)k;
	}
	if (n > ((size_t)1 << 30))
		n = (size_t)1 << 30;
	for (;;) {
		ssize_t r = read(s->fd, dst, n);
		if (r >= 0) {
			s->src_pos += (uint64_t)r;
			return r;
		}
		if (errno != EINTR)
			return scuot_err_sys(e, SCUOT_EINPUT, "%s: read failed", s->name);
	}
}

/* More compressed input for zlib: count, 0 at end of the source, or a negative code. */
static int64_t src_more(scuot_stream *s, scuot_err *e)
{
	if (s->fd < 0) {
		size_t k = s->mem_len - s->src_pos;
		if (k > ((size_t)1 << 30))
			k = (size_t)1 << 30;
		s->zs.next_in = (unsigned char *)(uintptr_t)(s->mem + s->src_pos);
		s->zs.avail_in = (uInt)k;
		s->src_pos += k;
		return (int64_t)k;
	}
	int64_t r = src_read(s, s->in, IN_CAP, e);
	if (r > 0) {
		s->zs.next_in = s->in;
		s->zs.avail_in = (uInt)r;
	}
	return r;
}

static int gz_corrupt(scuot_stream *s, scuot_err *e)
{
	uint64_t at = s->src_pos - s->zs.avail_in;
	return scuot_err_set(e, SCUOT_EINPUT,
	                     "%s: corrupt gzip data near byte %llu (%s); the file is damaged: "
	                     "re-create or re-download it",
	                     s->name, (unsigned long long)at, s->zs.msg ? s->zs.msg : "invalid deflate data");
}

/* Inflate into dst[0..room): bytes written, 0 at the clean end of the last member, or a negative
 * code.  Between members, zero bytes (tape padding, as gzip tolerates) are skipped. */
static int64_t inflate_into(scuot_stream *s, char *dst, size_t room, scuot_err *e)
{
	if (room > UINT_MAX)
		room = UINT_MAX;
	for (;;) {
		if (s->zs.avail_in == 0 && !s->src_eof) {
			int64_t r = src_more(s, e);
			if (r < 0)
				return r;
			if (r == 0)
				s->src_eof = 1;
		}
		if (s->zs.avail_in == 0 && s->src_eof) {
			if (s->in_member)
				return scuot_err_set(e, SCUOT_EINPUT,
				                     "%s: gzip stream is truncated (unexpected end of "
				                     "file); the file is incomplete: re-create or "
				                     "re-download it",
				                     s->name);
			return 0;
		}
		if (!s->in_member) {
			while (s->zs.avail_in && *s->zs.next_in == 0)
				s->zs.next_in++, s->zs.avail_in--;
			if (s->zs.avail_in == 0)
				continue;
			if (inflateReset(&s->zs) != Z_OK)
				return gz_corrupt(s, e);
			s->in_member = 1;
		}
		s->zs.next_out = (unsigned char *)dst;
		s->zs.avail_out = (uInt)room;
		int ret = inflate(&s->zs, Z_NO_FLUSH);
		size_t got = room - s->zs.avail_out;
		if (ret == Z_STREAM_END)
			s->in_member = 0;
		else if (ret == Z_MEM_ERROR)
			return scuot_err_set(e, SCUOT_ENOMEM, "%s: out of memory while decompressing",
			                     s->name);
		else if (ret != Z_OK && ret != Z_BUF_ERROR)
			return gz_corrupt(s, e);
		if (got)
			return (int64_t)got;
	}
}

static void *inflater_main(void *arg)
{
	scuot_stream *s = arg;
	inflater *t = s->th;
	for (;;) {
		slot *sl = &t->sl[t->tail];
		pthread_mutex_lock(&t->mu);
		while (sl->ready && !t->stop)
			pthread_cond_wait(&t->cv, &t->mu);
		int stop = t->stop;
		pthread_mutex_unlock(&t->mu);
		if (stop)
			break;
		int64_t r = inflate_into(s, sl->data, SLOT_CAP, &t->err);
		pthread_mutex_lock(&t->mu);
		sl->len = r > 0 ? (size_t)r : 0;
		sl->pos = 0;
		sl->code = r < 0 ? (int)r : 0;
		sl->ready = 1;
		t->tail = (t->tail + 1) % NSLOT;
		pthread_cond_broadcast(&t->cv);
		pthread_mutex_unlock(&t->mu);
		if (r <= 0)
			break;
	}
	return NULL;
}

static void inflater_free(inflater *t)
{
	for (int k = 0; k < NSLOT; k++)
		free(t->sl[k].data);
	free(t);
}

/* Stop and join the background thread, if any. */
static void inflater_stop(scuot_stream *s)
{
	inflater *t = s->th;
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->th, NULL);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	inflater_free(t);
	s->th = NULL;
}

/* Start the background thread: 0, or -1 (the caller then inflates in place). */
static int inflater_start(scuot_stream *s)
{
	inflater *t = scuot_alloc(1, sizeof *t, 1, "inflate thread", NULL);
	if (!t)
		return -1;
	for (int k = 0; k < NSLOT; k++)
		if (!(t->sl[k].data = scuot_alloc(SLOT_CAP, 1, 0, "inflate buffer", NULL))) {
			inflater_free(t);
			return -1;
		}
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	s->th = t;
	if (pthread_create(&t->th, NULL, inflater_main, s) != 0) {
		pthread_mutex_destroy(&t->mu);
		pthread_cond_destroy(&t->cv);
		inflater_free(t);
		s->th = NULL;
		return -1;
	}
	return 0;
}

/* Copy the next inflated bytes from the thread's slots into dst[0..room). */
static int64_t inflater_take(scuot_stream *s, char *dst, size_t room, scuot_err *e)
{
	inflater *t = s->th;
	slot *sl = &t->sl[t->head];
	pthread_mutex_lock(&t->mu);
	while (!sl->ready)
		pthread_cond_wait(&t->cv, &t->mu);
	pthread_mutex_unlock(&t->mu);
	if (sl->len == 0) { /* end or error: the slot stays, so later calls repeat the answer */
		if (sl->code < 0)
			scuot_err_set(e, t->err.code, "%s", t->err.msg);
		return sl->code;
	}
	size_t k = sl->len - sl->pos < room ? sl->len - sl->pos : room;
	memcpy(dst, sl->data + sl->pos, k);
	sl->pos += k;
	if (sl->pos == sl->len) {
		pthread_mutex_lock(&t->mu);
		sl->ready = 0;
		t->head = (t->head + 1) % NSLOT;
		pthread_cond_broadcast(&t->cv);
		pthread_mutex_unlock(&t->mu);
	}
	return (int64_t)k;
}

/* Append decompressed bytes to buf (end < cap): count, 0 at the end, or a negative code. */
static int64_t fill(scuot_stream *s, scuot_err *e)
{
	size_t old = s->end;
	int64_t r;
	if (s->gz) {
		if (s->threaded && !s->th && inflater_start(s) < 0)
			s->threaded = 0; /* no thread: inflate in place */
		r = s->th ? inflater_take(s, s->buf + s->end, s->cap - s->end, e)
		          : inflate_into(s, s->buf + s->end, s->cap - s->end, e);
		if (r > 0)
			s->end += (size_t)r;
	} else if (s->src_eof) {
		r = 0;
	} else {
		r = src_read(s, s->buf + s->end, s->cap - s->end, e);
		if (r > 0)
			s->end += (size_t)r;
		else if (r == 0)
			s->src_eof = 1;
	}
	if (r > 0 && s->nul == NONE) {
		char *z = memchr(s->buf + old, 0, (size_t)r);
		if (z)
			s->nul = (size_t)(z - s->buf);
	}
	return r;
}

/* Read the first raw bytes and decide between gzip and plain text. */
static int stream_start(scuot_stream *s, scuot_err *e)
{
	inflater_stop(s);
	s->beg = s->end = 0;
	s->nul = NONE;
	s->eof = s->src_eof = s->in_member = 0;
	s->err = 0;
	s->lineno = 0;
	s->src_pos = 0;
	s->zs.avail_in = 0;
	s->zs.next_in = NULL;
	if (s->fd < 0) {
		s->gz = s->mem_len >= 2 && s->mem[0] == 0x1f && s->mem[1] == 0x8b;
	} else {
		size_t n = 0;
		while (n < 2) {
			int64_t r = src_read(s, s->buf + n, s->cap - n, e);
			if (r < 0)
				return (int)r;
			if (r == 0) {
				s->src_eof = 1;
				break;
			}
			n += (size_t)r;
		}
		s->gz = n >= 2 && (unsigned char)s->buf[0] == 0x1f && (unsigned char)s->buf[1] == 0x8b;
		if (!s->gz) {
			s->end = n;
			char *z = memchr(s->buf, 0, n);
			s->nul = z ? (size_t)(z - s->buf) : NONE;
		} else {
			if (!s->in && !(s->in = scuot_alloc(IN_CAP, 1, 0, "gzip input buffer", e)))
				return SCUOT_ENOMEM;
			memcpy(s->in, s->buf, n);
			s->zs.next_in = s->in;
			s->zs.avail_in = (uInt)n;
		}
	}
	if (s->gz) {
		s->threaded = s->fd >= 0 && (s->src_size < 0 || s->src_size >= THREAD_MIN);
		if (!s->zinit) {
			if (inflateInit2(&s->zs, 15 + 32) != Z_OK)
				return scuot_err_set(e, SCUOT_ENOMEM, "%s: cannot initialise zlib", s->name);
			s->zinit = 1;
		}
		if (s->fd < 0) {
			s->zs.avail_in = 0;
			s->zs.next_in = NULL;
		}
	}
	return 0;
}

static scuot_stream *stream_new(const char *name, scuot_err *e)
{
	scuot_stream *s = scuot_alloc(1, sizeof *s, 1, "stream", e);
	if (!s)
		return NULL;
	s->fd = -1;
	s->max_line = MAX_LINE;
	s->cap = BUF_CAP;
	s->name = scuot_strdup(name ? name : "(memory)", e);
	s->buf = s->name ? scuot_alloc(s->cap + 1, 1, 0, "stream buffer", e) : NULL;
	if (!s->buf) {
		scuot_stream_close(s);
		return NULL;
	}
	return s;
}

scuot_stream *scuot_stream_open(const char *path, scuot_err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		scuot_err_sys(e, SCUOT_EINPUT, "%s: cannot open", path);
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		scuot_err_sys(e, SCUOT_EINPUT, "%s: cannot stat", path);
		close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		scuot_err_set(e, SCUOT_EINPUT, "%s: is a directory, expected a file", path);
		close(fd);
		return NULL;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	scuot_stream *s = stream_new(path, e);
	if (!s) {
		close(fd);
		return NULL;
	}
	s->fd = fd;
	s->src_size = S_ISREG(st.st_mode) && st.st_size > 0 ? (int64_t)st.st_size : -1;
	if (stream_start(s, e) < 0) {
		scuot_stream_close(s);
		return NULL;
	}
	return s;
}

scuot_stream *scuot_stream_open_mem(const void *buf, size_t len, const char *name, scuot_err *e)
{
	scuot_stream *s = stream_new(name, e);
	if (!s)
		return NULL;
	s->mem = len ? buf : (const unsigned char *)"";
	s->mem_len = len;
	s->src_size = (int64_t)len;
	if (stream_start(s, e) < 0) {
		scuot_stream_close(s);
		return NULL;
	}
	return s;
}

int scuot_stream_rewind(scuot_stream *s, scuot_err *e)
{
	if (s->fd >= 0 && lseek(s->fd, 0, SEEK_SET) != 0)
		return scuot_err_sys(e, SCUOT_EINPUT,
		                     "%s: cannot go back to the start for a second pass "
		                     "(a pipe?); give a regular file",
		                     s->name);
	int ret = stream_start(s, e);
	if (ret < 0)
		s->err = ret;
	return ret;
}

static int line_too_long(scuot_stream *s, scuot_err *e)
{
	if (s->max_line == MAX_LINE)
		return scuot_err_set(e, SCUOT_EINPUT,
		                     "%s: line %lld is longer than 1 GiB; is this a text file?", s->name,
		                     (long long)s->lineno + 1);
	return scuot_err_set(e, SCUOT_EINPUT, "%s: line %lld is longer than %zu bytes; is this a text file?",
	                     s->name, (long long)s->lineno + 1, s->max_line);
}

int scuot_stream_getline(scuot_stream *s, char **line, size_t *len, scuot_err *e)
{
	size_t scan = s->beg, stop, next;
	char *nl;
	if (s->err)
		return scuot_err_set(e, s->err, "%s: reading after an earlier error", s->name);
	for (;;) {
		nl = s->end > scan ? memchr(s->buf + scan, '\n', s->end - scan) : NULL;
		if (nl)
			break;
		scan = s->end;
		if (s->end - s->beg > s->max_line)
			return s->err = line_too_long(s, e);
		if (s->eof) {
			if (s->beg == s->end)
				return 0;
			break;
		}
		if (s->beg > 0) {
			memmove(s->buf, s->buf + s->beg, s->end - s->beg);
			scan -= s->beg, s->end -= s->beg;
			if (s->nul != NONE)
				s->nul -= s->beg;
			s->beg = 0;
		}
		if (s->end == s->cap) {
			size_t cap = s->cap * 2 < s->max_line + 2 ? s->cap * 2 : s->max_line + 2;
			if (cap <= s->cap)
				cap = s->cap + 1;
			char *b = scuot_realloc(s->buf, cap + 1, 1, "line buffer", e);
			if (!b)
				return s->err = e ? e->code : SCUOT_ENOMEM;
			s->buf = b, s->cap = cap;
		}
		int64_t r = fill(s, e);
		if (r < 0)
			return s->err = (int)r;
		if (r == 0)
			s->eof = 1;
	}
	stop = nl ? (size_t)(nl - s->buf) : s->end;
	next = nl ? stop + 1 : stop;
	size_t n = stop - s->beg;
	if (n > s->max_line)
		return s->err = line_too_long(s, e);
	s->lineno++;
	if (s->nul < stop)
		return s->err = scuot_err_set(e, SCUOT_EINPUT,
		                              "%s: line %lld contains a NUL byte; this is not a "
		                              "text file (binary or damaged data?)",
		                              s->name, (long long)s->lineno);
	if (n && s->buf[stop - 1] == '\r')
		n--;
	s->buf[s->beg + n] = 0;
	*line = s->buf + s->beg;
	*len = n;
	s->beg = next;
	return 1;
}

int64_t scuot_stream_read(scuot_stream *s, void *buf, size_t n, scuot_err *e)
{
	if (s->err)
		return scuot_err_set(e, s->err, "%s: reading after an earlier error", s->name);
	if (n == 0)
		return 0;
	if (s->beg == s->end) {
		if (s->eof)
			return 0;
		s->beg = s->end = 0;
		s->nul = NONE;
		int64_t r = fill(s, e);
		if (r < 0)
			return s->err = (int)r;
		if (r == 0) {
			s->eof = 1;
			return 0;
		}
	}
	size_t k = s->end - s->beg < n ? s->end - s->beg : n;
	memcpy(buf, s->buf + s->beg, k);
	s->beg += k;
	if (s->nul != NONE && s->nul < s->beg) {
		char *z = memchr(s->buf + s->beg, 0, s->end - s->beg);
		s->nul = z ? (size_t)(z - s->buf) : NONE;
	}
	return (int64_t)k;
}

int64_t scuot_stream_lineno(const scuot_stream *s) { return s->lineno; }

const char *scuot_stream_name(const scuot_stream *s) { return s->name; }

void scuot_stream_set_max_line(scuot_stream *s, size_t bytes) { s->max_line = bytes ? bytes : MAX_LINE; }

int scuot_stream_is_gzip(const scuot_stream *s) { return s->gz; }

int64_t scuot_stream_size_bound(const scuot_stream *s)
{
	if (s->src_size < 0)
		return -1;
	if (!s->gz)
		return s->src_size;
	if (s->src_size > INT64_MAX / DEFLATE_MAX_RATIO)
		return INT64_MAX;
	return s->src_size * DEFLATE_MAX_RATIO;
}

void scuot_stream_close(scuot_stream *s)
{
	if (!s)
		return;
	inflater_stop(s);
	if (s->zinit)
		inflateEnd(&s->zs);
	if (s->fd >= 0)
		close(s->fd);
	free(s->in);
	free(s->buf);
	free(s->name);
	free(s);
}
