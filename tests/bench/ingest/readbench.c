/* readbench.c -- time scuot's readers alone (no output written) for the ingest benchmark.
 * Usage: readbench PATH [FORMAT]; prints seconds, cells, genes, nonzeros and peak RSS as TSV. */
#include <stdio.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/sys.h"
#include "io/counts.h"

int main(int argc, char **argv)
{
	scuot_counts_opts o;
	scuot_adata *a = NULL;
	scuot_err e = { 0 };
	if (argc < 2) {
		fprintf(stderr, "usage: readbench PATH [FORMAT]\n");
		return 2;
	}
	scuot_counts_opts_init(&o);
	if (argc > 2)
		o.format = scuot_counts_format_parse(argv[2]);
	double t0 = scuot_sys_wall();
	if (scuot_counts_read(argv[1], &o, &a, &e)) {
		fprintf(stderr, "readbench: %s\n", e.msg);
		return 1;
	}
	double t = scuot_sys_wall() - t0;
	printf("%.3f\t%lld\t%lld\t%lld\t%.1f\t%.1f\n", t, (long long)a->n_obs, (long long)a->n_var,
	       (long long)a->X->nnz, scuot_sys_peak_rss() / 1e6, scuot_csr_bytes(a->X) / 1e6);
	scuot_adata_free(a);
	return 0;
}
