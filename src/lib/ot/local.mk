# src/lib/ot/local.mk -- ot module: ground costs, the method interface and table, and the static couplings
# (network-simplex EMD in emd.mk; Sinkhorn, unbalanced Sinkhorn and WFR in sinkhorn.mk).
libscuot_all_la_SOURCES += src/lib/ot/cost.c src/lib/ot/ot.c src/lib/ot/methods.c src/lib/ot/ot_internal.h
scuototdir = $(includedir)/scuot/ot
scuotot_HEADERS = src/lib/ot/cost.h src/lib/ot/ot.h

include src/lib/ot/emd.mk
include src/lib/ot/sinkhorn.mk
