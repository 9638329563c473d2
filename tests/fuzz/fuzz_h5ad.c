/* fuzz_h5ad.c -- libFuzzer driver for the h5ad reader, fed an in-memory HDF5 file image.
 * Reads every part, as scuot-ingest does for an .h5ad input. */
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/mat.h"
#include "io/adata.h"
#include "io/h5ad.h"

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
	if (scuot_h5ad_read_mem(data, size, SCUOT_H5AD_ALL, &a, &e) == 0)
		scuot_adata_free(a);
	return 0;
}
