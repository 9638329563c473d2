/* fuzz_mtx.c -- libFuzzer driver for the Matrix Market reader (plain and gzip input).
 * Feeds the bytes to scuot_mtx_read through a memory stream, as scuot-ingest reads matrix.mtx[.gz]. */
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/mat.h"
#include "io/mtx.h"
#include "io/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	scuot_log_set_level(SCUOT_LOG_OFF);
	scuot_set_alloc_cap((size_t)256 << 20); /* a header claiming more is refused by the cap */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	scuot_err e = { 0 };
	scuot_csr *c = NULL;
	scuot_stream *s = scuot_stream_open_mem(data, size, "fuzz.mtx", &e);
	if (!s)
		return 0;
	if (scuot_mtx_read(s, &c, &e) == 0)
		scuot_csr_free(c);
	scuot_stream_close(s);
	return 0;
}
