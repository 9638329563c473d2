/* ingest.c -- scuot-ingest: read counts in any supported format and each cell's day into cells.h5ad.
 * Thin executable: options, library calls, one message per error, exit 0 / 1 / 2. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/log.h"
#include "io/counts.h"
#include "io/h5ad.h"
#include "io/meta.h"
#include "io/stream.h"
#include "io/text.h"

#define MAX_KEEP_DAYS 256
#define MAX_OBS_FILES 32

typedef struct ingest_opts {
	scuot_counts_opts counts;
	const char *input;
	const char *output;
	const char *days_file;  /* --days */
	const char *day_key;    /* --day-key [day] */
	const char *id_column;  /* --id-column [id, else first column] */
	const char *cells_file; /* --cells */
	const char *obs_files[MAX_OBS_FILES]; /* --obs, repeatable */
	int n_obs_files;
	double keep_days[MAX_KEEP_DAYS];
	int n_keep_days;
	int strict;
} ingest_opts;

static void ingest_opts_init(ingest_opts *o)
{
	memset(o, 0, sizeof *o);
	scuot_counts_opts_init(&o->counts);
	o->day_key = "day";
}

static void usage(FILE *fp, const scuot_cli *c, const ingest_opts *o)
{
	fprintf(fp,
	        "Usage: scuot-ingest [options] INPUT -o cells.h5ad\n\n"
	        "Read a count matrix and each cell's day into an AnnData file: raw counts in X (CSR),\n"
	        "obs with the day and any other cell metadata, var with gene ids and names.\n\n"
	        "INPUT is one of:\n"
	        "  a 10x Matrix Market directory (matrix.mtx[.gz], features.tsv[.gz] or genes.tsv, barcodes.tsv[.gz])\n"
	        "    or a file prefix inside one (dir/sampleA_)\n"
	        "  a 10x HDF5 file (.h5: Cell Ranger v3 /matrix or v2 per-genome layout)\n"
	        "  an AnnData file (.h5ad; X as CSR, CSC or dense)\n"
	        "  a loom file (.loom)\n"
	        "  a dense table (.csv, .tsv, .txt, optionally .gz): cells x genes with header 'id' first, or genes x cells\n\n"
	        "Input:\n"
	        "  -f, --format FMT      auto, mtx, 10x-h5, h5ad, loom, text [%s]\n"
	        "      --genome NAME     10x HDF5 genome to read [the only one]\n"
	        "      --layer NAME      h5ad or loom layer holding the counts [X / matrix]\n"
	        "      --orient WHICH    text tables: auto, cells-by-genes, genes-by-cells [auto]\n\n"
	        "Cell days and selection:\n"
	        "  -d, --days FILE       table with columns id and day (TSV or CSV, like Waddington-OT's\n"
	        "                        cell_days.txt); other columns become obs columns.  FILE.h5ad#COL\n"
	        "                        takes obs column COL of another AnnData file as the day\n"
	        "      --day-key KEY     obs column (of an h5ad or loom input, or of the days table) holding\n"
	        "                        the day [%s]\n"
	        "      --id-column NAME  id column of the days and --obs tables [id, else the first column]\n"
	        "      --strict          a cell without a day is an error [cells without a day are dropped\n"
	        "                        and counted]\n"
	        "      --obs FILE        more cell metadata, joined on the cell id and kept for every cell\n"
	        "                        (missing where the table has no row): any id-keyed table such as\n"
	        "                        Waddington-OT's cell_growth_rates.txt (id, cell_growth_rate) or a\n"
	        "                        covariate table; FILE.h5ad#COL or FILE.h5ad (all obs columns) read\n"
	        "                        another AnnData file's obs; repeatable\n"
	        "      --cells FILE      keep only these cells: a list (one id per line, or a table's id\n"
	        "                        column), or a cell-set file (.gmt, .gmx, .grp: the union of its\n"
	        "                        sets; FILE#SET: set SET only)\n"
	        "      --keep-days LIST  keep only these days, comma-separated (e.g. 0,2,4)\n\n"
	        "Output:\n"
	        "  -o, --output FILE     the AnnData file to write (written atomically) [required]\n",
	        scuot_counts_format_name(o->counts.format), o->day_key);
	scuot_cli_global_help(fp, c);
	fprintf(fp, "\nExample:\n  scuot-ingest data/example/counts -d data/example/cell_days.tsv -o cells.h5ad\n");
}

/* Returns 0 to run, 1 to exit 0 (help/version), 2 on a usage error. */
static int parse_args(int argc, char **argv, scuot_cli *c, ingest_opts *o)
{
	enum {
		OPT_GENOME = 1, OPT_LAYER, OPT_ORIENT, OPT_DAY_KEY, OPT_ID_COL, OPT_STRICT, OPT_CELLS,
		OPT_KEEP_DAYS, OPT_OBS
	};
	static const struct option lopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "genome", required_argument, NULL, OPT_GENOME },
		{ "layer", required_argument, NULL, OPT_LAYER },
		{ "orient", required_argument, NULL, OPT_ORIENT },
		{ "days", required_argument, NULL, 'd' },
		{ "day-key", required_argument, NULL, OPT_DAY_KEY },
		{ "id-column", required_argument, NULL, OPT_ID_COL },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "cells", required_argument, NULL, OPT_CELLS },
		{ "obs", required_argument, NULL, OPT_OBS },
		{ "keep-days", required_argument, NULL, OPT_KEEP_DAYS },
		{ "output", required_argument, NULL, 'o' },
		SCUOT_CLI_GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	int opt, r;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":f:d:o:hvqV", lopts, NULL)) != -1) {
		if ((r = scuot_cli_global_opt(c, opt, optarg)) != 0) {
			if (r < 0)
				return 2;
			continue;
		}
		switch (opt) {
		case 'h': usage(stdout, c, o); return 1;
		case 'V': scuot_cli_version(stdout); return 1;
		case 'f':
			if ((o->counts.format = scuot_counts_format_parse(optarg)) < 0)
				return scuot_cli_usage_error(c, "--format: unknown format '%s' (auto, mtx, 10x-h5, h5ad, loom, text)",
				                             optarg);
			break;
		case OPT_GENOME: o->counts.genome = optarg; break;
		case OPT_LAYER: o->counts.layer = optarg; break;
		case OPT_ORIENT:
			if (!strcmp(optarg, "auto")) o->counts.orient = SCUOT_TEXT_AUTO;
			else if (!strcmp(optarg, "cells-by-genes")) o->counts.orient = SCUOT_TEXT_CELLS_BY_GENES;
			else if (!strcmp(optarg, "genes-by-cells")) o->counts.orient = SCUOT_TEXT_GENES_BY_CELLS;
			else return scuot_cli_usage_error(c, "--orient: '%s' is not auto, cells-by-genes or genes-by-cells", optarg);
			break;
		case 'd': o->days_file = optarg; break;
		case OPT_DAY_KEY: o->day_key = optarg; break;
		case OPT_ID_COL: o->id_column = optarg; break;
		case OPT_STRICT: o->strict = 1; break;
		case OPT_CELLS: o->cells_file = optarg; break;
		case OPT_OBS:
			if (o->n_obs_files == MAX_OBS_FILES)
				return scuot_cli_usage_error(c, "--obs: at most %d tables", MAX_OBS_FILES);
			o->obs_files[o->n_obs_files++] = optarg;
			break;
		case OPT_KEEP_DAYS: {
			char *list = strdup(optarg), *save = NULL;
			o->n_keep_days = 0;
			for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				if (o->n_keep_days == MAX_KEEP_DAYS || scuot_cli_double(c, "--keep-days", t,
				                                                         &o->keep_days[o->n_keep_days]) < 0) {
					free(list);
					return 2;
				}
				o->n_keep_days++;
			}
			free(list);
			if (!o->n_keep_days)
				return scuot_cli_usage_error(c, "--keep-days: empty list");
			break;
		}
		case 'o': o->output = optarg; break;
		case ':': return scuot_cli_usage_error(c, "option '%s' needs a value", argv[optind - 1]);
		default: return scuot_cli_usage_error(c, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return scuot_cli_usage_error(c, "no INPUT given");
	if (argc - optind > 1)
		return scuot_cli_usage_error(c, "one INPUT expected, got %d", argc - optind);
	if (!o->output)
		return scuot_cli_usage_error(c, "no output file given (-o cells.h5ad)");
	o->input = argv[optind];
	return 0;
}

static int run(const scuot_cli *c, const ingest_opts *o, scuot_err *e)
{
	scuot_adata *a = NULL;
	scuot_df table = { 0 };
	scuot_strv ids = { 0 };
	scuot_stream *s = NULL;
	int ret;
	int64_t n0, g0, nnz0;

	if ((ret = scuot_counts_read(o->input, &o->counts, &a, e)))
		goto done;
	n0 = a->n_obs, g0 = a->n_var, nnz0 = a->X->nnz;
	scuot_log_info("%s: read %lld cells x %lld genes, %lld nonzero entries", o->input, (long long)n0,
	               (long long)g0, (long long)nnz0);

	if (o->cells_file) {
		int64_t dropped, unknown;
		int nsets;
		if ((ret = scuot_meta_read_cell_ids(o->cells_file, &ids, &nsets, e)) ||
		    (ret = scuot_meta_keep_cells(a, ids.a, ids.n, &dropped, &unknown, e)))
			goto done;
		if (nsets)
			scuot_log_info("%s: %d cell set%s, %lld ids", o->cells_file, nsets,
			               nsets == 1 ? "" : "s", (long long)ids.n);
		scuot_log_info("%s: kept %lld cells, dropped %lld not listed; %lld listed ids name no cell", o->cells_file,
		               (long long)a->n_obs, (long long)dropped, (long long)unknown);
		if (a->n_obs == 0) {
			ret = scuot_err_set(e, SCUOT_EINPUT, "%s: none of its %lld ids names a cell of %s", o->cells_file,
			                    (long long)ids.n, o->input);
			goto done;
		}
	}

	const char *day_source = o->input, *day_key = o->day_key;
	if (o->days_file) {
		scuot_join_stats st;
		const char *col;
		int is_text;
		if ((ret = scuot_meta_read_table(o->days_file, o->id_column, &table, &col, &is_text, e)))
			goto done;
		if (col)
			day_key = col; /* FILE.h5ad#COL */
		if ((is_text && (ret = scuot_meta_check_numeric(&table, day_key, o->days_file, e))) ||
		    (ret = scuot_meta_join(a, &table, o->days_file, o->strict, &st, e)))
			goto done;
		scuot_log_info("%s: %lld cells matched", o->days_file, (long long)st.matched);
		if (st.cells_without)
			scuot_log_warning("%lld cells of %s are not in %s and were dropped (first: '%s')",
			                  (long long)st.cells_without, o->input, o->days_file, st.first_without);
		if (st.table_only)
			scuot_log_warning("%lld ids of %s name no cell of %s (first: '%s')", (long long)st.table_only,
			                  o->days_file, o->input, st.first_table_only);
		day_source = o->days_file;
	} else if (scuot_df_find(&a->obs, o->day_key) < 0) {
		ret = scuot_err_set(e, SCUOT_EUSAGE,
		                    "%s: no cell days: give a days table with --days FILE, or name the obs column holding "
		                    "the day with --day-key", o->input);
		goto done;
	}
	int64_t missing;
	if ((ret = scuot_meta_set_day(a, day_key, day_source, o->strict, &missing, e)))
		goto done;
	if (missing)
		scuot_log_warning("%lld cells have no day and were dropped", (long long)missing);
	for (int k = 0; k < o->n_obs_files; k++) {
		/* after the days: every cell left keeps its row, missing values where the table has none */
		scuot_join_stats st;
		const char *col;
		int is_text, replaced;
		scuot_df_clear(&table);
		if ((ret = scuot_meta_read_table(o->obs_files[k], o->id_column, &table, &col, &is_text, e)) ||
		    (ret = scuot_meta_annotate(a, &table, o->obs_files[k], &st, &replaced, e)))
			goto done;
		char cols[256] = "";
		for (int j = 0; j < table.ncol && strlen(cols) < 200; j++)
			snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%s%s", j ? ", " : "",
			         table.cols[j].name);
		scuot_log_info("%s: obs columns %s for %lld of %lld cells", o->obs_files[k], cols,
		               (long long)st.matched, (long long)a->n_obs);
		if (st.cells_without)
			scuot_log_warning("%lld cells are not in %s: their %s values are missing "
			                  "(first: '%s')", (long long)st.cells_without, o->obs_files[k], cols,
			                  st.first_without);
		if (st.table_only)
			scuot_log_warning("%lld ids of %s name no cell (first: '%s')",
			                  (long long)st.table_only, o->obs_files[k], st.first_table_only);
		if (replaced)
			scuot_log_warning("%s: %d obs column%s of the same name replaced", o->obs_files[k],
			                  replaced, replaced == 1 ? "" : "s");
	}
	if (o->n_keep_days) {
		int64_t dropped;
		if ((ret = scuot_meta_keep_days(a, o->keep_days, o->n_keep_days, &dropped, e)))
			goto done;
		scuot_log_info("--keep-days: dropped %lld cells of other days", (long long)dropped);
	}
	if (a->n_obs == 0) {
		ret = scuot_err_set(e, SCUOT_EINPUT, "%s: no cells left after matching days and filters", o->input);
		goto done;
	}
	{
		/* per-day cell counts */
		int j = scuot_df_find(&a->obs, "day");
		double days[64];
		int64_t cnt[64];
		int nd = 0;
		for (int64_t i = 0; i < a->n_obs; i++) {
			double d = a->obs.cols[j].f[i];
			int k;
			for (k = 0; k < nd && days[k] != d; k++)
				;
			if (k == nd && nd < 64)
				days[nd] = d, cnt[nd++] = 0;
			if (k < nd)
				cnt[k]++;
		}
		for (int k = 0; k < nd; k++)
			scuot_log_info("day %g: %lld cells", days[k], (long long)cnt[k]);
	}
	if ((ret = scuot_cli_record(c, a, e)) || (ret = scuot_h5ad_write(o->output, a, e)))
		goto done;
	scuot_log_info("wrote %s: %lld cells x %lld genes (%lld of %lld cells dropped)", o->output, (long long)a->n_obs,
	               (long long)a->n_var, (long long)(n0 - a->n_obs), (long long)n0);
done:
	scuot_stream_close(s);
	scuot_df_clear(&table);
	scuot_strv_clear(&ids);
	scuot_adata_free(a);
	return ret;
}

int main(int argc, char **argv)
{
	scuot_cli c;
	ingest_opts o;
	scuot_err e = { 0 };
	scuot_cli_init(&c, "ingest", argc, argv);
	ingest_opts_init(&o);
	int r = parse_args(argc, argv, &c, &o);
	if (r)
		return r == 1 ? 0 : 2;
	scuot_cli_apply(&c);
	if (run(&c, &o, &e))
		return scuot_cli_fail(&c, &e);
	scuot_cli_finish(&c);
	return 0;
}
