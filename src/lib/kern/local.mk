# src/lib/kern/local.mk -- kern module: Gaussian kernels, random Fourier features, MMD.
libscuot_all_la_SOURCES += src/lib/kern/kern.c
scuotkerndir = $(includedir)/scuot/kern
scuotkern_HEADERS = src/lib/kern/kern.h

EXTRA_DIST += tests/fixtures/kern/make_fixtures.py tests/fixtures/kern/mmd_cases.txt
if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_kern
TESTS += tests/unit/test_kern
tests_unit_test_kern_SOURCES = tests/unit/test_kern.c
tests_unit_test_kern_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_DIR='"$(abs_top_srcdir)/tests/fixtures/kern"'
tests_unit_test_kern_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kern_LDADD = $(UNIT_LIBS)
endif
