/* stream.h -- line reading from plain or gzip-compressed files and memory buffers.
 * Compression is detected from the magic bytes, not the file name; corrupt or truncated gzip is an error. */
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
/* Close and free; NULL accepted. */
SCUOT_EXPORT void scuot_stream_close(scuot_stream *s);

#ifdef __cplusplus
}
#endif
#endif
