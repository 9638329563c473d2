/* test_sets.c -- unit tests of src/lib/io/sets.c (Waddington-OT's .gmt, .gmx, .grp set files) and of the
 * unmatched-name record of prep's gene-set matching.  Files are written to a temporary directory. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "io/sets.h"
#include "prep/prep.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/scuot-sets-XXXXXX");
	cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

/* Write text to dir/name (gzip-compressed when gz) and return the path (static buffer). */
static const char *put(const char *name, const char *text, int gz)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (gz) {
		gzFile z = gzopen(path, "wb");
		cr_assert(z);
		cr_assert_eq(gzwrite(z, text, (unsigned)strlen(text)), (int)strlen(text));
		gzclose(z);
	} else {
		FILE *fp = fopen(path, "w");
		cr_assert(fp);
		fputs(text, fp);
		fclose(fp);
	}
	return path;
}

static void expect_set(const scuot_sets *s, const char *name, const char *desc, int n, const char *const *m)
{
	const scuot_set *x = scuot_sets_find(s, name);
	cr_assert(x, "set %s missing", name);
	cr_expect_str_eq(x->desc, desc, "set %s: description '%s', expected '%s'", name, x->desc, desc);
	cr_assert_eq(x->n, n, "set %s: %lld members, expected %d", name, (long long)x->n, n);
	for (int k = 0; k < n; k++)
		cr_expect_str_eq(x->members[k], m[k], "set %s member %d: '%s', expected '%s'", name, k,
		                 x->members[k], m[k]);
}

static const char *const prolif[] = { "MKI67", "TOP2A", "Cdk1" }, *const apop[] = { "CASP3", "BAX" };

TestSuite(sets, .init = setup, .fini = teardown);

Test(sets, gmt_gmx_grp_by_extension)
{
	scuot_err e = { 0 };
	scuot_sets s;
	cr_assert_eq(scuot_sets_read(put("a.gmt",
	                                 "# c\nCell.cycle\tcc genes\tMKI67\t TOP2A \tCdk1\n\n"
	                                 "Apoptosis\tna\tCASP3\tBAX\t\n",
	                                 0),
	                             SCUOT_SETS_AUTO, &s, &e),
	             0, "%s", e.msg);
	cr_expect_eq(s.format, SCUOT_SETS_GMT);
	cr_expect_eq(s.n, 2);
	expect_set(&s, "cell.cycle", "cc genes", 3, prolif);
	expect_set(&s, "Apoptosis", "na", 2, apop);
	scuot_sets_free(&s);

	/* gmx: sets by column, unequal lengths, trailing tabs, CRLF line ends */
	cr_assert_eq(scuot_sets_read(put("b.gmx",
	                                 "Cell.cycle\tApoptosis\r\ncc genes\tna\r\nMKI67\tCASP3\r\n"
	                                 "TOP2A\tBAX\r\nCdk1\t\r\n",
	                                 1),
	                             SCUOT_SETS_AUTO, &s, &e),
	             0, "%s", e.msg);
	cr_expect_eq(s.format, SCUOT_SETS_GMX);
	cr_expect_eq(s.n, 2);
	expect_set(&s, "Cell.cycle", "cc genes", 3, prolif);
	expect_set(&s, "Apoptosis", "na", 2, apop);
	scuot_sets_free(&s);

	const char *p = put("proliferation.grp.gz", "# WOT grp\nMKI67\nTOP2A\n\nCdk1\n", 1);
	char gz[300];
	snprintf(gz, sizeof gz, "%s", p);
	cr_assert_eq(scuot_sets_read(gz, SCUOT_SETS_AUTO, &s, &e), 0, "%s", e.msg);
	cr_expect_eq(s.format, SCUOT_SETS_GRP);
	cr_assert_eq(s.n, 1);
	expect_set(&s, "proliferation", "", 3, prolif);
	scuot_sets_free(&s);
}

Test(sets, by_content)
{
	scuot_err e = { 0 };
	scuot_sets s;
	cr_assert_eq(scuot_sets_read(put("x.txt", "MKI67\nTOP2A\nCdk1\n", 0), SCUOT_SETS_AUTO, &s, &e), 0);
	cr_expect_eq(s.format, SCUOT_SETS_GRP);
	expect_set(&s, "x", "", 3, prolif);
	scuot_sets_free(&s);
	cr_assert_eq(
	        scuot_sets_read(put("y.sets", "P\tApoptosis\nd\tna\nMKI67\tCASP3\nTOP2A\tBAX\nCdk1\n", 0),
	                        SCUOT_SETS_AUTO, &s, &e),
	        0, "%s", e.msg);
	cr_expect_eq(s.format, SCUOT_SETS_GMX);
	expect_set(&s, "p", "d", 3, prolif);
	scuot_sets_free(&s);
	cr_assert_eq(scuot_sets_read(put("z.sets", "P\td\tMKI67\tTOP2A\tCdk1\nA\tna\tCASP3\tBAX\n", 0),
	                             SCUOT_SETS_AUTO, &s, &e),
	             0, "%s", e.msg);
	cr_expect_eq(s.format, SCUOT_SETS_GMT);
	expect_set(&s, "A", "na", 2, apop);
	scuot_sets_free(&s);
	/* the format asked for wins over the extension */
	cr_assert_eq(scuot_sets_read(put("w.gmt", "MKI67\tCASP3\n", 0), SCUOT_SETS_GRP, &s, &e), 0, "%s",
	             e.msg);
	cr_expect_str_eq(s.sets[0].members[0], "MKI67\tCASP3");
	scuot_sets_free(&s);
}

Test(sets, bad_files)
{
	struct {
		const char *name, *text, *msg;
	} bad[] = {
		{ "a.gmt", "s1\td\tG1\ns2 only\n", "a.gmt: line 2: a .gmt line needs a set name" },
		{ "b.gmt", "\td\tG1\n", "b.gmt: line 1: empty set name" },
		{ "c.gmt", "s1\td\tG1\nS1\td\tG2\n", "c.gmt: line 2: set 'S1' is defined twice" },
		{ "d.gmt", "s1\td\t \t\n", "d.gmt: line 1: set 's1' has no members" },
		{ "e.gmt", "# nothing\n\n", "e.gmt: no sets in the file" },
		{ "f.gmx", "A\tB\nda\tdb\nG1\t\n", "f.gmx: column 2: set 'B' has no members" },
		{ "g.gmx", "A\tB\nda\tdb\nG1\tG2\tG3\n",
		  "g.gmx: line 3: member 'G3' in column 3, beyond the 2 set" },
		{ "h.gmx", "A\ta\nda\tdb\nG1\tG2\n", "h.gmx: line 1: set 'a' is defined twice" },
		{ "i.gmx", "\n\n", "i.gmx: no sets in the file" },
		{ "j.grp", "# only a comment\n", "j.grp: no members" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		scuot_err e = { 0 };
		scuot_sets s;
		cr_expect_eq(scuot_sets_read(put(bad[i].name, bad[i].text, 0), SCUOT_SETS_AUTO, &s, &e),
		             SCUOT_EINPUT, "%s", bad[i].name);
		cr_expect(strstr(e.msg, bad[i].msg), "%s: message '%s' lacks '%s'", bad[i].name, e.msg,
		          bad[i].msg);
		cr_expect_eq(s.n, 0);
	}
	scuot_err e = { 0 };
	scuot_sets s;
	cr_expect_eq(scuot_sets_read("/nonexistent/s.gmt", SCUOT_SETS_AUTO, &s, &e), SCUOT_EINPUT);
	cr_expect(strstr(e.msg, "/nonexistent/s.gmt") && strstr(e.msg, "No such file"), "%s", e.msg);
}

Test(sets, gene_matching_keeps_unmatched_names)
{
	scuot_err e = { 0 };
	char *genes[] = { "MKI67", "top2a", "CDK1", "CASP3" },
	     text[4096] = "P\td\tMKI67\tTOP2A\tnope1\tNOPE1";
	for (int k = 2; k <= 30; k++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "\tnope%d", k);
	strcat(text, "\tcdk1\tMKI67\n");
	scuot_genesets gs;
	cr_assert_eq(scuot_gmt_read(put("m.gmt", text, 0), genes, NULL, 4, &gs, &e), 0, "%s", e.msg);
	const scuot_geneset *p = scuot_genesets_find(&gs, "p");
	cr_assert(p);
	cr_expect_eq(p->n, 3, "MKI67 (twice), TOP2A, CDK1 found: %lld", (long long)p->n);
	cr_expect_eq(p->n_unknown, 30, "nope1..nope30 (nope1 twice in two cases): %lld",
	             (long long)p->n_unknown);
	cr_expect_eq(p->n_listed, 33);
	cr_expect_str_eq(p->unknown_names[0], "nope1");
	cr_expect_str_eq(p->unknown_names[19], "nope20");
	char buf[512];
	cr_expect_eq(scuot_genesets_unknown_list(p, buf, sizeof buf), 20);
	cr_expect(strstr(buf, "nope1, nope2, ") == buf, "%s", buf);
	cr_expect(strstr(buf, "nope20, ... (10 more)"), "%s", buf);
	scuot_genesets_free(&gs);
}
