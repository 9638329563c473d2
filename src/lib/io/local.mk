# src/lib/io/local.mk -- io module: the in-memory AnnData object and the format dispatcher.
# The HDF5 formats are in hdf5.mk, the text formats in text.mk.
libscuot_all_la_SOURCES += src/lib/io/adata.c src/lib/io/counts.c src/lib/io/meta.c
scuotiodir = $(includedir)/scuot/io
scuotio_HEADERS = src/lib/io/adata.h src/lib/io/counts.h src/lib/io/meta.h

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_adata
TESTS += tests/unit/test_adata
tests_unit_test_adata_SOURCES = tests/unit/test_adata.c
tests_unit_test_adata_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_adata_LDADD = $(UNIT_LIBS)
endif

include src/lib/io/hdf5.mk
include src/lib/io/text.mk
