/* common.h -- what every scuot executable shares: the global options table and help text,
 * start-up (program name, signals, threads), error reporting, the closing summary line. */
#ifndef SCUOT_CLI_COMMON_H
#define SCUOT_CLI_COMMON_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "io/adata.h"

/* Option codes of the global options, above any short-option character. */
enum {
	SCUOT_OPT_THREADS = 0x1000,
	SCUOT_OPT_SEED,
	SCUOT_OPT_HELP,
	SCUOT_OPT_VERSION,
	SCUOT_OPT_MAX_MEMORY
};

/* Put SCUOT_CLI_GLOBAL_LONGOPTS inside a stage's struct option table, and "hvqV" in its short string. */
#define SCUOT_CLI_GLOBAL_LONGOPTS                                                 \
	{ "threads", required_argument, NULL, SCUOT_OPT_THREADS },                \
	{ "seed", required_argument, NULL, SCUOT_OPT_SEED },                      \
	{ "help", no_argument, NULL, 'h' },                                       \
	{ "version", no_argument, NULL, 'V' },                                    \
	{ "verbose", no_argument, NULL, 'v' },                                    \
	{ "quiet", no_argument, NULL, 'q' }

typedef struct scuot_cli {
	const char *stage; /* "ingest" */
	int threads;       /* --threads, 0 = default */
	uint64_t seed;     /* --seed [0] */
	int verbosity;     /* log level */
	double wall0, cpu0;
	char *cmdline;     /* the command line, for provenance */
} scuot_cli;

/* Start an executable: program name "scuot-STAGE", signal handlers, default threads, clocks.
 * c->cmdline is owned by this module and freed at exit. */
void scuot_cli_init(scuot_cli *c, const char *stage, int argc, char **argv);
/* Handle a global option: 1 if it was one (done), 0 if not, 2 for --help/--version seen (caller
 * prints and exits 0 -- see scuot_cli_help_requested), -1 after printing a usage error. */
int scuot_cli_global_opt(scuot_cli *c, int opt, const char *arg);
/* Print the global options block of --help. */
void scuot_cli_global_help(FILE *fp, const scuot_cli *c);
/* Print "scuot VERSION" then the build line; for --version. */
void scuot_cli_version(FILE *fp);
/* Report an error record as "scuot-STAGE: error: MESSAGE" and return its exit status. */
int scuot_cli_fail(const scuot_cli *c, const scuot_err *e);
/* Usage error: print message and "try --help" to stderr; returns 2. */
int scuot_cli_usage_error(const scuot_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Apply threads and verbosity after option parsing. */
void scuot_cli_apply(scuot_cli *c);
/* Record command, version, seed and threads under uns/scuot of a. */
int scuot_cli_record(const scuot_cli *c, scuot_adata *a, scuot_err *e);
/* Closing info line: wall and CPU time, peak RSS. */
void scuot_cli_finish(scuot_cli *c);
/* Strict option values: print a usage error naming opt and return -1 on a bad value. */
int scuot_cli_int(const scuot_cli *c, const char *opt, const char *arg, int64_t lo, int64_t hi, int64_t *out);
int scuot_cli_double(const scuot_cli *c, const char *opt, const char *arg, double *out);

#endif
