# src/lib/eval/local.mk -- eval module: scoring predicted populations against held-out cells.
libscuot_all_la_SOURCES += src/lib/eval/eval.c
scuotevaldir = $(includedir)/scuot/eval
scuoteval_HEADERS = src/lib/eval/eval.h
