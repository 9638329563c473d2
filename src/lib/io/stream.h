/* stream.h -- line reading from plain or gzip-compressed files and memory buffers.
 * Compression is detected from the magic bytes, not the file name; corrupt or truncated gzip is an error.
 * A gzip file of 8 MiB or more is inflated by a background thread (16 MiB of buffers) while the caller
 * parses; the thread ends at close or rewind.  A stream must not be used from two threads at once. */
#ifndef SCUOT_IO_STREAM_H
#define SCUOT_IO_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct scuot_stream scuot_stream;

/* Open path for reading (gzip or plain).  NULL with e filled (SCUOT_EINPUT naming path). */
SCUOT_EXPORT scuot_stream *scuot_stream_open(const char *path, scuot_err *e);
/* Read from buf[0..len) (gzip or plain); buf must outlive the stream.  name is used in messages. */
SCUOT_EXPORT scuot_stream *scuot_stream_open_mem(const void *buf, size_t len, const char *name, scuot_err *e);
/* Next line without its end-of-line ("\n" or "\r\n"), NUL-terminated, in *line (borrowed until the
 * next call) with its length in *len.  Returns 1 for a line, 0 at end of input, or a negative code
 * (SCUOT_EINPUT for corrupt/truncated compression, a NUL byte, or a line over 1 GiB). */
SCUOT_EXPORT int scuot_stream_getline(scuot_stream *s, char **line, size_t *len, scuot_err *e);
/* Read up to n raw (decompressed) bytes into buf: bytes read, 0 at end, negative code on error. */
SCUOT_EXPORT int64_t scuot_stream_read(scuot_stream *s, void *buf, size_t n, scuot_err *e);
/* 1-based number of the line last returned. */
SCUOT_EXPORT int64_t scuot_stream_lineno(const scuot_stream *s);
/* Name given at open (the path). Borrowed. */
SCUOT_EXPORT const char *scuot_stream_name(const scuot_stream *s);
/* Go back to the start of the input (next line is line 1 again).  0, or SCUOT_EINPUT when the
 * source cannot seek (a pipe).  Used by readers that make a second pass. */
SCUOT_EXPORT int scuot_stream_rewind(scuot_stream *s, scuot_err *e);
/* Longest line getline accepts, in bytes (default 1 GiB); lowered by tests and fuzz drivers. */
SCUOT_EXPORT void scuot_stream_set_max_line(scuot_stream *s, size_t bytes);
/* Upper bound on the number of decompressed bytes the stream can yield: the size of plain input,
 * 1032 times the compressed size for gzip (deflate's largest ratio), -1 when unknown (a pipe).
 * Lets readers refuse a header that claims more records than the input can hold. */
SCUOT_EXPORT int64_t scuot_stream_size_bound(const scuot_stream *s);
/* 1 if the input is gzip-compressed, 0 if plain. */
SCUOT_EXPORT int scuot_stream_is_gzip(const scuot_stream *s);
/* Close and free; NULL accepted. */
SCUOT_EXPORT void scuot_stream_close(scuot_stream *s);

#ifdef __cplusplus
}
#endif
#endif
