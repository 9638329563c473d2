/* common.c -- global options, help, version, error reporting and run summary of the executables.
 * One table and one help printer for every stage, as samtools' sam_opts. */
#include <hdf5.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <gsl/gsl_version.h>

#include "common.h"
#include "config.h"
#include "core/log.h"
#include "core/mat.h"
#include "core/outfile.h"
#include "core/parse.h"
#include "core/sys.h"
#include "core/threads.h"

char *openblas_get_config(void) __attribute__((weak));

/* The command line recorded for provenance lives until exit, whichever way main returns. */
static char *cli_cmdline;
static void free_cmdline(void) { free(cli_cmdline); }

void scuot_cli_init(scuot_cli *c, const char *stage, int argc, char **argv)
{
	char prog[64];
	memset(c, 0, sizeof *c);
	c->stage = stage;
	c->verbosity = SCUOT_LOG_INFO;
	snprintf(prog, sizeof prog, stage && *stage ? "scuot-%s" : "scuot", stage);
	scuot_log_set_prog(prog);
	scuot_signals_install();
	c->wall0 = scuot_sys_wall();
	c->cpu0 = scuot_sys_cpu();
	/* provenance: the stage's name, not the path it was run from, then the arguments */
	size_t n = strlen(prog) + 1;
	for (int i = 1; i < argc; i++)
		n += strlen(argv[i]) + 1;
	if ((c->cmdline = cli_cmdline = malloc(n))) {
		atexit(free_cmdline);
		strcpy(c->cmdline, prog);
		for (int i = 1; i < argc; i++) {
			strcat(c->cmdline, " ");
			strcat(c->cmdline, argv[i]);
		}
	}
}

int scuot_cli_usage_error(const scuot_cli *c, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "%s: ", scuot_log_prog());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", scuot_log_prog());
	return 2;
}

int scuot_cli_int(const scuot_cli *c, const char *opt, const char *arg, int64_t lo, int64_t hi, int64_t *out)
{
	if (scuot_parse_int64(arg, lo, hi, out) != 0) {
		scuot_cli_usage_error(c, "%s: '%s' is not an integer in [%lld, %lld]", opt, arg, (long long)lo,
		                      (long long)hi);
		return -1;
	}
	return 0;
}

int scuot_cli_double(const scuot_cli *c, const char *opt, const char *arg, double *out)
{
	if (scuot_parse_double(arg, out) != 0) {
		scuot_cli_usage_error(c, "%s: '%s' is not a finite number", opt, arg);
		return -1;
	}
	return 0;
}

int scuot_cli_global_opt(scuot_cli *c, int opt, const char *arg)
{
	int64_t v;
	switch (opt) {
	case SCUOT_OPT_THREADS:
		if (scuot_cli_int(c, "--threads", arg, 1, 1024, &v))
			return -1;
		c->threads = (int)v;
		return 1;
	case SCUOT_OPT_SEED:
		if (scuot_cli_int(c, "--seed", arg, 0, INT64_MAX, &v))
			return -1;
		c->seed = (uint64_t)v;
		return 1;
	case 'v':
		c->verbosity++;
		return 1;
	case 'q':
		c->verbosity = SCUOT_LOG_ERROR;
		return 1;
	}
	return 0;
}

void scuot_cli_global_help(FILE *fp, const scuot_cli *c)
{
	fprintf(fp,
	        "\nGeneral options:\n"
	        "  --threads N      threads for OpenMP loops and BLAS [%d: OMP_NUM_THREADS, else all cores]\n"
	        "  --seed N         random seed; the same inputs and seed give the same outputs [%llu]\n"
	        "  -v, --verbose    more messages (repeat for debug output)\n"
	        "  -q, --quiet      errors only\n"
	        "  -h, --help       print this help and exit\n"
	        "  -V, --version    print the version and exit\n",
	        scuot_threads_default(), (unsigned long long)c->seed);
}

void scuot_cli_version(FILE *fp)
{
	unsigned maj, min, rel;
	H5get_libversion(&maj, &min, &rel);
	fprintf(fp, "scuot %s\n", PACKAGE_VERSION);
#if defined(__SANITIZE_ADDRESS__)
	const char *san = ", AddressSanitizer";
#else
	const char *san = "";
#endif
	fprintf(fp, "build: HDF5 %u.%u.%u, zlib %s, GSL %s, BLAS %s, OpenMP %s%s\n", maj, min, rel, zlibVersion(),
	        GSL_VERSION, openblas_get_config ? openblas_get_config() : "(CBLAS)",
	        scuot_threads_have_openmp() ? "yes" : "no", san);
}

int scuot_cli_fail(const scuot_cli *c, const scuot_err *e)
{
	fflush(stdout);
	if (e->code == SCUOT_EUSAGE)
		fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", scuot_log_prog(),
		        e->msg[0] ? e->msg : scuot_err_str(e->code), scuot_log_prog());
	else
		fprintf(stderr, "%s: error: %s\n", scuot_log_prog(), e->msg[0] ? e->msg : scuot_err_str(e->code));
	return scuot_err_exit_status(e->code);
}

void scuot_cli_apply(scuot_cli *c)
{
	scuot_log_set_level(c->verbosity);
	c->threads = scuot_threads_set(c->threads);
}

int scuot_cli_record(const scuot_cli *c, scuot_adata *a, scuot_err *e)
{
	scuot_uns *u = scuot_uns_get(&a->uns, "scuot");
	if (!u && !(u = scuot_uns_add(&a->uns, "scuot", SCUOT_UNS_DICT, e)))
		return e->code;
	char key[64];
	snprintf(key, sizeof key, "%s", c->stage);
	scuot_uns *s = scuot_uns_add(u, key, SCUOT_UNS_DICT, e);
	if (!s)
		return e->code;
	if (scuot_uns_set_str(s, "command", c->cmdline ? c->cmdline : "", e) ||
	    scuot_uns_set_str(s, "version", PACKAGE_VERSION, e) ||
	    scuot_uns_set_num(s, "seed", (double)c->seed, 1, e) ||
	    scuot_uns_set_num(s, "threads", c->threads, 1, e))
		return e->code;
	return 0;
}

void scuot_cli_finish(scuot_cli *c)
{
	scuot_log_info("done: %.2f s wall, %.2f s CPU, peak RSS %.1f MB", scuot_sys_wall() - c->wall0,
	               scuot_sys_cpu() - c->cpu0, scuot_sys_peak_rss() / 1e6);
}
