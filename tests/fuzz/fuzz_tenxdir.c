/* fuzz_tenxdir.c -- libFuzzer driver for 10x Matrix Market directories: the input is split at its
 * first two NUL bytes into matrix.mtx, features.tsv and barcodes.tsv, written to a scratch directory. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mat.h"
#include "io/adata.h"
#include "io/mtx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(dir, sizeof dir, "/tmp/scuot-fuzz-tenx-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	scuot_log_set_level(SCUOT_LOG_OFF);
	scuot_set_alloc_cap((size_t)256 << 20); /* a header claiming more is refused by the cap */
	return 0;
}

static void put(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	if (!fp)
		abort();
	fwrite(p, 1, n, fp);
	fclose(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *a = memchr(data, 0, size);
	const uint8_t *b = a ? memchr(a + 1, 0, (size_t)(end - a - 1)) : NULL;
	scuot_err e = { 0 };
	scuot_adata *ad = NULL;
	if (!a || !b)
		return 0;
	put("matrix.mtx", data, (size_t)(a - data));
	put("features.tsv", a + 1, (size_t)(b - a - 1));
	put("barcodes.tsv", b + 1, (size_t)(end - b - 1));
	if (scuot_mtx_read_dir(dir, &ad, &e) == 0)
		scuot_adata_free(ad);
	return 0;
}
