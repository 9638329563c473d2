# src/lib/report/local.mk -- report module: SVG figures and the self-contained HTML report.
libscuot_all_la_SOURCES += src/lib/report/svg.c src/lib/report/report.c
scuotreportdir = $(includedir)/scuot/report
scuotreport_HEADERS = src/lib/report/svg.h src/lib/report/report.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_svg
TESTS += tests/unit/test_svg
tests_unit_test_svg_SOURCES = tests/unit/test_svg.c
tests_unit_test_svg_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_svg_LDADD = $(UNIT_LIBS)
endif
