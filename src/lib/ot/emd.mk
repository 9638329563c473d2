# src/lib/ot/emd.mk -- exact optimal transport by the network simplex, its tests and benchmark.
