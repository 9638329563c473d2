# src/lib/rank/local.mk -- rank module: scaling-factor rankings, Spearman correlations, growth genes.
libscuot_all_la_SOURCES += src/lib/rank/rank.c
scuotrankdir = $(includedir)/scuot/rank
scuotrank_HEADERS = src/lib/rank/rank.h

EXTRA_DIST += tests/fixtures/rank/make_fixtures.py tests/fixtures/rank/de_cases.txt
if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_rank
TESTS += tests/unit/test_rank
tests_unit_test_rank_SOURCES = tests/unit/test_rank.c
tests_unit_test_rank_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_DIR='"$(abs_top_srcdir)/tests/fixtures/rank"'
tests_unit_test_rank_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_rank_LDADD = $(UNIT_LIBS)
endif
