# src/lib/eval/local.mk -- eval module: scoring predicted populations against held-out cells.
