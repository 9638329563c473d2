/* test_stream.c -- unit tests of src/lib/io/stream.c: plain and gzip input from files and memory.
 * Fixtures are generated into a temporary directory; gzip data is made with zlib here. */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io/stream.h"

static char tmpdir[256];

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/scuot-stream-XXXXXX", t && *t ? t : "/tmp");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static void teardown(void) { nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

TestSuite(stream, .init = setup, .fini = teardown);

static char *path_of(const char *name)
{
	static char p[2][512];
	static int k;
	k ^= 1;
	snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
	return p[k];
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* gzip member of data[0..len) in a new buffer. */
static unsigned char *gz_mem(const void *data, size_t len, size_t *out_len)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&z, (uLong)len) + 64;
	unsigned char *out = malloc(cap);
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* All lines of s joined with '\n' after each, and their count. */
static char *slurp_lines(scuot_stream *s, int64_t *nlines, scuot_err *e, int *ret)
{
	size_t cap = 1024, n = 0;
	char *out = malloc(cap), *line;
	size_t len;
	int r;
	*nlines = 0;
	while ((r = scuot_stream_getline(s, &line, &len, e)) == 1) {
		cr_assert_eq(strlen(line), len, "line %lld: NUL terminator misplaced",
		             (long long)*nlines + 1);
		while (n + len + 2 > cap)
			out = realloc(out, cap *= 2);
		memcpy(out + n, line, len);
		n += len;
		out[n++] = '\n';
		++*nlines;
		cr_assert_eq(scuot_stream_lineno(s), *nlines);
	}
	out[n] = 0;
	*ret = r;
	return out;
}

/* Pseudo-random text: lines of varied length, some empty, one of 3 MiB, CRLF on every 7th. */
static char *make_text(size_t *len, char **expect)
{
	size_t cap = 12u << 20, n = 0, m = 0;
	char *t = malloc(cap), *x = malloc(cap);
	unsigned s = 12345;
	for (int i = 0; i < 60000; i++) {
		s = s * 1103515245u + 12345u;
		size_t l = (s >> 16) % 120;
		if (i == 30000)
			l = 3u << 20;
		for (size_t k = 0; k < l; k++) {
			char c = (char)('a' + (k * 7 + i) % 26);
			t[n++] = c, x[m++] = c;
		}
		if (i % 7 == 0)
			t[n++] = '\r';
		t[n++] = '\n', x[m++] = '\n';
	}
	memcpy(t + n, "last line, no newline", 21);
	memcpy(x + m, "last line, no newline\n", 22);
	n += 21, m += 22;
	x[m] = 0;
	*len = n;
	*expect = x;
	return t;
}

Test(stream, gzip_and_plain_give_identical_lines)
{
	size_t len, glen;
	char *expect, *text = make_text(&len, &expect);
	unsigned char *gz = gz_mem(text, len, &glen);
	write_bytes(path_of("t.txt"), text, len);
	write_bytes(path_of("t.txt.gz"), gz, glen);
	const char *names[4] = { "plain file", "gzip file", "plain memory", "gzip memory" };
	for (int k = 0; k < 4; k++) {
		scuot_err e = { 0 };
		scuot_stream *s = k == 0   ? scuot_stream_open(path_of("t.txt"), &e)
		                  : k == 1 ? scuot_stream_open(path_of("t.txt.gz"), &e)
		                  : k == 2 ? scuot_stream_open_mem(text, len, "mem", &e)
		                           : scuot_stream_open_mem(gz, glen, "mem.gz", &e);
		cr_assert_not_null(s, "%s: %s", names[k], e.msg);
		cr_assert_eq(scuot_stream_is_gzip(s), k % 2, "%s: gzip detection", names[k]);
		int64_t nl;
		int r;
		char *got = slurp_lines(s, &nl, &e, &r);
		cr_assert_eq(r, 0, "%s: %s", names[k], e.msg);
		cr_assert_eq(nl, 60001, "%s: %lld lines, expected 60001", names[k], (long long)nl);
		cr_assert(strcmp(got, expect) == 0, "%s: lines differ from the source text", names[k]);
		free(got);
		scuot_stream_close(s);
	}
	free(text), free(expect), free(gz);
}

Test(stream, crlf_and_no_final_newline)
{
	const char *in = "a\r\nb c\r\n\r\nd\re\nlast";
	const char *want[] = { "a", "b c", "", "d\re", "last" };
	scuot_err e = { 0 };
	scuot_stream *s = scuot_stream_open_mem(in, strlen(in), "crlf", &e);
	char *line;
	size_t len;
	for (int k = 0; k < 5; k++) {
		cr_assert_eq(scuot_stream_getline(s, &line, &len, &e), 1, "line %d: %s", k + 1, e.msg);
		cr_assert_str_eq(line, want[k]);
		cr_assert_eq(len, strlen(want[k]));
	}
	cr_assert_eq(scuot_stream_getline(s, &line, &len, &e), 0);
	cr_assert_eq(scuot_stream_getline(s, &line, &len, &e), 0, "end is sticky");
	scuot_stream_close(s);

	s = scuot_stream_open_mem("", 0, "empty", &e);
	cr_assert_eq(scuot_stream_getline(s, &line, &len, &e), 0, "empty input has no line");
	scuot_stream_close(s);
	s = scuot_stream_open_mem("\n", 1, "newline", &e);
	cr_assert_eq(scuot_stream_getline(s, &line, &len, &e), 1);
	cr_assert_eq(len, 0);
	cr_assert_eq(scuot_stream_getline(s, &line, &len, &e), 0);
	scuot_stream_close(s);
}

static int read_all_gz(const char *path, scuot_err *e)
{
	scuot_stream *s = scuot_stream_open(path, e);
	if (!s)
		return e->code;
	int64_t nl;
	int r;
	free(slurp_lines(s, &nl, e, &r));
	scuot_stream_close(s);
	return r;
}

Test(stream, corrupt_gzip_is_an_input_error)
{
	size_t len, glen;
	char *expect, *text = make_text(&len, &expect);
	unsigned char *gz = gz_mem(text, len, &glen);
	struct {
		const char *name;
		size_t at;
	} cases[] = {
		{ "data.gz", 0 },   /* deflate data in the middle */
		{ "crc.gz", 0 },    /* the CRC32 of the trailer */
		{ "header.gz", 2 }, /* compression method byte of the header */
	};
	cases[0].at = glen / 2;
	cases[1].at = glen - 6;
	for (int k = 0; k < 3; k++) {
		unsigned char *bad = malloc(glen);
		memcpy(bad, gz, glen);
		bad[cases[k].at] ^= 0x5a;
		write_bytes(path_of(cases[k].name), bad, glen);
		scuot_err e = { 0 };
		int r = read_all_gz(path_of(cases[k].name), &e);
		cr_assert_eq(r, SCUOT_EINPUT, "%s: returned %d (%s), expected SCUOT_EINPUT", cases[k].name, r,
		             e.msg);
		cr_assert(strstr(e.msg, path_of(cases[k].name)) &&
		              strstr(e.msg, "corrupt gzip data near byte"),
		          "%s: message: %s", cases[k].name, e.msg);
		free(bad);
	}
	free(text), free(expect), free(gz);
}

Test(stream, truncated_gzip_is_an_input_error)
{
	size_t len, glen;
	char *expect, *text = make_text(&len, &expect);
	unsigned char *gz = gz_mem(text, len, &glen);
	size_t cuts[] = { glen - 4, glen - 8, glen / 3, 10 };
	for (int k = 0; k < 4; k++) {
		write_bytes(path_of("cut.gz"), gz, cuts[k]);
		scuot_err e = { 0 };
		int r = read_all_gz(path_of("cut.gz"), &e);
		cr_assert_eq(r, SCUOT_EINPUT, "cut at %zu of %zu: returned %d (%s)", cuts[k], glen, r, e.msg);
		cr_assert(strstr(e.msg, "gzip stream is truncated (unexpected end of file)") &&
		              strstr(e.msg, path_of("cut.gz")),
		          "cut at %zu: message: %s", cuts[k], e.msg);
		/* the same from memory */
		memset(&e, 0, sizeof e);
		scuot_stream *s = scuot_stream_open_mem(gz, cuts[k], "cut-mem.gz", &e);
		int64_t nl;
		free(slurp_lines(s, &nl, &e, &r));
		cr_assert_eq(r, SCUOT_EINPUT, "memory cut at %zu: %d", cuts[k], r);
		cr_assert(strstr(e.msg, "cut-mem.gz: gzip stream is truncated"), "message: %s", e.msg);
		scuot_stream_close(s);
	}
	free(text), free(expect), free(gz);
}

Test(stream, multi_member_gzip_and_padding)
{
	const char *a = "first\nsecond part ", *b = "continues\nthird\n";
	size_t la, lb;
	unsigned char *ga = gz_mem(a, strlen(a), &la), *gb = gz_mem(b, strlen(b), &lb);
	unsigned char *cat = malloc(la + lb + 16);
	memcpy(cat, ga, la);
	memcpy(cat + la, gb, lb);
	memset(cat + la + lb, 0, 16); /* zero padding after the last member, as tape tools write */
	const char *want = "first\nsecond part continues\nthird\n";
	for (int pad = 0; pad <= 16; pad += 16) {
		scuot_err e = { 0 };
		scuot_stream *s = scuot_stream_open_mem(cat, la + lb + (size_t)pad, "multi.gz", &e);
		int64_t nl;
		int r;
		char *got = slurp_lines(s, &nl, &e, &r);
		cr_assert_eq(r, 0, "padding %d: %s", pad, e.msg);
		cr_assert_str_eq(got, want);
		free(got);
		scuot_stream_close(s);
	}
	/* garbage after a member is not gzip: an error, not silently ignored */
	memcpy(cat + la + lb, "garbage!", 8);
	scuot_err e = { 0 };
	scuot_stream *s = scuot_stream_open_mem(cat, la + lb + 8, "tail.gz", &e);
	int64_t nl;
	int r;
	free(slurp_lines(s, &nl, &e, &r));
	cr_assert_eq(r, SCUOT_EINPUT, "trailing garbage: %d", r);
	cr_assert(strstr(e.msg, "tail.gz: corrupt gzip data near byte"), "message: %s", e.msg);
	scuot_stream_close(s);
	free(ga), free(gb), free(cat);
}

Test(stream, missing_file_and_directory)
{
	scuot_err e = { 0 };
	cr_assert_null(scuot_stream_open(path_of("no-such-file.tsv"), &e));
	cr_assert_eq(e.code, SCUOT_EINPUT);
	cr_assert(strstr(e.msg, path_of("no-such-file.tsv")) && strstr(e.msg, strerror(ENOENT)),
	          "message: %s", e.msg);
	memset(&e, 0, sizeof e);
	cr_assert_null(scuot_stream_open(tmpdir, &e));
	cr_assert_eq(e.code, SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "is a directory"), "message: %s", e.msg);
	if (geteuid() != 0) { /* root reads anything */
		write_bytes(path_of("secret"), "x\n", 2);
		chmod(path_of("secret"), 0);
		memset(&e, 0, sizeof e);
		cr_assert_null(scuot_stream_open(path_of("secret"), &e));
		cr_assert_eq(e.code, SCUOT_EINPUT);
		cr_assert(strstr(e.msg, strerror(EACCES)), "message: %s", e.msg);
	}
}

Test(stream, nul_byte_and_long_line)
{
	const char in[] = "ok\nbad\0byte\nnext\n";
	scuot_err e = { 0 };
	char *line;
	size_t len;
	for (int gz = 0; gz < 2; gz++) {
		size_t glen;
		unsigned char *g = gz_mem(in, sizeof in - 1, &glen);
		scuot_stream *s = gz ? scuot_stream_open_mem(g, glen, "nul.gz", &e)
		                     : scuot_stream_open_mem(in, sizeof in - 1, "nul", &e);
		cr_assert_eq(scuot_stream_getline(s, &line, &len, &e), 1);
		memset(&e, 0, sizeof e);
		cr_assert_eq(scuot_stream_getline(s, &line, &len, &e), SCUOT_EINPUT);
		cr_assert(strstr(e.msg, "line 2 contains a NUL byte"), "message: %s", e.msg);
		scuot_stream_close(s);
		free(g);
	}
	const char *l2 = "0123456789abcdef\n0123456789abcdefg\n";
	memset(&e, 0, sizeof e);
	scuot_stream *s = scuot_stream_open_mem(l2, strlen(l2), "long", &e);
	scuot_stream_set_max_line(s, 16);
	cr_assert_eq(scuot_stream_getline(s, &line, &len, &e), 1, "16 bytes fit a limit of 16: %s", e.msg);
	cr_assert_eq(scuot_stream_getline(s, &line, &len, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "long: line 2 is longer than 16 bytes"), "message: %s", e.msg);
	scuot_stream_close(s);
	/* a line longer than the limit with no newline at all */
	memset(&e, 0, sizeof e);
	char big[100];
	memset(big, 'x', sizeof big);
	s = scuot_stream_open_mem(big, sizeof big, "nonl", &e);
	scuot_stream_set_max_line(s, 50);
	cr_assert_eq(scuot_stream_getline(s, &line, &len, &e), SCUOT_EINPUT);
	cr_assert(strstr(e.msg, "line 1 is longer than 50 bytes"), "message: %s", e.msg);
	scuot_stream_close(s);
}

Test(stream, raw_read_rewind_and_bound)
{
	size_t len, glen;
	char *expect, *text = make_text(&len, &expect);
	unsigned char *gz = gz_mem(text, len, &glen);
	write_bytes(path_of("r.gz"), gz, glen);
	write_bytes(path_of("r.txt"), text, len);
	for (int k = 0; k < 3; k++) {
		scuot_err e = { 0 };
		scuot_stream *s = k == 0   ? scuot_stream_open(path_of("r.gz"), &e)
		                  : k == 1 ? scuot_stream_open(path_of("r.txt"), &e)
		                           : scuot_stream_open_mem(gz, glen, "r-mem.gz", &e);
		cr_assert_not_null(s, "%s", e.msg);
		int64_t want_bound = k == 1 ? (int64_t)len : (int64_t)glen * 1032;
		cr_assert_eq(scuot_stream_size_bound(s), want_bound, "case %d: bound %lld, expected %lld", k,
		             (long long)scuot_stream_size_bound(s), (long long)want_bound);
		for (int pass = 0; pass < 2; pass++) {
			/* odd-sized raw reads reassemble the exact bytes */
			char *got = malloc(len + 1);
			size_t n = 0;
			int64_t r;
			while ((r = scuot_stream_read(s, got + n, n + 7777 < len + 1 ? 7777 : len + 1 - n,
			                              &e)) > 0)
				n += (size_t)r;
			cr_assert_eq(r, 0, "case %d: %s", k, e.msg);
			cr_assert_eq(n, len, "case %d pass %d: read %zu bytes, expected %zu", k, pass, n,
			             len);
			cr_assert(memcmp(got, text, len) == 0, "case %d: raw bytes differ", k);
			free(got);
			cr_assert_eq(scuot_stream_rewind(s, &e), 0, "%s", e.msg);
		}
		char *line;
		size_t ll;
		cr_assert_eq(scuot_stream_getline(s, &line, &ll, &e), 1);
		cr_assert_eq(scuot_stream_getline(s, &line, &ll, &e), 1);
		cr_assert_eq(scuot_stream_lineno(s), 2);
		cr_assert_eq(scuot_stream_rewind(s, &e), 0, "%s", e.msg);
		cr_assert_eq(scuot_stream_lineno(s), 0);
		int64_t nl;
		int ret;
		char *all = slurp_lines(s, &nl, &e, &ret);
		cr_assert_eq(ret, 0, "%s", e.msg);
		cr_assert(strcmp(all, expect) == 0, "case %d: lines after rewind differ", k);
		free(all);
		scuot_stream_close(s);
	}
	free(text), free(expect), free(gz);
	scuot_stream_close(NULL);
}

/* Above 8 MiB of gzip the stream inflates in a background thread: same lines, same errors. */
Test(stream, large_gzip_file_threaded)
{
	size_t len = 24u << 20, n = 0, glen;
	char *text = malloc(len + 64);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int64_t want_lines = 0;
	while (n + 40 < len) { /* hex of a xorshift sequence: compresses to about half */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n += (size_t)sprintf(text + n, "%016llx %llu\n", (unsigned long long)x,
		                     (unsigned long long)(x % 1000));
		want_lines++;
	}
	unsigned char *gz = gz_mem(text, n, &glen);
	cr_assert_gt(glen, (size_t)8 << 20, "fixture too small to use the thread: %zu bytes", glen);
	write_bytes(path_of("big.gz"), gz, glen);
	scuot_err e = { 0 };
	scuot_stream *s = scuot_stream_open(path_of("big.gz"), &e);
	cr_assert_not_null(s, "%s", e.msg);
	char *line;
	size_t ll;
	for (int64_t k = 0; k < want_lines / 2; k++) { /* half, then rewind while the thread runs */
		cr_assert_eq(scuot_stream_getline(s, &line, &ll, &e), 1, "%s", e.msg);
	}
	cr_assert_eq(scuot_stream_rewind(s, &e), 0, "%s", e.msg);
	int64_t got;
	int r;
	char *all = slurp_lines(s, &got, &e, &r);
	cr_assert_eq(r, 0, "%s", e.msg);
	cr_assert_eq(got, want_lines, "%lld lines, expected %lld", (long long)got, (long long)want_lines);
	cr_assert(strlen(all) == n && memcmp(all, text, n) == 0, "lines differ from the source text");
	free(all);
	scuot_stream_close(s);
	/* errors raised in the thread reach the reader */
	write_bytes(path_of("big-cut.gz"), gz, glen - glen / 4);
	memset(&e, 0, sizeof e);
	r = read_all_gz(path_of("big-cut.gz"), &e);
	cr_assert_eq(r, SCUOT_EINPUT, "truncated: %d (%s)", r, e.msg);
	cr_assert(strstr(e.msg, "big-cut.gz: gzip stream is truncated (unexpected end of file)"),
	          "message: %s", e.msg);
	gz[glen / 2] ^= 0x5a;
	write_bytes(path_of("big-bad.gz"), gz, glen);
	memset(&e, 0, sizeof e);
	r = read_all_gz(path_of("big-bad.gz"), &e);
	cr_assert_eq(r, SCUOT_EINPUT, "corrupt: %d (%s)", r, e.msg);
	cr_assert(strstr(e.msg, "big-bad.gz: corrupt gzip data near byte"), "message: %s", e.msg);
	/* closing with the thread mid-file joins it */
	s = scuot_stream_open(path_of("big.gz"), &e);
	cr_assert_eq(scuot_stream_getline(s, &line, &ll, &e), 1);
	scuot_stream_close(s);
	free(text), free(gz);
}
