# src/lib/io/hdf5.mk -- HDF5 formats: h5ad, 10x HDF5, loom, their shared helpers and tests.
libscuot_all_la_SOURCES += \
	src/lib/io/h5util.c src/lib/io/h5util_internal.h src/lib/io/h5ad.c src/lib/io/tenx.c src/lib/io/loom.c src/lib/io/result.c src/lib/io/tmap.c \
	src/lib/io/arrays.c
scuotio_HEADERS += src/lib/io/h5ad.h src/lib/io/tenx.h src/lib/io/loom.h src/lib/io/result.h src/lib/io/tmap.h src/lib/io/arrays.h

# Interop: scuot_h5dump prints what libscuot reads as JSON and writes the sample object for anndata.
check_PROGRAMS += tests/interop/scuot_h5dump
tests_interop_scuot_h5dump_SOURCES = tests/interop/scuot_h5dump.c
tests_interop_scuot_h5dump_LDADD = libscuot_all.la $(HDF5_LIBS)

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_h5ad
TESTS += tests/unit/test_h5ad
tests_unit_test_h5ad_SOURCES = tests/unit/test_h5ad.c
tests_unit_test_h5ad_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_h5ad_LDADD = $(UNIT_LIBS)
check_PROGRAMS += tests/unit/test_tenx_loom
TESTS += tests/unit/test_tenx_loom
tests_unit_test_tenx_loom_SOURCES = tests/unit/test_tenx_loom.c
tests_unit_test_tenx_loom_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tenx_loom_LDADD = $(UNIT_LIBS)
endif

# Interop with anndata / h5py (python: /usr/bin/python3): fixtures are written at test time.
TESTS += tests/interop/read_fixtures.sh tests/interop/anndata_reads_scuot.sh
EXTRA_DIST += \
	tests/interop/read_fixtures.sh tests/interop/anndata_reads_scuot.sh tests/interop/common.sh \
	tests/interop/canon.py tests/interop/make_fixtures.py tests/interop/check_dump.py \
	tests/interop/check_written.py
