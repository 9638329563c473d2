/* fuzz_table.c -- libFuzzer driver for id-keyed tables (cell days, growth rates, covariates),
 * then the numeric check scuot-ingest applies to the day column. */
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/mat.h"
#include "io/adata.h"
#include "io/meta.h"
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
	scuot_df t = { 0 };
	scuot_stream *s = scuot_stream_open_mem(data, size, "cell_days.tsv", &e);
	if (!s)
		return 0;
	if (scuot_text_read_table(s, NULL, &t, &e) == 0)
		scuot_meta_check_numeric(&t, "day", "cell_days.tsv", &e);
	scuot_df_clear(&t);
	scuot_stream_close(s);
	return 0;
}
