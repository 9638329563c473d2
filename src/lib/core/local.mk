# src/lib/core/local.mk -- core module: matrices, errors, logging, progress, RNG, output files, threads.
libscuot_all_la_SOURCES += \
	src/lib/core/err.c src/lib/core/log.c src/lib/core/mat.c src/lib/core/outfile.c \
	src/lib/core/parse.c src/lib/core/progress.c src/lib/core/rng.c src/lib/core/strmap.c src/lib/core/sys.c \
	src/lib/core/threads.c src/lib/core/vexp_internal.h src/lib/core/vmath_internal.h
scuotcoredir = $(includedir)/scuot/core
scuotcore_HEADERS = \
	src/lib/core/defs.h src/lib/core/err.h src/lib/core/log.h src/lib/core/mat.h \
	src/lib/core/outfile.h src/lib/core/parse.h src/lib/core/progress.h src/lib/core/rng.h \
	src/lib/core/strmap.h src/lib/core/sys.h src/lib/core/threads.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_core
TESTS += tests/unit/test_core
tests_unit_test_core_SOURCES = tests/unit/test_core.c
tests_unit_test_core_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_core_LDADD = $(UNIT_LIBS)
endif
