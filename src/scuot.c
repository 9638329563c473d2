/* scuot.c -- the git-style dispatcher: "scuot STAGE ARGS" runs scuot-STAGE ARGS.
 * Looks for scuot-STAGE beside this executable first, then on PATH. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const struct stage {
	const char *group, *name, *what;
} stages[] = {
	{ "Data", "ingest", "read counts (10x mtx/h5, h5ad, loom, CSV/TSV) and cell days into cells.h5ad" },
	{ "Data", "simulate", "synthetic branching time course with known growth, for tests and demos" },
	{ "Preprocessing", "normalize", "QC, library-size normalisation, log1p, highly variable genes, growth prior" },
	{ "Preprocessing", "pca", "principal components, global or fitted on chosen days (local PCA)" },
	{ "Transport", "transport", "link two days with a transport method (--list-methods) into a result file" },
	{ "Transport", "interpolate", "predicted population at a day between the two of a result" },
	{ "Transport", "uotgen", "UOT-gen: weighted samples from a learned spherical-WFR flow; online updates" },
	{ "Evaluation", "score", "MMD and EMD of predicted populations to held-out cells, beside baselines" },
	{ "Evaluation", "rank", "scaling factors per source cell, method comparison, growth genes" },
	{ "Evaluation", "report", "one self-contained HTML report: scores, figures, growth genes" },
	{ NULL, NULL, NULL }
};

static void usage(FILE *fp)
{
	const char *group = "";
	fprintf(fp, "Usage: scuot STAGE [options] ...\n"
	            "       scuot help STAGE\n\n"
	            "Single-cell unbalanced optimal transport for developmental time courses.\n");
	for (const struct stage *s = stages; s->name; s++) {
		if (strcmp(group, s->group)) {
			group = s->group;
			fprintf(fp, "\n%s stages:\n", group);
		}
		fprintf(fp, "  %-12s %s\n", s->name, s->what);
	}
	fprintf(fp, "\nEach stage is also an executable scuot-STAGE; 'scuot STAGE --help' lists its options.\n"
	            "Example: scuot ingest data/example/counts -d data/example/cell_days.tsv -o cells.h5ad\n");
}

static int run_stage(const char *name, int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	const struct stage *s;
	for (s = stages; s->name && strcmp(s->name, name); s++)
		;
	if (!s->name) {
		fprintf(stderr, "scuot: '%s' is not a scuot stage. See 'scuot --help'.\n", name);
		return 2;
	}
	argv[0] = path;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(path, sizeof path, "%s/scuot-%s", self, name);
			if (access(path, X_OK) == 0)
				execv(path, argv);
		}
	}
	snprintf(path, sizeof path, "scuot-%s", name);
	execvp(path, argv);
	fprintf(stderr, "scuot: cannot run %s: %s\n", path, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		scuot_cli_version(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		char *args[] = { NULL, "--help", NULL };
		return run_stage(argv[2], 2, args);
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "scuot: unknown option '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	return run_stage(argv[1], argc - 1, argv + 1);
}
