# src/lib/io/text.mk -- text formats: streams, Matrix Market / 10x directories, delimited tables, set files.
libscuot_all_la_SOURCES += \
	src/lib/io/stream.c src/lib/io/mtx.c src/lib/io/text.c src/lib/io/text_internal.h src/lib/io/sets.c
scuotio_HEADERS += src/lib/io/stream.h src/lib/io/mtx.h src/lib/io/text.h src/lib/io/sets.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_stream tests/unit/test_mtx tests/unit/test_text tests/unit/test_sets
TESTS += tests/unit/test_stream tests/unit/test_mtx tests/unit/test_text tests/unit/test_sets
tests_unit_test_stream_SOURCES = tests/unit/test_stream.c
tests_unit_test_stream_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_stream_LDADD = $(UNIT_LIBS)
tests_unit_test_mtx_SOURCES = tests/unit/test_mtx.c
tests_unit_test_mtx_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_mtx_LDADD = $(UNIT_LIBS)
tests_unit_test_text_SOURCES = tests/unit/test_text.c
tests_unit_test_text_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_text_LDADD = $(UNIT_LIBS)
tests_unit_test_sets_SOURCES = tests/unit/test_sets.c
tests_unit_test_sets_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sets_LDADD = $(UNIT_LIBS)
endif
