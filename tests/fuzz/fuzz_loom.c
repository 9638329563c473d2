/* fuzz_loom.c -- libFuzzer driver for the loom reader, fed an in-memory HDF5 file image.
 * Reads /matrix with its row and column attributes. */
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/mat.h"
#include "io/adata.h"
#include "io/loom.h"

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
	if (scuot_loom_read_mem(data, size, NULL, &a, &e) == 0)
		scuot_adata_free(a);
	return 0;
}
