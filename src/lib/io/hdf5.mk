# src/lib/io/hdf5.mk -- HDF5 formats: h5ad, 10x HDF5, loom.
