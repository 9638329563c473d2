/* fuzz_result.c -- libFuzzer driver for the transport result reader (src/lib/io/result.c), fed an
 * in-memory HDF5 file image; a result that reads back is also interpolated, as scuot-interpolate would. */
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/mat.h"
#include "io/result.h"
#include "ot/interp.h"

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
	scuot_ot_result *r = NULL;
	if (scuot_result_read_mem(data, size, NULL, NULL, &r, &e) == 0) {
		scuot_interp_pop p;
		if (scuot_interp(r, 0.5, SCUOT_INTERP_AUTO, 16, 1, &p, &e) == 0)
			scuot_interp_pop_clear(&p);
		scuot_ot_result_free(r);
	}
	return 0;
}
