# src/lib/io/hdf5.mk -- HDF5 formats: h5ad, 10x HDF5, loom, their shared helpers and tests.
libscuot_all_la_SOURCES += \
	src/lib/io/h5util.c src/lib/io/h5util_internal.h src/lib/io/h5ad.c src/lib/io/tenx.c src/lib/io/loom.c
scuotio_HEADERS += src/lib/io/h5ad.h src/lib/io/tenx.h src/lib/io/loom.h

# Interop: scuot_h5dump prints what libscuot reads as JSON and writes the sample object for anndata.
check_PROGRAMS += tests/interop/scuot_h5dump
tests_interop_scuot_h5dump_SOURCES = tests/interop/scuot_h5dump.c
tests_interop_scuot_h5dump_LDADD = libscuot_all.la $(HDF5_LIBS)
