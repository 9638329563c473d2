# src/lib/dens/local.mk -- dens module: Gaussian mixture densities fitted by EM (BIC choice of the number of
# components), used as the target log density of the swfr method.
libscuot_all_la_SOURCES += src/lib/dens/gmm.c
scuotdensdir = $(includedir)/scuot/dens
scuotdens_HEADERS = src/lib/dens/gmm.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_gmm
TESTS += tests/unit/test_gmm
tests_unit_test_gmm_SOURCES = tests/unit/test_gmm.c
tests_unit_test_gmm_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_gmm_LDADD = $(UNIT_LIBS)
endif
