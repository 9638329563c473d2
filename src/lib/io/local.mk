# src/lib/io/local.mk -- io module: the in-memory AnnData object and the format dispatcher.
# The HDF5 formats are in hdf5.mk, the text formats in text.mk.
libscuot_all_la_SOURCES += src/lib/io/adata.c src/lib/io/counts.c src/lib/io/meta.c
scuotiodir = $(includedir)/scuot/io
scuotio_HEADERS = src/lib/io/adata.h src/lib/io/counts.h src/lib/io/meta.h

include src/lib/io/hdf5.mk
include src/lib/io/text.mk
