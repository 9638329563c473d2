# src/lib/prep/local.mk -- prep module: QC filters, normalisation, highly variable genes, z-scaling,
# gene-set growth priors, PCA, and the normalize / pca stages on an AnnData object.
libscuot_all_la_SOURCES += \
	src/lib/prep/stats.c src/lib/prep/qc.c src/lib/prep/normalize.c src/lib/prep/hvg.c \
	src/lib/prep/genesets.c src/lib/prep/growth.c src/lib/prep/pca.c src/lib/prep/run_normalize.c \
	src/lib/prep/run_pca.c src/lib/prep/prep_internal.h
scuotprepdir = $(includedir)/scuot/prep
scuotprep_HEADERS = src/lib/prep/prep.h

PREP_FIXTURE_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_DIR='"$(abs_top_srcdir)/tests/fixtures/prep"'
EXTRA_DIST += tests/fixtures/prep/make_fixtures.py \
	tests/fixtures/prep/counts.mtx tests/fixtures/prep/cells.tsv tests/fixtures/prep/genes.tsv \
	tests/fixtures/prep/sets.gmt tests/fixtures/prep/expected.txt tests/fixtures/prep/normalized.txt

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_prep_norm tests/unit/test_prep_pca
TESTS += tests/unit/test_prep_norm tests/unit/test_prep_pca
tests_unit_test_prep_norm_SOURCES = tests/unit/test_prep_norm.c tests/unit/prep_fixture.h
tests_unit_test_prep_norm_CPPFLAGS = $(PREP_FIXTURE_CPPFLAGS)
tests_unit_test_prep_norm_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_prep_norm_LDADD = $(UNIT_LIBS)
tests_unit_test_prep_pca_SOURCES = tests/unit/test_prep_pca.c tests/unit/prep_fixture.h
tests_unit_test_prep_pca_CPPFLAGS = $(PREP_FIXTURE_CPPFLAGS)
tests_unit_test_prep_pca_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_prep_pca_LDADD = $(UNIT_LIBS)
endif
