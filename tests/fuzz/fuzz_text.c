/* fuzz_text.c -- libFuzzer driver for the delimited-text count reader (libcsv), both orientations.
 * The first byte picks the orientation; the rest is the table, as scuot-ingest reads a .csv/.tsv. */
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/mat.h"
#include "io/adata.h"
#include "io/stream.h"
#include "io/text.h"

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
	scuot_adata *a = NULL;
	if (size < 1)
		return 0;
	scuot_stream *s = scuot_stream_open_mem(data + 1, size - 1, "fuzz.tsv", &e);
	if (!s)
		return 0;
	if (scuot_text_read_counts(s, data[0] % 3, &a, &e) == 0)
		scuot_adata_free(a);
	scuot_stream_close(s);
	return 0;
}
